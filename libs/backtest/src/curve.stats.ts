import type { CurveStats } from './simulation.types.js';

/**
 * One per-bar return of an equity curve: value / previous − 1, and 0 once the previous value is
 * ≤ 0 (after a wipe-out nothing is left to earn a return on). Every curve statistic uses this rule.
 */
export function barReturn(prev: number, value: number): number {
  return prev > 0 ? value / prev - 1 : 0;
}

/**
 * The running statistics of one equity curve, fed a range of points at a time: the sums of the per-bar
 * returns (for volatility, Sharpe and Sortino) and the largest drawdown with the bars of its peak
 * and trough. The one implementation of these statistics: the simulation loop feeds its strategy
 * and buy-and-hold curves through it a slice at a time, and a portfolio (`combineSleeves`) feeds its
 * summed curves through it, so a sleeve and a portfolio are measured by the same code.
 *
 * No allocation per point; see `pushRange` for why it takes ranges.
 */
export class CurveTracker {
  private returnCount = 0;
  private sumReturns = 0;
  private sumSquaredReturns = 0;
  private sumSquaredDownside = 0;
  private maxDrawdown = 0;
  private peakIndex = -1;
  private troughIndex = -1;
  /** The previous point (the initial capital before the first), the running peak and its index. */
  private prev: number;
  private peak: number;
  private peakAt = 0;

  /** `initial`: the capital before the first point; it is the first point's reference and the first peak. */
  constructor(initial: number) {
    this.prev = initial;
    this.peak = initial;
  }

  /**
   * Adds the points `values[from..to)` at indices `from..to` (called with consecutive ranges from 0).
   * A range rather than a point: the state lives in locals for the loop and goes back to the fields
   * once, which keeps the simulator's bar loop as fast as when these sums were written into it
   * (fed point by point through fields, the backtest lost about a quarter of its bars/s).
   */
  pushRange(values: Float64Array, from: number, to: number): void {
    let { prev, peak, peakAt, sumReturns, sumSquaredReturns, sumSquaredDownside, maxDrawdown, peakIndex, troughIndex } = this;
    for (let t = from; t < to; t++) {
      const e = values[t]!;
      const r = barReturn(prev, e);
      sumReturns += r;
      sumSquaredReturns += r * r;
      if (r < 0) sumSquaredDownside += r * r;
      if (e >= peak) {
        peak = e;
        peakAt = t;
      } else if (peak - e > maxDrawdown * peak) {
        maxDrawdown = (peak - e) / peak;
        peakIndex = peakAt;
        troughIndex = t;
      }
      prev = e;
    }
    Object.assign(this, { prev, peak, peakAt, sumReturns, sumSquaredReturns, sumSquaredDownside, maxDrawdown, peakIndex, troughIndex });
    this.returnCount += Math.max(0, to - from);
  }

  stats(): CurveStats {
    const { returnCount, sumReturns, sumSquaredReturns, sumSquaredDownside, maxDrawdown, peakIndex, troughIndex } = this;
    return { returnCount, sumReturns, sumSquaredReturns, sumSquaredDownside, maxDrawdown, peakIndex, troughIndex };
  }
}
