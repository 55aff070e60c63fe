import { INDICATOR_CATALOGUE, INDICATOR_TYPES, TIMEFRAME_MS } from '@ktrdr/agent-domain';
import { ErrorCode } from '@ktrdr/errors';
import { buildFeatureMatrix, featureColumns, featureNames } from './feature.matrix.js';
import { FeaturesError } from './features.error.js';
import type { FeatureMatrix } from './features.types.js';
import { membership } from './fuzzy.membership.js';
import { computeIndicator } from './indicator.engine.js';
import { alignToBase } from './timeframe.align.js';
import { aggregate, head, randomBars, strategy } from './testing.fixtures.js';

const H = TIMEFRAME_MS['1h'];
const tri = (a: number, b: number, c: number) => ({ type: 'triangular' as const, parameters: [a, b, c] as [number, number, number] });

/** 1h + 4h: RSI and MACD histogram on both, ATR% on 4h only. */
const twoTimeframes = (): ReturnType<typeof strategy> =>
  strategy({
    training_data: { symbols: ['TEST'], timeframes: ['4h', '1h'], date_range: { start: '2015-01-01', end: '2016-01-01' } },
    indicators: {
      rsi_7: { type: 'rsi', period: 7 },
      macd_fast: { type: 'macd', fast_period: 4, slow_period: 9, signal_period: 3 },
      atr_5: { type: 'atr', period: 5 },
    },
    fuzzy_sets: {
      rsi_7: { indicator: 'rsi_7', low: tri(0, 25, 50), high: tri(50, 75, 100) },
      macd_h: {
        indicator: 'macd_fast.histogram',
        neg: { type: 'gaussian', parameters: [-0.005, 0.005] },
        pos: { type: 'gaussian', parameters: [0.005, 0.005] },
      },
      atr_pct: { indicator: 'atr_5.percent', calm: { type: 'trapezoidal', parameters: [0, 0, 0.01, 0.03] } },
    },
    nn_inputs: [
      { fuzzy_set: 'rsi_7', timeframes: 'all' },
      { fuzzy_set: 'macd_h', timeframes: ['1h', '4h'] },
      { fuzzy_set: 'atr_pct', timeframes: ['4h'] },
      { fuzzy_set: 'rsi_7', timeframes: ['1h'] },
    ],
  });

function row(m: FeatureMatrix, r: number): number[] {
  return Array.from(m.values.subarray(r * m.cols, (r + 1) * m.cols));
}

describe('featureColumns', () => {
  it('orders columns by nn_input, then timeframe, then membership set, and keeps a repeated column once', () => {
    expect(featureNames(twoTimeframes())).toEqual([
      'rsi_7.low@4h',
      'rsi_7.high@4h',
      'rsi_7.low@1h',
      'rsi_7.high@1h',
      'macd_h.neg@1h',
      'macd_h.pos@1h',
      'macd_h.neg@4h',
      'macd_h.pos@4h',
      'atr_pct.calm@4h',
    ]);
    const macd = featureColumns(twoTimeframes()).find((c) => c.name === 'macd_h.pos@4h')!;
    expect(macd).toMatchObject({ indicatorId: 'macd_fast', output: 'histogram', timeframe: '4h', set: 'pos' });
  });

  it('uses the default output when the fuzzy set names only the indicator', () => {
    const c = featureColumns(
      strategy({ fuzzy_sets: { s: { indicator: 'sma_fast', near: tri(-0.01, 0, 0.01) } }, nn_inputs: [{ fuzzy_set: 's', timeframes: 'all' }] }),
    );
    expect(c).toEqual([expect.objectContaining({ name: 's.near@1d', indicatorId: 'sma_fast', output: 'distance' })]);
  });
});

describe('alignToBase', () => {
  it('maps each 1h bar to the last 4h bar closed by the end of that 1h bar', () => {
    const base = Float64Array.from({ length: 12 }, (_, i) => i * H);
    const higher = Float64Array.from([0, 4 * H, 8 * H]);
    // The 00:00 4h bar closes at 04:00, the end of the 03:00 1h bar.
    expect(Array.from(alignToBase(base, H, higher, 4 * H))).toEqual([-1, -1, -1, 0, 0, 0, 0, 1, 1, 1, 1, 2]);
  });

  it('never uses a higher bar that is still open, even one present in the data', () => {
    const base = Float64Array.from([0, H]);
    expect(Array.from(alignToBase(base, H, Float64Array.from([0]), 4 * H))).toEqual([-1, -1]);
  });
});

describe('buildFeatureMatrix', () => {
  const oneHour = randomBars(640, { seed: 5, timeframe: '1h', vol: 0.006 });
  const bars = { '1h': oneHour, '4h': aggregate(oneHour, '4h') };

  it('builds rows over the base timeframe with the right shape, time and validity', async () => {
    const config = twoTimeframes();
    const m = await buildFeatureMatrix(config, bars);
    expect(m.rows).toBe(640);
    expect(m.cols).toBe(9);
    expect(m.values).toHaveLength(640 * 9);
    expect(Array.from(m.time)).toEqual(Array.from(oneHour.time));
    expect(m.firstValidRow).toBeGreaterThan(0);
    for (let r = 0; r < m.rows; r++) expect(m.valid[r]).toBe(row(m, r).some(Number.isNaN) ? 0 : 1);
    expect(m.valid[m.firstValidRow]).toBe(1);
    expect(m.valid[m.firstValidRow - 1]).toBe(0);
    for (const v of m.values) if (!Number.isNaN(v)) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('takes a 4h value from the last completed 4h bar: membership of the 4h indicator at that bar', async () => {
    const config = twoTimeframes();
    const m = await buildFeatureMatrix(config, bars);
    const rsi4h = (await computeIndicator(bars['4h'], config.indicators.rsi_7!)).value!;
    const col = m.names.indexOf('rsi_7.high@4h');
    // 1h row 403 (03:00 of 4h bar 100) closes with 4h bar 100; rows 400-402 still see bar 99.
    for (const [r, j] of [
      [400, 99],
      [402, 99],
      [403, 100],
      [406, 100],
      [407, 101],
    ] as const) {
      expect(m.values[r * m.cols + col]).toBeCloseTo(membership(rsi4h[j]!, tri(50, 75, 100)), 6);
    }
  });

  it('has no look-ahead across two timeframes: cut at 1h bar k (4h rebuilt, partial bar included), rows <= k are identical', async () => {
    const config = twoTimeframes();
    const full = await buildFeatureMatrix(config, bars);
    let compared = 0;
    for (const k of [60, 201, 202, 203, 333, 514, 639]) {
      const cut1h = head(oneHour, k + 1);
      const cut = await buildFeatureMatrix(config, { '1h': cut1h, '4h': aggregate(cut1h, '4h') });
      expect(cut.rows).toBe(k + 1);
      expect(Array.from(cut.values)).toEqual(Array.from(full.values.subarray(0, (k + 1) * full.cols)));
      expect(Array.from(cut.valid)).toEqual(Array.from(full.valid.subarray(0, k + 1)));
      compared += cut.valid.reduce((a, b) => a + b, 0);
    }
    expect(compared).toBeGreaterThan(1000); // the rows compared include many complete ones
  });

  it('has no look-ahead for all 12 indicator types and all their outputs', async () => {
    const daily = randomBars(260, { seed: 9 });
    const indicators: Record<string, unknown> = Object.fromEntries(INDICATOR_TYPES.map((t) => [`${t}_i`, { type: t }]));
    const fuzzy_sets: Record<string, unknown> = {};
    for (const t of INDICATOR_TYPES) {
      for (const output of INDICATOR_CATALOGUE[t].outputs) {
        // A wide gaussian so every finite value maps to a distinct, non-zero membership.
        fuzzy_sets[`${t}_${output}`] = { indicator: `${t}_i.${output}`, g: { type: 'gaussian', parameters: [0, 1000] } };
      }
    }
    const config = strategy({ indicators, fuzzy_sets, nn_inputs: Object.keys(fuzzy_sets).map((f) => ({ fuzzy_set: f, timeframes: 'all' as const })) });
    const full = await buildFeatureMatrix(config, { '1d': daily });
    expect(full.cols).toBe(INDICATOR_TYPES.reduce((n, t) => n + INDICATOR_CATALOGUE[t].outputs.length, 0));
    for (const k of [10, 40, 120, 259]) {
      const cut = await buildFeatureMatrix(config, { '1d': head(daily, k + 1) });
      expect(Array.from(cut.values)).toEqual(Array.from(full.values.subarray(0, (k + 1) * full.cols)));
    }
    expect(full.firstValidRow).toBeGreaterThan(0);
  });

  it('refuses a missing timeframe with NO_MARKET_DATA', async () => {
    const err = await buildFeatureMatrix(twoTimeframes(), { '1h': oneHour }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeaturesError);
    expect((err as FeaturesError).code).toBe(ErrorCode.NoMarketData);
    expect((err as FeaturesError).message).toBe("no 4h bars for TEST: the strategy's features need them");
  });
});
