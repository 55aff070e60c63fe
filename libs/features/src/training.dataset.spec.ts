import { INDICATOR_TYPES, evaluationPlan } from '@ktrdr/agent-domain';
import type { Bars } from '@ktrdr/market-data';
import { CancelledError, ErrorCode } from '@ktrdr/errors';
import { buildFeatureMatrix } from './feature.matrix.js';
import { FeaturesError } from './features.error.js';
import { forwardReturnLabels } from './forward-return.labeler.js';
import { parseScaler } from './standard.scaler.js';
import { randomBars, strategy } from './testing.fixtures.js';
import { buildFoldDataset, buildInferenceFeatures, type DatasetPart, type FoldSpec } from './training.dataset.js';
import { tripleBarrierLabels } from './triple-barrier.labeler.js';
import { walkForwardWindows } from './walk-forward.split.js';
import { zigzagLabels } from './zigzag.labeler.js';

const config = strategy(); // v3_minimal's shape: RSI(14) in three triangular sets on 1d, zigzag 3 % / 20 bars, 70/15/15
const sp500 = randomBars(400, { seed: 21, symbol: 'SP500' });
// As the training-fold job computes it: 0.15 / 0.85 of a fold's training rows validate.
const validationShare = config.training.data_split.validation / (config.training.data_split.train + config.training.data_split.validation);

/** Walk-forward over the backtest part of `bars` (from bar `from`), in `folds` folds; fold `index`, purge 20 (= label horizon), embargo 5. */
function foldOf(bars: Bars, from: number, folds: number, index: number, over: Partial<FoldSpec> = {}): FoldSpec {
  const windows = walkForwardWindows(bars.time.subarray(from), folds);
  return { windows, index, scheme: 'expanding', purge: 20, embargo: 5, validationShare, rowsFrom: bars.time[0]!, ...over };
}
// Backtest bars 250–399 of SP500 in three folds of 50 bars: 250–299, 300–349, 350–399.
const fold = (index: number, over: Partial<FoldSpec> = {}): FoldSpec => foldOf(sp500, 250, 3, index, over);

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const colOf = (part: DatasetPart, cols: number, c: number): number[] => Array.from({ length: part.rows }, (_, r) => part.X[r * cols + c]!);

describe('buildFoldDataset', () => {
  it('cuts backtest bars 250–399 into three folds of 50 bars', () => {
    const { windows } = fold(0);
    expect(windows).toEqual([
      { fold: 1, from: sp500.time[250], to: sp500.time[300] },
      { fold: 2, from: sp500.time[300], to: sp500.time[350] },
      { fold: 3, from: sp500.time[350], to: sp500.time[399]! + 1 },
    ]);
  });

  it('turns a v3_minimal-like config and 400 daily bars into fold 3/3 parts of the expected shape and boundaries', async () => {
    const ds = await buildFoldDataset(config, { SP500: { '1d': sp500 } }, fold(2));
    expect(ds.names).toEqual(['rsi_14.oversold@1d', 'rsi_14.neutral@1d', 'rsi_14.overbought@1d']);
    expect(ds.cols).toBe(3);
    // RSI(14) is complete from bar 14; bars past 379 (= 399 - 20) have no label: usable bars 14–379 (366 rows).
    // Test: usable bars of 350–399 → 350–379 (30). Candidates: bars < 350 - 20 = 330, without the embargo 300–304
    // after fold 1 → 14–299 and 305–329 (311). Validation ⌊311 × 0.15/0.85⌋ = ⌊54.9⌋ = 54 → 271–299 and 305–329.
    // Train: bar + 20 < 271 → 14–250 (237). Dropped: 251–270, 300–304, 330–349 = 45.
    expect([ds.train.rows, ds.validation.rows, ds.test.rows]).toEqual([237, 54, 30]);
    expect(ds.symbols).toEqual([{ symbol: 'SP500', bars: 400, usableRows: 366, purgedRows: 45 }]);
    expect(ds.train.segments).toEqual([{ symbol: 'SP500', start: 0, end: 237, firstBar: 14, lastBar: 250 }]);
    expect(ds.validation.segments).toEqual([{ symbol: 'SP500', start: 0, end: 54, firstBar: 271, lastBar: 329 }]);
    expect(ds.test.segments).toEqual([{ symbol: 'SP500', start: 0, end: 30, firstBar: 350, lastBar: 379 }]);
    for (const part of [ds.train, ds.validation, ds.test]) {
      expect(part.X).toBeInstanceOf(Float32Array);
      expect(part.X).toHaveLength(part.rows * 3);
      expect(part.y).toBeInstanceOf(Uint8Array);
      expect(part.y).toHaveLength(part.rows);
      expect(part.time).toHaveLength(part.rows);
      expect(part.classCounts.reduce((a, b) => a + b)).toBe(part.rows);
      expect(part.X.some(Number.isNaN)).toBe(false);
    }
  });

  it('fold 1/3 trains on the earliest rows only; rows of later folds are in no part', async () => {
    const ds = await buildFoldDataset(config, { SP500: { '1d': sp500 } }, fold(0));
    // Test: 250–299 (50). Candidates: bars < 230 → 14–229 (216); validation ⌊216 × 0.15/0.85⌋ = ⌊38.1⌋ = 38 → 192–229;
    // train: bar + 20 < 192 → 14–171 (158). Dropped: 172–191, 230–249 and the 80 usable rows 300–379 of folds 2 and 3.
    expect(ds.train.segments).toEqual([{ symbol: 'SP500', start: 0, end: 158, firstBar: 14, lastBar: 171 }]);
    expect(ds.validation.segments).toEqual([{ symbol: 'SP500', start: 0, end: 38, firstBar: 192, lastBar: 229 }]);
    expect(ds.test.segments).toEqual([{ symbol: 'SP500', start: 0, end: 50, firstBar: 250, lastBar: 299 }]);
    expect(ds.symbols).toEqual([{ symbol: 'SP500', bars: 400, usableRows: 366, purgedRows: 120 }]);
  });

  it('with the rolling scheme, fold 3/3 trains on as many bars of history as fold 1 had', async () => {
    const ds = await buildFoldDataset(config, { SP500: { '1d': sp500 } }, fold(2, { scheme: 'rolling' }));
    // Fold 1's candidates span bars 14–229 (216 bars); fold 3's end at 330 → from bar 114: 114–299 and 305–329 (211).
    // Validation ⌊211 × 0.15/0.85⌋ = ⌊37.2⌋ = 37 → 288–299 and 305–329; train: bar + 20 < 288 → 114–267 (154).
    expect(ds.train.segments).toEqual([{ symbol: 'SP500', start: 0, end: 154, firstBar: 114, lastBar: 267 }]);
    expect(ds.validation.segments).toEqual([{ symbol: 'SP500', start: 0, end: 37, firstBar: 288, lastBar: 329 }]);
    expect(ds.test.segments).toEqual([{ symbol: 'SP500', start: 0, end: 30, firstBar: 350, lastBar: 379 }]);
  });

  it('labels with forward returns: the cost defaults to the backtest round trip, the last `horizon` bars get no label', async () => {
    const fr = strategy({
      training: { labels: { source: 'forward_return', horizon: 20, threshold: 0.01 }, data_split: { train: 0.7, validation: 0.15, test: 0.15 } },
    });
    const plan = evaluationPlan(fr);
    expect([plan.purge, plan.embargo]).toEqual([20, 20]); // the label horizon
    const ds = await buildFoldDataset(fr, { SP500: { '1d': sp500 } }, fold(2, { purge: plan.purge }));
    // Bars past 379 (= 399 - 20) have no label, as with ZigZag over 20 bars: the same rows as the v3_minimal-like fold 3/3.
    expect(ds.train.segments).toEqual([{ symbol: 'SP500', start: 0, end: 237, firstBar: 14, lastBar: 250 }]);
    expect(ds.validation.segments).toEqual([{ symbol: 'SP500', start: 0, end: 54, firstBar: 271, lastBar: 329 }]);
    expect(ds.test.segments).toEqual([{ symbol: 'SP500', start: 0, end: 30, firstBar: 350, lastBar: 379 }]);
    // No cost in the file: 2 × (commission 0.001 + slippage 0.0005) = 0.003 (the backtest defaults).
    const labels = await forwardReturnLabels(sp500.close, { horizon: 20, threshold: 0.01, cost: 0.003 });
    const free = await forwardReturnLabels(sp500.close, { horizon: 20, threshold: 0.01, cost: 0 });
    expect(ds.train.y).toEqual(Uint8Array.from(range(14, 251), (b) => labels[b]!));
    expect(ds.test.y).toEqual(Uint8Array.from(range(350, 380), (b) => labels[b]!));
    expect(ds.train.y).not.toEqual(Uint8Array.from(range(14, 251), (b) => free[b]!)); // the cost moved some labels to HOLD
    for (const part of [ds.train, ds.validation, ds.test]) expect(part.classCounts.reduce((a, b) => a + b)).toBe(part.rows);
  });

  it('labels with the triple barrier: no row before the volatility window fills nor in the last `horizon` bars', async () => {
    const tb = strategy({
      training: {
        labels: { source: 'triple_barrier', horizon: 20, profit_take: 1.5, stop_loss: 1.5, volatility_window: 30 },
        data_split: { train: 0.7, validation: 0.15, test: 0.15 },
      },
    });
    const ds = await buildFoldDataset(tb, { SP500: { '1d': sp500 } }, fold(2, { purge: evaluationPlan(tb).purge }));
    // σ needs 30 returns: usable bars 30–379 (350). Test 350–379 (30). Candidates 30–299 and 305–329 (295); validation
    // ⌊295 × 0.15/0.85⌋ = ⌊52.1⌋ = 52 → 273–299 and 305–329; train: bar + 20 < 273 → 30–252 (223).
    expect(ds.symbols).toEqual([{ symbol: 'SP500', bars: 400, usableRows: 350, purgedRows: 45 }]);
    expect(ds.train.segments).toEqual([{ symbol: 'SP500', start: 0, end: 223, firstBar: 30, lastBar: 252 }]);
    expect(ds.validation.segments).toEqual([{ symbol: 'SP500', start: 0, end: 52, firstBar: 273, lastBar: 329 }]);
    expect(ds.test.segments).toEqual([{ symbol: 'SP500', start: 0, end: 30, firstBar: 350, lastBar: 379 }]);
    const labels = await tripleBarrierLabels(sp500.close, { horizon: 20, profitTake: 1.5, stopLoss: 1.5, volatilityWindow: 30 });
    expect(ds.train.y).toEqual(Uint8Array.from(range(30, 253), (b) => labels[b]!));
    expect(ds.validation.y).toEqual(Uint8Array.from([...range(273, 300), ...range(305, 330)], (b) => labels[b]!));
    expect(ds.test.y).toEqual(Uint8Array.from(range(350, 380), (b) => labels[b]!));
    expect(ds.train.classCounts.every((n) => n > 0)).toBe(true);
  });

  it('pairs each row with its bar: time, ZigZag label and (unscaled) features of that bar', async () => {
    const ds = await buildFoldDataset(config, { SP500: { '1d': sp500 } }, fold(2));
    const labels = await zigzagLabels(sp500.close, { threshold: 0.03, lookahead: 20 });
    const m = await buildFeatureMatrix(config, { '1d': sp500 });
    const { mean, std } = ds.scaler;
    for (const [part, bars] of [
      [ds.train, range(14, 251)],
      [ds.validation, [...range(271, 300), ...range(305, 330)]],
      [ds.test, range(350, 380)],
    ] as const) {
      expect(part.rows).toBe(bars.length);
      bars.forEach((bar, r) => {
        expect(part.time[r]).toBe(sp500.time[bar]);
        expect(part.y[r]).toBe(labels[bar]);
        for (let c = 0; c < 3; c++) expect(part.X[r * 3 + c]! * std[c]! + mean[c]!).toBeCloseTo(m.values[bar * 3 + c]!, 5);
      });
    }
  });

  it('standardises with a scaler fitted on the train part: train columns have mean 0 and std 1', async () => {
    const ds = await buildFoldDataset(config, { SP500: { '1d': sp500 } }, fold(2));
    for (let c = 0; c < 3; c++) {
      const col = colOf(ds.train, 3, c);
      const mu = col.reduce((a, b) => a + b) / col.length;
      expect(mu).toBeCloseTo(0, 5);
      expect(col.reduce((a, b) => a + (b - mu) ** 2, 0) / col.length).toBeCloseTo(1, 4);
    }
    expect(parseScaler(JSON.parse(JSON.stringify(ds.scaler)))).toEqual(ds.scaler);
  });

  it('fits the scaler on train rows only: changing every bar after the last train bar leaves it unchanged', async () => {
    const scaled = (from: number, to: number): Bars => {
      const b = { ...sp500, close: sp500.close.slice(), high: sp500.high.slice() };
      for (let i = from; i < to; i++) {
        b.close[i] = b.close[i]! * 1.2;
        b.high[i] = Math.max(b.high[i]!, b.close[i]!);
      }
      return b;
    };
    const before = await buildFoldDataset(config, { SP500: { '1d': sp500 } }, fold(2));
    // Train bars are 14–250: bars 251–399 feed only validation and test features (and train labels, not the scaler).
    const after = await buildFoldDataset(config, { SP500: { '1d': scaled(251, 400) } }, fold(2));
    expect(after.scaler).toEqual(before.scaler);
    expect(Array.from(after.train.X)).toEqual(Array.from(before.train.X));
    expect(Array.from(after.validation.X)).not.toEqual(Array.from(before.validation.X));
    expect(Array.from(after.test.X)).not.toEqual(Array.from(before.test.X));
    // A change inside the train part moves the scaler.
    const inTrain = await buildFoldDataset(config, { SP500: { '1d': scaled(100, 101) } }, fold(2));
    expect(inTrain.scaler.mean).not.toEqual(before.scaler.mean);
  });

  it('takes no row before rowsFrom, yet computes features from the bars before it', async () => {
    const ds = await buildFoldDataset(config, { SP500: { '1d': sp500 } }, fold(2, { rowsFrom: sp500.time[100]! }));
    // Usable bars 100–379 (280). Candidates 100–299 and 305–329 (225); validation ⌊225 × 0.15/0.85⌋ = ⌊39.7⌋ = 39 → 286–299
    // and 305–329; train: bar + 20 < 286 → 100–265 (166).
    expect(ds.symbols).toEqual([{ symbol: 'SP500', bars: 400, usableRows: 280, purgedRows: 45 }]);
    expect(ds.train.segments).toEqual([{ symbol: 'SP500', start: 0, end: 166, firstBar: 100, lastBar: 265 }]);
    expect(ds.validation.segments).toEqual([{ symbol: 'SP500', start: 0, end: 39, firstBar: 286, lastBar: 329 }]);
    expect(ds.train.time[0]).toBe(sp500.time[100]);
    // Row 0 has the RSI warmed up on bars 0–99, the same features as over the whole series.
    const m = await buildFeatureMatrix(config, { '1d': sp500 });
    const { mean, std } = ds.scaler;
    for (let c = 0; c < 3; c++) expect(ds.train.X[c]! * std[c]! + mean[c]!).toBeCloseTo(m.values[100 * 3 + c]!, 5);
  });

  it('plans each symbol on its own bars and joins the pieces per part, in symbol order', async () => {
    const two = strategy({ training_data: { symbols: ['SP500', 'EURUSD'], timeframes: ['1d'], date_range: { start: '2005-01-01', end: '2016-12-31' } } });
    // EURUSD starts 20 days later: its bar j is at SP500 bar j + 20's time, and the windows (bars 250–399 of SP500) are its bars 230–379.
    const eurusd = randomBars(380, { seed: 22, symbol: 'EURUSD', start: sp500.time[20]! });
    const ds = await buildFoldDataset(two, { SP500: { '1d': sp500 }, EURUSD: { '1d': eurusd } }, fold(2));
    // EURUSD usable bars 14–359 (346). Test 330–359 (30). Candidates: bars < 310 without the embargo 280–284 → 14–279 and
    // 285–309 (291); validation ⌊291 × 0.15/0.85⌋ = ⌊51.4⌋ = 51 → 254–279 and 285–309; train: bar + 20 < 254 → 14–233 (220).
    expect(ds.train.segments).toEqual([
      { symbol: 'SP500', start: 0, end: 237, firstBar: 14, lastBar: 250 },
      { symbol: 'EURUSD', start: 237, end: 457, firstBar: 14, lastBar: 233 },
    ]);
    expect(ds.validation.segments).toEqual([
      { symbol: 'SP500', start: 0, end: 54, firstBar: 271, lastBar: 329 },
      { symbol: 'EURUSD', start: 54, end: 105, firstBar: 254, lastBar: 309 },
    ]);
    expect(ds.test.segments).toEqual([
      { symbol: 'SP500', start: 0, end: 30, firstBar: 350, lastBar: 379 },
      { symbol: 'EURUSD', start: 30, end: 60, firstBar: 330, lastBar: 359 },
    ]);
    expect([ds.train.rows, ds.validation.rows, ds.test.rows]).toEqual([237 + 220, 54 + 51, 30 + 30]);
    expect(ds.symbols).toEqual([
      { symbol: 'SP500', bars: 400, usableRows: 366, purgedRows: 45 },
      { symbol: 'EURUSD', bars: 380, usableRows: 346, purgedRows: 45 },
    ]);
    expect(ds.test.time[29]).toBe(sp500.time[379]);
    expect(ds.test.time[30]).toBe(eurusd.time[330]);
    expect(eurusd.time[330]).toBe(sp500.time[350]);
    expect(ds.train.time[237]).toBe(eurusd.time[14]);
    // One scaler over both symbols' train rows.
    for (let c = 0; c < 3; c++) expect(colOf(ds.train, 3, c).reduce((a, b) => a + b) / ds.train.rows).toBeCloseTo(0, 5);
  });

  it('refuses a fold with too few rows, naming the symbol, the fold and the counts', async () => {
    const short = randomBars(70, { symbol: 'SP500' });
    // Backtest bars 40–69 in three folds of 10; fold 1 tests 40–49; candidates 14–19 (6) → 1 to validate, none with bar + 20 < 19 to train.
    const err = await buildFoldDataset(config, { SP500: { '1d': short } }, foldOf(short, 40, 3, 0)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeaturesError);
    expect((err as FeaturesError).code).toBe(ErrorCode.NoMarketData);
    expect((err as FeaturesError).reason).toBe('insufficient_rows');
    expect((err as FeaturesError).message).toBe(
      'too few usable rows for SP500 1d for fold 1/3: 0 to train, 1 to validate, 10 to test (purge 20 bars, embargo 5); ' +
        'use a longer training_data.date_range or fewer evaluation.folds',
    );
  });

  it('refuses a symbol without bars', async () => {
    const err = await buildFoldDataset(config, {}, fold(2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeaturesError);
    expect((err as FeaturesError).code).toBe(ErrorCode.NoMarketData);
    expect((err as FeaturesError).reason).toBe('missing_timeframe');
    expect((err as FeaturesError).message).toBe('no bars for SP500');
    const two = strategy({ training_data: { symbols: ['SP500', 'EURUSD'], timeframes: ['1d'], date_range: { start: '2005-01-01', end: '2016-12-31' } } });
    await expect(buildFoldDataset(two, { SP500: { '1d': sp500 } }, fold(2))).rejects.toThrow('no bars for EURUSD');
  });

  it('is deterministic: the same bars and fold give the same dataset', async () => {
    const a = await buildFoldDataset(config, { SP500: { '1d': sp500 } }, fold(1));
    const b = await buildFoldDataset(config, { SP500: { '1d': sp500 } }, fold(1));
    expect(b).toEqual(a);
    expect(Array.from(b.train.X)).toEqual(Array.from(a.train.X));
    expect(Array.from(b.test.y)).toEqual(Array.from(a.test.y));
  });

  it('stops with CancelledError when aborted', async () => {
    const c = new AbortController();
    c.abort('Parent cancelled');
    await expect(buildFoldDataset(config, { SP500: { '1d': sp500 } }, fold(2), c.signal)).rejects.toBeInstanceOf(CancelledError);
  });

  it('lets the event loop run while it works, so a cancel arriving mid-run stops it', async () => {
    const indicators = Object.fromEntries(INDICATOR_TYPES.map((t) => [`${t}_i`, { type: t }]));
    const fuzzy_sets = Object.fromEntries(INDICATOR_TYPES.map((t) => [`f_${t}`, { indicator: `${t}_i`, g: { type: 'gaussian', parameters: [0, 100] } }]));
    const big = strategy({ indicators, fuzzy_sets, nn_inputs: Object.keys(fuzzy_sets).map((f) => ({ fuzzy_set: f })) });
    const bars = randomBars(20_000, { symbol: 'SP500' });
    const c = new AbortController();
    // This callback can only run if the pipeline yields before it finishes (the run is far longer than one 8 ms slice).
    setImmediate(() => c.abort('Parent cancelled'));
    const err = await buildFoldDataset(big, { SP500: { '1d': bars } }, foldOf(bars, 15_000, 3, 2), c.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as CancelledError).message).toBe('Parent cancelled');
  });
});

describe('buildInferenceFeatures', () => {
  it("gives every bar of the window the training columns, scaled with the model's scaler, warm-up rows flagged", async () => {
    const ds = await buildFoldDataset(config, { SP500: { '1d': sp500 } }, fold(2));
    const inf = await buildInferenceFeatures(config, { '1d': sp500 }, ds.scaler);
    expect(inf.names).toEqual(ds.names);
    expect(inf.rows).toBe(400);
    expect(inf.firstValidRow).toBe(14);
    expect(Array.from(inf.valid.subarray(0, 14))).toEqual(new Array(14).fill(0));
    expect(inf.valid.subarray(14).every((v) => v === 1)).toBe(true);
    // The fold's train rows are bars 14–250: row for bar 14 + r equals the training row r exactly (same features, same scaler).
    expect(Array.from(inf.values.subarray((14 + 5) * 3, (14 + 6) * 3))).toEqual(Array.from(ds.train.X.subarray(5 * 3, 6 * 3)));
    // And the test rows: bar 350 + r is test row r.
    expect(Array.from(inf.values.subarray((350 + 7) * 3, (350 + 8) * 3))).toEqual(Array.from(ds.test.X.subarray(7 * 3, 8 * 3)));
    expect(inf.values[0]).toBeNaN();
  });

  it('refuses a scaler whose columns differ from the strategy (it changed after training)', async () => {
    const ds = await buildFoldDataset(config, { SP500: { '1d': sp500 } }, fold(2));
    const changed = strategy({
      fuzzy_sets: {
        rsi_14: { indicator: 'rsi_14', oversold: { type: 'triangular', parameters: [0, 20, 35] }, high: { type: 'gaussian', parameters: [70, 10] } },
      },
    });
    const err = await buildInferenceFeatures(changed, { '1d': sp500 }, ds.scaler).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeaturesError);
    expect((err as FeaturesError).code).toBe(ErrorCode.StrategyInvalid);
    expect((err as FeaturesError).reason).toBe('feature_mismatch');
    expect((err as FeaturesError).message).toBe(
      "features of strategy v3_minimal_like do not match the model's (model-only: rsi_14.neutral@1d, rsi_14.overbought@1d; strategy-only: rsi_14.high@1d); retrain the model",
    );
    const reordered = { ...ds.scaler, names: [...ds.scaler.names].reverse() };
    await expect(buildInferenceFeatures(config, { '1d': sp500 }, reordered)).rejects.toThrow(/same columns in another order/);
  });
});
