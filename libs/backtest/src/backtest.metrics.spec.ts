import { backtestResultSchema } from '@ktrdr/agent-domain';
import { barsOf } from './bars.fixture';
import { YEAR_MS, barsPerYear, metrics } from './backtest.metrics';
import { simulateSync } from './backtest.simulator';
import type { SimulationOptions } from './simulation.types';

const C = 10_000;
const free: SimulationOptions = { positionMode: 'long_only', initialCapital: C, commission: 0, slippage: 0 };
const sig = (...v: number[]): Int8Array => Int8Array.from(v);

/** Sample statistics computed the plain two-pass way, independently of the simulation's running sums. */
function reference(equity: Float64Array, perYear: number): { volatility: number; sharpe: number; sortino: number } {
  const r = Array.from(equity, (e, i) => e / (i === 0 ? C : equity[i - 1]!) - 1);
  const mean = r.reduce((a, v) => a + v, 0) / r.length;
  const std = Math.sqrt(r.reduce((a, v) => a + (v - mean) ** 2, 0) / (r.length - 1));
  const downside = Math.sqrt(r.reduce((a, v) => a + Math.min(v, 0) ** 2, 0) / r.length);
  return { volatility: std * Math.sqrt(perYear), sharpe: (mean / std) * Math.sqrt(perYear), sortino: (mean / downside) * Math.sqrt(perYear) };
}

describe('metrics', () => {
  // Long from bar 1's open at 100 with no costs: 100 shares, so equity = 100 × close.
  const ddBars = barsOf([
    [100, 100],
    [100, 100],
    [100, 120],
    [120, 90],
    [90, 130],
    [130, 110],
    [110, 125],
  ]);
  const ddRun = simulateSync({ ...free, bars: ddBars, signals: sig(1, 0, 0, 0, 0, 0, 0) });

  it('max drawdown, its peak and trough dates, on a crafted curve', () => {
    expect(Array.from(ddRun.equity)).toEqual([10_000, 10_000, 12_000, 9_000, 13_000, 11_000, 12_500]);
    const m = metrics(ddBars, ddRun);
    expect(m.max_drawdown).toBeCloseTo(0.25, 12); // 12000 → 9000 beats 13000 → 11000 (15.4 %)
    expect(m.max_drawdown_peak).toBe('2024-01-03T00:00:00.000Z');
    expect(m.max_drawdown_trough).toBe('2024-01-04T00:00:00.000Z');
    expect(m.total_return).toBeCloseTo(0.25, 12);
    expect(m.final_equity).toBeCloseTo(12_500, 9);
    expect(m.exposure).toBeCloseTo(6 / 7, 12);
    expect(m.benchmark_return).toBeCloseTo(0.25, 12); // bought at the first open, 100, no costs
    expect(m.benchmark_max_drawdown).toBeCloseTo(0.25, 12);
    expect(m.equity_curve_length).toBe(7);
    expect([m.start, m.end, m.bars]).toEqual(['2024-01-01T00:00:00.000Z', '2024-01-07T00:00:00.000Z', 7]);
  });

  it('a single winning trade (closed at the end): win rate 1, profit factor null', () => {
    const m = metrics(ddBars, ddRun);
    expect(m.total_trades).toBe(1);
    expect(m.win_rate).toBe(1);
    expect(m.profit_factor).toBeNull();
  });

  it('annualised volatility, Sharpe and Sortino from per-bar returns, with bars per year observed from the window', () => {
    const m = metrics(ddBars, ddRun);
    const perYear = 6 / ((6 * 86_400_000) / YEAR_MS); // 6 intervals over 6 days: 365.25 bars a year
    expect(barsPerYear(ddBars)).toBeCloseTo(365.25, 9);
    const ref = reference(ddRun.equity, perYear);
    expect(m.volatility).toBeCloseTo(ref.volatility, 9);
    expect(m.sharpe_ratio).toBeCloseTo(ref.sharpe, 9);
    expect(m.sortino_ratio).toBeCloseTo(ref.sortino, 9);
    expect(m.cagr).toBeCloseTo(1.25 ** (YEAR_MS / (6 * 86_400_000)) - 1, 3);
  });

  it('CAGR over the calendar span; no losing bar gives Sortino 0', () => {
    const t0 = Date.UTC(2021, 0, 1);
    const bars = barsOf(
      [
        [100, 100],
        [100, 150],
        [150, 200],
      ],
      { times: [t0, t0 + YEAR_MS / 2, t0 + YEAR_MS] },
    );
    const m = metrics(bars, simulateSync({ ...free, bars, signals: sig(1, 0, 0) }));
    expect(m.total_return).toBeCloseTo(1, 12); // 100 → 200 in exactly one year
    expect(m.cagr).toBeCloseTo(1, 12);
    const r = [0, 0.5, 1 / 3];
    const mean = (0.5 + 1 / 3) / 3;
    const std = Math.sqrt(r.reduce((a, v) => a + (v - mean) ** 2, 0) / 2);
    expect(m.sharpe_ratio).toBeCloseTo((mean / std) * Math.sqrt(2), 10); // 2 bars per year
    expect(m.sortino_ratio).toBe(0);
  });

  it('win rate and profit factor over winners and a loser', () => {
    // Three long round trips, open to open: +10 %, −10 %, +10 %.
    const bars = barsOf([
      [100, 100],
      [100, 100],
      [110, 110],
      [110, 110],
      [99, 99],
      [99, 99],
      [108.9, 108.9],
    ]);
    const r = simulateSync({ ...free, bars, signals: sig(1, -1, 1, -1, 1, -1, 0) });
    expect(r.trades.map((t) => Math.round(t.pnl * 1e6) / 1e6)).toEqual([1000, -1100, 990]);
    const m = metrics(bars, r);
    expect(m.total_trades).toBe(3);
    expect(m.win_rate).toBeCloseTo(2 / 3, 12);
    expect(m.profit_factor).toBeCloseTo((1000 + 990) / 1100, 9);
    expect(m.total_return).toBeCloseTo(0.089, 9);
  });

  it('zero trades and a flat curve: every ratio 0, no drawdown dates, profit factor null', () => {
    const bars = barsOf([
      [100, 101],
      [101, 102],
      [102, 103],
    ]);
    const m = metrics(bars, simulateSync({ ...free, bars, signals: sig(0, 0, 1) }));
    expect(m).toMatchObject({
      total_trades: 0,
      win_rate: 0,
      profit_factor: null,
      total_return: 0,
      cagr: 0,
      volatility: 0,
      sharpe_ratio: 0,
      sortino_ratio: 0,
      max_drawdown: 0,
      max_drawdown_peak: null,
      max_drawdown_trough: null,
      exposure: 0,
      final_equity: C,
    });
    expect(m.benchmark_return).toBeCloseTo(0.03, 12);
  });

  it('keeps every number finite where the maths would overflow, and fits the domain schema', () => {
    // Price doubles within one minute: the annualised growth is 2^525960, beyond a double.
    const t0 = Date.UTC(2024, 0, 1);
    const bars = barsOf(
      [
        [100, 100],
        [100, 200],
      ],
      { times: [t0, t0 + 60_000], timeframe: '1m' },
    );
    const m = metrics(bars, simulateSync({ ...free, bars, signals: sig(1, 0) }));
    expect(m.cagr).toBe(Number.MAX_VALUE);
    expect(backtestResultSchema.parse(m)).toEqual(m);
  });

  it('a single bar: bars per year from the timeframe, no returns to annualise', () => {
    expect(barsPerYear(barsOf([[1, 1]], { timeframe: '1h' }))).toBeCloseTo(8766, 9);
    const bars = barsOf([[100, 110]]);
    const m = metrics(bars, simulateSync({ ...free, bars, signals: sig(1) }));
    expect([m.sharpe_ratio, m.cagr, m.total_trades, m.total_return]).toEqual([0, 0, 0, 0]);
    expect(m.benchmark_return).toBeCloseTo(0.1, 12);
  });
});

describe('costs_paid: commission plus slippage on every leg', () => {
  it('one long round trip, by hand', () => {
    // BUY at bar 0 fills at bar 1's open 101 × (1 + s); SELL at bar 2 fills at bar 3's open 106 × (1 − s).
    const c = 0.001;
    const s = 0.002;
    const bars = barsOf([
      [100, 100],
      [101, 102],
      [103, 105],
      [106, 104],
      [104, 103],
    ]);
    const r = simulateSync({ bars, signals: sig(1, 0, -1, 0, 0), positionMode: 'long_only', initialCapital: C, commission: c, slippage: s });
    const entry = 101 * (1 + s); // 101.202
    const exit = 106 * (1 - s); // 105.788
    const qty = C / (entry * (1 + c)); // 98.7136 shares
    const commission = qty * entry * c + qty * exit * c; // 20.4327
    const slippage = qty * (entry - 101) + qty * (106 - exit); // qty × (0.202 + 0.212) = 40.8674
    expect(r.trades[0]!.slippage_cost).toBeCloseTo(slippage, 9);
    const m = metrics(bars, r);
    expect(m.commission_paid).toBeCloseTo(commission, 9);
    expect(m.costs_paid).toBeCloseTo(commission + slippage, 9);
    expect(m.costs_paid).toBeCloseTo(61.30013540934275, 8);
    // Without costs the same trade fills at the opens and pays nothing.
    const free0 = metrics(bars, simulateSync({ ...free, bars, signals: sig(1, 0, -1, 0, 0) }));
    expect([free0.commission_paid, free0.costs_paid]).toEqual([0, 0]);
  });

  it('a short flipped long, and a position closed at the last close: every leg against its own reference price', () => {
    const c = 0.0005;
    const s = 0.001;
    const bars = barsOf([
      [100, 100],
      [100, 98],
      [95, 97],
      [97, 99],
      [99, 104],
    ]);
    // SELL at 0 → short at bar 1's open 100; BUY at 2 → cover and go long at bar 3's open 97; still long at the end → sold at the last close 104.
    const r = simulateSync({ bars, signals: sig(-1, 0, 1, 0, 0), positionMode: 'long_short', initialCapital: C, commission: c, slippage: s });
    expect(r.trades.map((t) => [t.side, t.open_at_end])).toEqual([
      ['short', false],
      ['long', true],
    ]);
    const [short, long] = r.trades;
    expect(short!.slippage_cost).toBeCloseTo(short!.quantity * (100 * s + 97 * s), 9);
    expect(long!.slippage_cost).toBeCloseTo(long!.quantity * (97 * s + 104 * s), 9);
    const m = metrics(bars, r);
    expect(m.costs_paid).toBeCloseTo(short!.fees + long!.fees + short!.slippage_cost + long!.slippage_cost, 9);
    expect(m.costs_paid! - m.commission_paid!).toBeCloseTo(short!.quantity * 197 * s + long!.quantity * 201 * s, 9);
  });
});
