import { randomWalk } from './bars.fixture';
import { metrics } from './backtest.metrics';
import { simulateSync } from './backtest.simulator';
import { costSensitivity } from './robustness';

describe('cost sensitivity', () => {
  it('finds where a linear cost drag takes the return to zero', async () => {
    // Return 10 % without costs, 4 points less per cost multiple: zero at 2.5×.
    const s = await costSensitivity((m) => ({ total_return: 0.1 - 0.04 * m, sharpe_ratio: 1 - 0.4 * m }));
    expect(s.runs.map((r) => [r.multiple, Number(r.total_return.toFixed(6))])).toEqual([
      [0, 0.1],
      [1, 0.06],
      [2, 0.02],
      [3, -0.02],
    ]);
    expect(s.break_even_cost).toBeCloseTo(2.5, 5);
    expect(s.cost_drag).toBeCloseTo(0.04, 12);
  });

  it('says 0 when nothing is earned even without costs, and null when costs up to 10× do not matter', async () => {
    expect((await costSensitivity(() => ({ total_return: -0.01, sharpe_ratio: -0.1 }))).break_even_cost).toBe(0);
    expect((await costSensitivity((m) => ({ total_return: 0.5 - 0.01 * m, sharpe_ratio: 1 }))).break_even_cost).toBeNull();
    // Between 3× and 10×: searched past the listed multiples.
    expect((await costSensitivity((m) => ({ total_return: 0.5 - 0.1 * m, sharpe_ratio: 1 }))).break_even_cost).toBeCloseTo(5, 5);
  });

  it('on a real simulation: returns fall as costs rise and the break-even sits between the runs that bracket it', async () => {
    const { bars, signals } = randomWalk(5000, 9, 0.02);
    const runAt = (m: number) => {
      const r = simulateSync({ bars, signals, positionMode: 'long_short', initialCapital: 10_000, commission: 0.0005 * m, slippage: 0.0002 * m });
      const x = metrics(bars, r);
      return { total_return: x.total_return, sharpe_ratio: x.sharpe_ratio };
    };
    const s = await costSensitivity(runAt);
    const returns = s.runs.map((r) => r.total_return);
    for (let i = 1; i < returns.length; i++) expect(returns[i]!).toBeLessThan(returns[i - 1]!);
    if (s.break_even_cost !== null && s.break_even_cost > 0) expect(Math.abs(runAt(s.break_even_cost).total_return)).toBeLessThan(1e-3);
  });
});
