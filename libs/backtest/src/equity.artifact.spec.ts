import { KtrdrError } from '@ktrdr/errors';
import { barsOf, randomWalk } from './bars.fixture';
import { metrics } from './backtest.metrics';
import { simulateSync } from './backtest.simulator';
import { equityArtifact } from './equity.artifact';

const C = 10_000;

describe('equityArtifact', () => {
  it('a short curve: every point, ISO times, drawdown from the running peak, trades with ISO times', () => {
    const bars = barsOf([
      [100, 100],
      [100, 100],
      [100, 120],
      [120, 90],
      [90, 130],
      [130, 110],
      [110, 125],
    ]);
    const r = simulateSync({ bars, signals: Int8Array.from([1, 0, 0, -1, 0, 0, 0]), positionMode: 'long_only', initialCapital: C, commission: 0, slippage: 0 });
    const a = equityArtifact(bars, r);
    expect(a.t).toEqual(Array.from({ length: 7 }, (_, i) => `2024-01-0${i + 1}T00:00:00.000Z`));
    expect(a.equity).toEqual([10_000, 10_000, 12_000, 9_000, 9_000, 9_000, 9_000]); // sold at bar 4's open, 90
    expect(a.benchmark).toEqual([10_000, 10_000, 12_000, 9_000, 13_000, 11_000, 12_500]);
    expect(a.drawdown.map((d) => Math.round(d * 1e12) / 1e12)).toEqual([0, 0, 0, 0.25, 0.25, 0.25, 0.25]);
    expect(a.trades).toEqual([
      {
        symbol: 'TEST',
        side: 'long',
        entry_time: '2024-01-02T00:00:00.000Z',
        exit_time: '2024-01-05T00:00:00.000Z',
        entry_price: 100,
        exit_price: 90,
        quantity: 100,
        pnl: -1000,
        return: -0.1,
        fees: 0,
        open_at_end: false,
      },
    ]);
    expect([a.points, a.total_points, a.trades_omitted]).toEqual([7, 7, 0]);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a); // plain JSON
  });

  it('a long curve is cut to maxPoints, keeping the ends, the extremes and the max-drawdown peak and trough', () => {
    const { bars, signals } = randomWalk(200_000, 5, 0.01);
    const r = simulateSync({ bars, signals, positionMode: 'long_short', initialCapital: C, commission: 0.0005, slippage: 0.0002 });
    const m = metrics(bars, r);
    const a = equityArtifact(bars, r, 500);
    expect(a.points).toBeLessThanOrEqual(500);
    expect(a.points).toBeGreaterThan(400);
    expect(a.total_points).toBe(200_000);
    expect([a.t.length, a.equity.length, a.benchmark.length, a.drawdown.length]).toEqual([a.points, a.points, a.points, a.points]);
    expect(a.t[0]).toBe(m.start);
    expect(a.t.at(-1)).toBe(m.end);
    expect(a.t).toContain(m.max_drawdown_peak);
    expect(a.t).toContain(m.max_drawdown_trough);
    expect(Math.max(...a.drawdown)).toBeCloseTo(m.max_drawdown, 12);
    let hi = -Infinity;
    let lo = Infinity;
    for (const e of r.equity) {
      hi = Math.max(hi, e);
      lo = Math.min(lo, e);
    }
    expect(Math.max(...a.equity)).toBe(hi);
    expect(Math.min(...a.equity)).toBe(lo);
    const increasing = a.t.every((t, i) => i === 0 || t > a.t[i - 1]!);
    expect(increasing).toBe(true);
  });

  it('more trades than maxTrades: keeps the largest by |P&L|, in time order, and counts the rest', () => {
    const { bars, signals } = randomWalk(20_000, 9, 0.05);
    const r = simulateSync({ bars, signals, positionMode: 'long_only', initialCapital: C, commission: 0.001, slippage: 0 });
    const a = equityArtifact(bars, r, 5000, 10);
    expect(a.trades).toHaveLength(10);
    expect(a.trades_omitted).toBe(r.trades.length - 10);
    const kept = Math.min(...a.trades.map((t) => Math.abs(t.pnl)));
    const sorted = r.trades.map((t) => Math.abs(t.pnl)).sort((x, y) => y - x);
    expect(kept).toBe(sorted[9]);
    expect(a.trades.every((t, i) => i === 0 || t.entry_time > a.trades[i - 1]!.entry_time)).toBe(true);
  });

  it('refuses a maxPoints too small to hold the ends and the drawdown', () => {
    const bars = barsOf([[1, 1]]);
    const r = simulateSync({ bars, signals: Int8Array.of(0), positionMode: 'long_only', initialCapital: C, commission: 0, slippage: 0 });
    expect(() => equityArtifact(bars, r, 4)).toThrow(KtrdrError);
  });
});
