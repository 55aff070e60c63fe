import { REGIMES, regimeRowSchema, type Regime } from '@ktrdr/api-contract';
import { KtrdrError } from '@ktrdr/errors';
import { randomWalk, seeded } from './bars.fixture';
import { simulateSync } from './backtest.simulator';
import { REGIME_LOOKBACK, classifyRegimes, regimeTable } from './regimes';

describe('classifyRegimes', () => {
  // Look-back 3: bar t reads closes t−4 … t−1 (trend c[t−1]/c[t−4] − 1, volatility = sample std of
  // the three returns between them); bars 0–3 have no such history. Closes: a steady rise by 1 a bar
  // (bars 0–6), a steady fall by 1 (7–10), a volatile stretch of ±11 % swings (11–14), a fall (15–17).
  // - Bars 4–7 look back over the rise only: returns ≈ +1 % and shrinking (1/100, 1/101, …), so
  //   each trailing std (≈ 1e-4) is a little below the one before it, hence below the running median:
  //   calm; trends > 0: bull. Bar 7's own fall is not in its window (closes 103 … 106).
  // - Bars 8 and 9 look back across the top (returns +0.96 %, +0.95 %, −0.94 % and +0.95 %, −0.94 %,
  //   −0.95 %): std ≈ 0.011, a hundred times the median (≈ 1e-4): volatile; bar 8's trend 105/104 − 1
  //   > 0 is still bull, bar 9's 104/105 − 1 < 0 bear.
  // - Bars 10 and 11 see only the fall (returns ≈ −1 %, std ≈ 9e-5, below the median): bear_calm.
  //   Bar 11's own jump to 112 is not in its window.
  // - Bars 12–17 have a ±11 % swing in their window: std 0.056–0.13, while the expanding median has
  //   only reached 0.011 by bar 17: volatile. Trends: bar 12 112/104, bar 14 112/102 > 0 (bull);
  //   bar 13 100/103, bar 15 100/112, bar 16 99/100, bar 17 98/112 < 0 (bear).
  const close = [100, 101, 102, 103, 104, 105, 106, 105, 104, 103, 102, 112, 100, 112, 100, 99, 98, 97];
  const expected: (Regime | null)[] = [
    null,
    null,
    null,
    null,
    'bull_calm', // 4: 103/100 − 1 = +3 %, std 9.8e-5 (its own median)
    'bull_calm', // 5: std 9.6e-5 < median 9.7e-5
    'bull_calm', // 6
    'bull_calm', // 7
    'bull_volatile', // 8: returns +0.96 %, +0.95 %, −0.94 % → std 0.011
    'bear_volatile', // 9: trend 104/105 − 1 < 0
    'bear_calm', // 10: returns −0.94 %, −0.95 %, −0.96 % → std 9.1e-5
    'bear_calm', // 11: bar 11's own jump to 112 is not in its window
    'bull_volatile', // 12: the +9.8 % jump is now in the window; trend 112/104 − 1 > 0
    'bear_volatile', // 13
    'bull_volatile', // 14
    'bear_volatile', // 15
    'bear_volatile', // 16
    'bear_volatile', // 17
  ];

  it('labels a rise, a turn, a fall and a volatile stretch as computed by hand', () => {
    expect(classifyRegimes(close, { lookback: 3 })).toEqual(expected);
  });

  it('the first classified bar is calm (it is its own median), and bars without L + 1 closes before them are null', () => {
    const r = classifyRegimes(Float64Array.from({ length: REGIME_LOOKBACK + 3 }, (_, i) => 100 + Math.sin(i)));
    expect(r.slice(0, REGIME_LOOKBACK + 1).every((x) => x === null)).toBe(true);
    expect(r[REGIME_LOOKBACK + 1]).toMatch(/_calm$/);
    expect(classifyRegimes([100, 101, 102], { lookback: 3 })).toEqual([null, null, null]);
  });

  it('no look-ahead: changing the closes from bar k on never changes the regime of any bar up to k', () => {
    const { bars } = randomWalk(3_000, 11);
    const base = Array.from(bars.close);
    const full = classifyRegimes(base, { lookback: 20 });
    const rnd = seeded(5);
    for (const k of [21, 22, 100, 1_234, 2_999]) {
      const changed = base.map((c, i) => (i >= k ? c * (0.5 + rnd()) : c));
      const again = classifyRegimes(changed, { lookback: 20 });
      expect(again.slice(0, k + 1)).toEqual(full.slice(0, k + 1));
      // And the same as classifying only the history up to k.
      expect(classifyRegimes(base.slice(0, k + 1), { lookback: 20 })).toEqual(full.slice(0, k + 1));
    }
    // The changes did move later bars (the test would pass vacuously otherwise).
    const moved = classifyRegimes(
      base.map((c, i) => (i >= 1_500 ? c * (i % 2 ? 1.2 : 0.8) : c)),
      { lookback: 20 },
    );
    expect(moved.slice(1_501)).not.toEqual(full.slice(1_501));
  });

  it('every label of a long walk is one of the four regimes, and all four occur', () => {
    const r = classifyRegimes(randomWalk(5_000, 3).bars.close);
    expect(new Set(r.filter((x) => x !== null))).toEqual(new Set(REGIMES));
  });

  it('refuses a look-back below 2 and non-positive closes', () => {
    expect(() => classifyRegimes(close, { lookback: 1 })).toThrow(KtrdrError);
    expect(() => classifyRegimes(close, { lookback: 2.5 })).toThrow(/lookback/);
    expect(() => classifyRegimes([100, 0, 101])).toThrow(/prices must be positive/);
  });
});

describe('regimeTable', () => {
  // Five bars, regimes given; the equity is chosen so the per-bar returns are round numbers.
  const equity = [990, 1039.5, 1039.5, 1143.45, 1029.105];
  // r0 = 990/1000 − 1 = −0.01 (against the initial capital); r1 = 1039.5/990 − 1 = +0.05; r2 = 0; r3 = 1143.45/1039.5 − 1 = +0.10; r4 = 1029.105/1143.45 − 1 = −0.10.
  const close = [100, 110, 99, 99, 89.1];
  // Buy-and-hold close to close: bar 0 has no previous close (0); +0.10, −0.10, 0, −0.10.
  const regimes: (Regime | null)[] = ['bear_calm', 'bull_calm', 'bear_volatile', 'bull_calm', 'bear_volatile'];
  const inPosition = [0, 1, 0, -1, true];
  const rows = regimeTable({ close, equity, initialCapital: 1000, inPosition, barsPerYear: 4, regimes });

  it('per regime: bars, share, compounded return, annualised Sharpe, buy-and-hold and exposure, by hand', () => {
    expect(rows.map((r) => r.regime)).toEqual(['bull_calm', 'bear_calm', 'bear_volatile']); // REGIMES order, only those present
    const [bullCalm, bearCalm, bearVolatile] = rows;
    // bull_calm: bars 1 and 3, r = +0.05, +0.10: 1.05 × 1.10 − 1 = 0.155; mean 0.075, sample std
    // √((0.025² + 0.025²) / 1) = 0.025√2, Sharpe 0.075 / (0.025√2) × √4 = 3√2; buy-and-hold
    // 1.10 × 1.00 − 1 = 0.10; a position in both (−1, a short, counts): exposure 1.
    expect(bullCalm!.bars).toBe(2);
    expect(bullCalm!.share).toBeCloseTo(2 / 5, 12);
    expect(bullCalm!.total_return).toBeCloseTo(0.155, 12);
    expect(bullCalm!.sharpe_ratio).toBeCloseTo(3 * Math.SQRT2, 9);
    expect(bullCalm!.benchmark_return).toBeCloseTo(0.1, 12);
    expect(bullCalm!.exposure).toBe(1);
    // bear_calm: bar 0 alone, r0 = −0.01 against the initial capital; one bar → Sharpe 0; no previous close → buy-and-hold 0; flat.
    expect(bearCalm).toEqual({
      regime: 'bear_calm',
      bars: 1,
      share: 1 / 5,
      total_return: expect.closeTo(-0.01, 12),
      sharpe_ratio: 0,
      benchmark_return: 0,
      exposure: 0,
    });
    // bear_volatile: bars 2 and 4, r = 0, −0.10: −0.10; mean −0.05, std 0.05√2, Sharpe −(1/√2) × 2 = −√2;
    // buy-and-hold 0.9 × 0.9 − 1 = −0.19; a position in bar 4 only (true): 0.5.
    expect(bearVolatile!.total_return).toBeCloseTo(-0.1, 12);
    expect(bearVolatile!.sharpe_ratio).toBeCloseTo(-Math.SQRT2, 9);
    expect(bearVolatile!.benchmark_return).toBeCloseTo(-0.19, 12);
    expect(bearVolatile!.exposure).toBe(0.5);
    for (const r of rows) expect(regimeRowSchema.parse(r)).toEqual(r);
  });

  it('unclassified bars count nowhere; a flat stretch has Sharpe 0; no classified bar is an empty table', () => {
    const t = regimeTable({
      close,
      equity: [1000, 1000, 1000, 1100, 1100],
      initialCapital: 1000,
      inPosition: [0, 0, 0, 1, 1],
      barsPerYear: 252,
      regimes: [null, 'bull_calm', 'bull_calm', null, 'bear_calm'],
    });
    expect(t).toEqual([
      { regime: 'bull_calm', bars: 2, share: 2 / 3, total_return: 0, sharpe_ratio: 0, benchmark_return: expect.closeTo(-0.01, 12), exposure: 0 },
      { regime: 'bear_calm', bars: 1, share: 1 / 3, total_return: 0, sharpe_ratio: 0, benchmark_return: expect.closeTo(-0.1, 12), exposure: 1 },
    ]);
    expect(regimeTable({ close, equity, initialCapital: 1000, inPosition, barsPerYear: 4, regimes: [null, null, null, null, null] })).toEqual([]);
  });

  it('classifies the closes itself when no regimes are given; over a simulation the rows compound to the classified stretch', () => {
    const { bars, signals } = randomWalk(4_000, 21, 0.02);
    const run = simulateSync({ bars, signals, positionMode: 'long_short', initialCapital: 100_000, commission: 0.001, slippage: 0.0005 });
    const rows = regimeTable({ close: bars.close, equity: run.equity, initialCapital: 100_000, inPosition: run.position, barsPerYear: 8766, lookback: 30 });
    const labels = classifyRegimes(bars.close, { lookback: 30 });
    for (const r of rows) expect(r.bars).toBe(labels.filter((x) => x === r.regime).length);
    expect(rows.reduce((a, r) => a + r.bars, 0)).toBe(4_000 - 31);
    expect(rows.reduce((a, r) => a + r.share, 0)).toBeCloseTo(1, 12);
    // Every classified bar is in exactly one row, so the rows' growth multiplies to the curve's from bar 30 to the end.
    expect(rows.reduce((g, r) => g * (1 + r.total_return), 1)).toBeCloseTo(run.equity[3_999]! / run.equity[30]!, 9);
    expect(rows.reduce((g, r) => g * (1 + r.benchmark_return), 1)).toBeCloseTo(bars.close[3_999]! / bars.close[30]!, 9);
    const exposed = labels.reduce((a, x, i) => a + (x !== null && run.position[i] !== 0 ? 1 : 0), 0);
    expect(rows.reduce((a, r) => a + r.exposure * r.bars, 0)).toBeCloseTo(exposed, 9);
  });

  it('refuses inputs of different lengths', () => {
    expect(() => regimeTable({ close, equity: equity.slice(1), initialCapital: 1000, inPosition, barsPerYear: 4, regimes })).toThrow(
      /4 equity points for 5 closes/,
    );
    expect(() => regimeTable({ close, equity, initialCapital: 1000, inPosition: [0], barsPerYear: 4, regimes })).toThrow(KtrdrError);
    expect(() => regimeTable({ close, equity, initialCapital: 1000, inPosition, barsPerYear: 4, regimes: regimes.slice(1) })).toThrow(/4 regimes/);
  });
});
