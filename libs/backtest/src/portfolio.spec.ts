import { backtestResultSchema } from '@ktrdr/agent-domain';
import { KtrdrError } from '@ktrdr/errors';
import type { Bars } from '@ktrdr/market-data';
import { barsOf, firstDifference, randomWalk } from './bars.fixture';
import { barsPerYear, metrics } from './backtest.metrics';
import { simulateSync } from './backtest.simulator';
import { equityArtifact } from './equity.artifact';
import { combineSleeves, portfolioMetrics, unionTimes, type Sleeve } from './portfolio';
import type { PositionMode, SimulationOptions } from './simulation.types';

const C = 10_000;
const DAY = 86_400_000;
const JAN1 = Date.UTC(2024, 0, 1);
const day = (i: number): number => JAN1 + i * DAY;
const iso = (i: number): string => new Date(day(i)).toISOString();

/** A sleeve of half the capital, no costs, long only. */
function sleeve(
  symbol: string,
  rows: ReadonlyArray<readonly [number, number]>,
  signals: number[],
  days?: number[],
  opts: Partial<SimulationOptions> = {},
): Sleeve {
  const bars: Bars = { ...barsOf(rows, days ? { times: days.map(day) } : {}), symbol };
  const result = simulateSync({
    positionMode: 'long_only',
    initialCapital: C / 2,
    commission: 0,
    slippage: 0,
    ...opts,
    bars,
    signals: Int8Array.from(signals),
  });
  return { bars, result };
}

describe('combineSleeves', () => {
  // FLAT never trades; DOUBLE is long from bar 1's open at 100 (50 shares): 5000, 7500, 5000, 10000.
  const flat = sleeve(
    'FLAT',
    [
      [100, 100],
      [100, 100],
      [100, 100],
      [100, 100],
    ],
    [0, 0, 0, 0],
  );
  const double = sleeve(
    'DOUBLE',
    [
      [100, 100],
      [100, 150],
      [150, 100],
      [100, 200],
    ],
    [1, 0, 0, 0],
  );

  it('a flat sleeve and a doubling one: the sum of their equity, with the return and drawdown of the sum', () => {
    const p = combineSleeves([flat, double]);
    expect(Array.from(p.result.equity)).toEqual([10_000, 12_500, 10_000, 15_000]);
    const m = metrics(p.axis, p.result);
    expect(m.total_return).toBeCloseTo(0.5, 12); // 5000 + 10000 on 10000
    expect(m.max_drawdown).toBeCloseTo(0.2, 12); // 12500 → 10000
    expect([m.max_drawdown_peak, m.max_drawdown_trough]).toEqual([iso(1), iso(2)]);
    expect(m.initial_capital).toBe(C);
    expect(m.final_equity).toBeCloseTo(15_000, 9);
    // Buy-and-hold: FLAT's stays at 5000, DOUBLE's is 5000, 7500, 5000, 10000 (bought at the first open).
    expect(m.benchmark_return).toBeCloseTo(0.5, 12);
    expect(m.benchmark_max_drawdown).toBeCloseTo(0.2, 12);
    expect(m.exposure).toBeCloseTo(3 / 8, 12); // DOUBLE holds on 3 of 4 bars, FLAT on none
    expect(m.symbol).toBe('FLAT,DOUBLE');
    expect([m.bars, m.equity_curve_length, m.start, m.end]).toEqual([4, 4, iso(0), iso(3)]);
    // Sharpe from the combined curve's per-bar returns: 0, +25 %, −20 %, +50 %, 365.25 bars a year.
    const r = [0, 0.25, -0.2, 0.5];
    const mean = r.reduce((a, v) => a + v, 0) / 4;
    const std = Math.sqrt(r.reduce((a, v) => a + (v - mean) ** 2, 0) / 3);
    expect(barsPerYear(p.axis)).toBeCloseTo(365.25, 9);
    expect(m.sharpe_ratio).toBeCloseTo((mean / std) * Math.sqrt(365.25), 9);
    expect(m.sortino_ratio).toBeCloseTo((mean / Math.sqrt(0.04 / 4)) * Math.sqrt(365.25), 9);
  });

  it('different calendars: the union of bar times, each sleeve carried forward between its own bars and cash before its first', () => {
    // A trades Jan 1–5, long from Jan 2 at 100 (50 shares); B trades Jan 2, 4 and 6, long from Jan 4 at 10 (500 shares).
    const a = sleeve(
      'A',
      [
        [100, 100],
        [100, 110],
        [110, 120],
        [120, 90],
        [90, 100],
      ],
      [1, 0, 0, 0, 0],
      [0, 1, 2, 3, 4],
    );
    const b = sleeve(
      'B',
      [
        [10, 10],
        [10, 20],
        [20, 15],
      ],
      [1, 0, 0],
      [1, 3, 5],
    );
    expect(Array.from(a.result.equity)).toEqual([5000, 5500, 6000, 4500, 5000]);
    expect(Array.from(b.result.equity)).toEqual([5000, 10_000, 7500]);
    const p = combineSleeves([a, b]);
    expect(Array.from(p.axis.time)).toEqual([0, 1, 2, 3, 4, 5].map(day));
    //                                    Jan 1        Jan 2        Jan 3        Jan 4         Jan 5         Jan 6
    expect(Array.from(p.result.equity)).toEqual([5000 + 5000, 5500 + 5000, 6000 + 5000, 4500 + 10_000, 5000 + 10_000, 5000 + 7500]);
    const m = metrics(p.axis, p.result);
    expect(m.total_return).toBeCloseTo(0.25, 12);
    expect(m.max_drawdown).toBeCloseTo(2500 / 15_000, 12);
    expect([m.max_drawdown_peak, m.max_drawdown_trough]).toEqual([iso(4), iso(5)]);
    // Sleeves holding a position per day: 0, 1 (A), 1 (A; B flat carried), 2, 2 (B carried), 1 (B; A is done): 7 of 12 sleeve-days.
    expect(m.exposure).toBeCloseTo(7 / 12, 12);
    // Buy-and-hold: A bought at 100 (50 shares), B at 10 (500 shares), B in cash on Jan 1.
    expect(Array.from(p.result.benchmark)).toEqual([10_000, 10_500, 11_000, 4500 + 10_000, 5000 + 10_000, 5000 + 7500]);
  });

  it('unionTimes merges sorted series, each shared time once', () => {
    const f = (...v: number[]): Float64Array => Float64Array.from(v);
    expect(Array.from(unionTimes([f(1, 3, 5), f(2, 3, 6), f(3)]))).toEqual([1, 2, 3, 5, 6]);
    expect(Array.from(unionTimes([f(4, 7)]))).toEqual([4, 7]);
  });

  it("pools every sleeve's trades: counts, win rate and profit factor over all of them, each trade naming its symbol", () => {
    // Three long round trips open to open on 5000: +10 %, −10 %, +10 % → +500, −550, +495.
    const three = sleeve(
      'THREE',
      [
        [100, 100],
        [100, 100],
        [110, 110],
        [110, 110],
        [99, 99],
        [99, 99],
        [108.9, 108.9],
      ],
      [1, -1, 1, -1, 1, -1, 0],
    );
    // One long bought at 100, sold at 80: −1000.
    const one = sleeve(
      'ONE',
      [
        [100, 100],
        [100, 100],
        [80, 80],
      ],
      [1, -1, 0],
    );
    const p = combineSleeves([three, one]);
    const m = portfolioMetrics([three, one], p);
    expect(m.total_trades).toBe(4);
    expect(m.win_rate).toBeCloseTo(2 / 4, 12);
    expect(m.profit_factor).toBeCloseTo((500 + 495) / (550 + 1000), 9);
    expect(p.result.trades.map((t) => [t.symbol, t.entry_time])).toEqual([
      ['THREE', day(1)],
      ['ONE', day(1)],
      ['THREE', day(3)],
      ['THREE', day(5)],
    ]);
    expect(m.per_symbol!.map((s) => [s.symbol, s.total_trades, s.bars, s.initial_capital])).toEqual([
      ['THREE', 3, 7, C / 2],
      ['ONE', 1, 3, C / 2],
    ]);
    expect(m.per_symbol!.reduce((a, s) => a + s.total_trades, 0)).toBe(m.total_trades);
    expect(m.per_symbol![1]!.total_return).toBeCloseTo(-0.2, 12);
    expect(m.per_symbol![1]!.profit_factor).toBe(0);
    expect(backtestResultSchema.parse(m)).toEqual(m);

    const art = equityArtifact(p.axis, p.result);
    expect(art.trades.map((t) => t.symbol)).toEqual(['THREE', 'ONE', 'THREE', 'THREE']);
    expect(art.t).toHaveLength(7);
    expect(art.equity[6]).toBeCloseTo(m.final_equity, 9);
  });

  it('the portfolio ends at the sum of its sleeves, trades and all, on long random walks', () => {
    const sleeves: Sleeve[] = [3000, 5000, 4000].map((n, i) => {
      const { bars, signals } = randomWalk(n, 11 + i, 0.02);
      const shifted = { ...bars, symbol: `W${i}`, time: bars.time.map((t) => t + i * 1_200_000) }; // 20-minute offsets: disjoint calendars
      return {
        bars: shifted,
        result: simulateSync({ bars: shifted, signals, positionMode: 'long_short', initialCapital: C / 3, commission: 0.0005, slippage: 0.0002 }),
      };
    });
    const m = portfolioMetrics(sleeves);
    expect(m.bars).toBe(12_000);
    expect(m.final_equity).toBeCloseTo(
      m.per_symbol!.reduce((a, s) => a + s.final_equity, 0),
      6,
    );
    expect(m.total_trades).toBe(m.per_symbol!.reduce((a, s) => a + s.total_trades, 0));
    expect(m.total_trades).toBeGreaterThan(100);
    // Every sleeve pays its own costs; the portfolio's are their sum.
    const own = sleeves.map((s) => metrics(s.bars, s.result));
    expect(m.costs_paid).toBeCloseTo(
      own.reduce((a, x) => a + x.costs_paid!, 0),
      6,
    );
    expect(m.commission_paid).toBeCloseTo(
      own.reduce((a, x) => a + x.commission_paid!, 0),
      6,
    );
    expect(m.costs_paid!).toBeGreaterThan(m.commission_paid!);
  });

  it('refuses sleeves on different timeframes, and no sleeves at all', () => {
    const hourly: Sleeve = { ...flat, bars: { ...flat.bars, timeframe: '1h' } };
    expect(() => combineSleeves([flat, hourly])).toThrow(KtrdrError);
    expect(() => combineSleeves([])).toThrow(/no sleeves/);
  });
});

describe('one sleeve is the sleeve itself', () => {
  it.each<[PositionMode, number]>([
    ['long_only', 1],
    ['long_short', 2],
  ])('%s: the same metrics, curves, statistics and equity artifact, bit for bit', (positionMode, seed) => {
    const { bars, signals } = randomWalk(50_000, seed, 0.02);
    const result = simulateSync({ bars, signals, positionMode, initialCapital: 100_000, commission: 0.001, slippage: 0.0005 });
    const p = combineSleeves([{ bars, result }]);
    expect(firstDifference(p.axis.time, bars.time)).toBe(-1);
    expect(firstDifference(p.result.equity, result.equity)).toBe(-1);
    expect(firstDifference(p.result.benchmark, result.benchmark)).toBe(-1);
    expect(p.result.stats).toEqual(result.stats);
    expect(p.result.trades).toEqual(result.trades);
    expect(result.trades.length).toBeGreaterThan(100);

    const own = metrics(bars, result);
    const combined = portfolioMetrics([{ bars, result }]);
    expect(combined).toEqual(own);
    expect(combined.per_symbol).toBeUndefined();
    expect(equityArtifact(p.axis, p.result, 500)).toEqual(equityArtifact(bars, result, 500));
  });
});
