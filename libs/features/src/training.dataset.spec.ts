import { INDICATOR_TYPES } from '@ktrdr/agent-domain';
import { CancelledError, ErrorCode } from '@ktrdr/errors';
import { buildFeatureMatrix } from './feature.matrix.js';
import { FeaturesError } from './features.error.js';
import { parseScaler } from './standard.scaler.js';
import { randomBars, strategy } from './testing.fixtures.js';
import { buildInferenceFeatures, buildTrainingDataset, type DatasetPart } from './training.dataset.js';
import { zigzagLabels } from './zigzag.labeler.js';

const config = strategy(); // v3_minimal's shape: RSI(14) in three triangular sets on 1d, zigzag 3 % / 20 bars, 70/15/15
const sp500 = randomBars(400, { seed: 21, symbol: 'SP500' });

const colOf = (part: DatasetPart, cols: number, c: number): number[] => Array.from({ length: part.rows }, (_, r) => part.X[r * cols + c]!);

describe('buildTrainingDataset', () => {
  it('turns a v3_minimal-like config and 400 daily bars into parts of the expected shape and boundaries', async () => {
    const ds = await buildTrainingDataset(config, { SP500: { '1d': sp500 } });
    expect(ds.names).toEqual(['rsi_14.oversold@1d', 'rsi_14.neutral@1d', 'rsi_14.overbought@1d']);
    expect(ds.cols).toBe(3);
    // RSI(14) is complete from bar 14; bars past 379 (= 399 - 20) have no label: 366 usable rows.
    // 366 - 2×20 purged = 326 → train ⌊228.2⌋ = 228, validation ⌊48.9⌋ = 48, test 50.
    expect([ds.train.rows, ds.validation.rows, ds.test.rows]).toEqual([228, 48, 50]);
    expect(ds.symbols).toEqual([{ symbol: 'SP500', bars: 400, usableRows: 366, purgedRows: 40 }]);
    expect(ds.train.segments).toEqual([{ symbol: 'SP500', start: 0, end: 228, firstBar: 14, lastBar: 241 }]);
    expect(ds.validation.segments).toEqual([{ symbol: 'SP500', start: 0, end: 48, firstBar: 262, lastBar: 309 }]);
    expect(ds.test.segments).toEqual([{ symbol: 'SP500', start: 0, end: 50, firstBar: 330, lastBar: 379 }]);
    for (const part of [ds.train, ds.validation, ds.test]) {
      expect(part.X).toBeInstanceOf(Float32Array);
      expect(part.X).toHaveLength(part.rows * 3);
      expect(part.y).toBeInstanceOf(Uint8Array);
      expect(part.y).toHaveLength(part.rows);
      expect(part.classCounts.reduce((a, b) => a + b)).toBe(part.rows);
      expect(part.X.some(Number.isNaN)).toBe(false);
    }
  });

  it('pairs each row with its bar: time, ZigZag label and (unscaled) features of that bar', async () => {
    const ds = await buildTrainingDataset(config, { SP500: { '1d': sp500 } });
    const labels = await zigzagLabels(sp500.close, { threshold: 0.03, lookahead: 20 });
    const m = await buildFeatureMatrix(config, { '1d': sp500 });
    const { mean, std } = ds.scaler;
    for (const [part, firstBar] of [
      [ds.train, 14],
      [ds.validation, 262],
      [ds.test, 330],
    ] as const) {
      for (const r of [0, 17, part.rows - 1]) {
        const bar = firstBar + r;
        expect(part.time[r]).toBe(sp500.time[bar]);
        expect(part.y[r]).toBe(labels[bar]);
        for (let c = 0; c < 3; c++) expect(part.X[r * 3 + c]! * std[c]! + mean[c]!).toBeCloseTo(m.values[bar * 3 + c]!, 5);
      }
    }
  });

  it('standardises with a scaler fitted on the train part: train columns have mean 0 and std 1', async () => {
    const ds = await buildTrainingDataset(config, { SP500: { '1d': sp500 } });
    for (let c = 0; c < 3; c++) {
      const col = colOf(ds.train, 3, c);
      const mu = col.reduce((a, b) => a + b) / col.length;
      expect(mu).toBeCloseTo(0, 5);
      expect(col.reduce((a, b) => a + (b - mu) ** 2, 0) / col.length).toBeCloseTo(1, 4);
    }
    expect(parseScaler(JSON.parse(JSON.stringify(ds.scaler)))).toEqual(ds.scaler);
  });

  it('fits the scaler on train rows only: changing bars inside the test part leaves it unchanged', async () => {
    const before = await buildTrainingDataset(config, { SP500: { '1d': sp500 } });
    const changed = { ...sp500, close: sp500.close.slice(), high: sp500.high.slice() };
    for (let i = 340; i < 400; i++) {
      changed.close[i] = changed.close[i]! * 1.2;
      changed.high[i] = Math.max(changed.high[i]!, changed.close[i]!);
    }
    const after = await buildTrainingDataset(config, { SP500: { '1d': changed } });
    expect(after.scaler).toEqual(before.scaler);
    expect(Array.from(after.train.X)).toEqual(Array.from(before.train.X));
    expect(Array.from(after.test.X)).not.toEqual(Array.from(before.test.X));
  });

  it('splits each symbol chronologically and concatenates the pieces per part, in symbol order', async () => {
    const two = strategy({ training_data: { symbols: ['SP500', 'EURUSD'], timeframes: ['1d'], date_range: { start: '2005-01-01', end: '2016-12-31' } } });
    const eurusd = randomBars(300, { seed: 22, symbol: 'EURUSD' });
    const ds = await buildTrainingDataset(two, { SP500: { '1d': sp500 }, EURUSD: { '1d': eurusd } });
    // EURUSD: usable 14..279 = 266 rows, 266 - 40 = 226 → 158 / 33 / 35.
    expect(ds.train.segments).toEqual([
      { symbol: 'SP500', start: 0, end: 228, firstBar: 14, lastBar: 241 },
      { symbol: 'EURUSD', start: 228, end: 386, firstBar: 14, lastBar: 171 },
    ]);
    expect([ds.train.rows, ds.validation.rows, ds.test.rows]).toEqual([228 + 158, 48 + 33, 50 + 35]);
    expect(ds.test.segments[1]).toEqual({ symbol: 'EURUSD', start: 50, end: 85, firstBar: 245, lastBar: 279 });
    expect(ds.test.time[50]).toBe(eurusd.time[245]);
  });

  it('refuses a window too short for warm-up, two purges and three parts', async () => {
    const err = await buildTrainingDataset(config, { SP500: { '1d': randomBars(70, { symbol: 'SP500' }) } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeaturesError);
    expect((err as FeaturesError).reason).toBe('insufficient_rows');
    expect((err as FeaturesError).message).toMatch(/for SP500 1d/);
  });

  it('refuses a symbol without bars', async () => {
    await expect(buildTrainingDataset(config, {})).rejects.toThrow('no bars for SP500');
  });

  it('stops with CancelledError when aborted', async () => {
    const c = new AbortController();
    c.abort('Parent cancelled');
    await expect(buildTrainingDataset(config, { SP500: { '1d': sp500 } }, c.signal)).rejects.toBeInstanceOf(CancelledError);
  });

  it('lets the event loop run while it works, so a cancel arriving mid-run stops it', async () => {
    const indicators = Object.fromEntries(INDICATOR_TYPES.map((t) => [`${t}_i`, { type: t }]));
    const fuzzy_sets = Object.fromEntries(INDICATOR_TYPES.map((t) => [`f_${t}`, { indicator: `${t}_i`, g: { type: 'gaussian', parameters: [0, 100] } }]));
    const big = strategy({ indicators, fuzzy_sets, nn_inputs: Object.keys(fuzzy_sets).map((f) => ({ fuzzy_set: f })) });
    const c = new AbortController();
    // This callback can only run if the pipeline yields before it finishes (the run is far longer than one 8 ms slice).
    setImmediate(() => c.abort('Parent cancelled'));
    const err = await buildTrainingDataset(big, { SP500: { '1d': randomBars(20_000, { symbol: 'SP500' }) } }, c.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as CancelledError).message).toBe('Parent cancelled');
  });
});

describe('buildInferenceFeatures', () => {
  it("gives every bar of the window the training columns, scaled with the model's scaler, warm-up rows flagged", async () => {
    const ds = await buildTrainingDataset(config, { SP500: { '1d': sp500 } });
    const inf = await buildInferenceFeatures(config, { '1d': sp500 }, ds.scaler);
    expect(inf.names).toEqual(ds.names);
    expect(inf.rows).toBe(400);
    expect(inf.firstValidRow).toBe(14);
    expect(Array.from(inf.valid.subarray(0, 14))).toEqual(new Array(14).fill(0));
    expect(inf.valid.subarray(14).every((v) => v === 1)).toBe(true);
    // Row for bar 14 + r equals the training row r exactly (same features, same scaler).
    expect(Array.from(inf.values.subarray((14 + 5) * 3, (14 + 6) * 3))).toEqual(Array.from(ds.train.X.subarray(5 * 3, 6 * 3)));
    expect(inf.values[0]).toBeNaN();
  });

  it('refuses a scaler whose columns differ from the strategy (it changed after training)', async () => {
    const ds = await buildTrainingDataset(config, { SP500: { '1d': sp500 } });
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
