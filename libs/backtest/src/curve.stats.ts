import type { CurveStats } from './simulation.types.js';

/**
 * The running statistics of one equity curve, fed one point at a time: the sums of the per-bar
 * returns (for volatility, Sharpe and Sortino) and the largest drawdown with the bars of its peak
 * and trough. The one implementation of these statistics: the simulation loop feeds its strategy
 * and buy-and-hold curves through it bar by bar, and a portfolio (`combineSleeves`) feeds its
 * summed curves through it, so a sleeve and a portfolio are measured by the same code.
 *
 * A small monomorphic class whose `push` V8 inlines into the caller's loop: no allocation per point.
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

  /** Adds point `e` at index `t` (indices must grow by one per point, from 0). */
  push(e: number, t: number): void {
    const prev = this.prev;
    const r = prev > 0 ? e / prev - 1 : 0;
    this.returnCount++;
    this.sumReturns += r;
    this.sumSquaredReturns += r * r;
    if (r < 0) this.sumSquaredDownside += r * r;
    const peak = this.peak;
    if (e >= peak) {
      this.peak = e;
      this.peakAt = t;
    } else if (peak - e > this.maxDrawdown * peak) {
      this.maxDrawdown = (peak - e) / peak;
      this.peakIndex = this.peakAt;
      this.troughIndex = t;
    }
    this.prev = e;
  }

  stats(): CurveStats {
    const { returnCount, sumReturns, sumSquaredReturns, sumSquaredDownside, maxDrawdown, peakIndex, troughIndex } = this;
    return { returnCount, sumReturns, sumSquaredReturns, sumSquaredDownside, maxDrawdown, peakIndex, troughIndex };
  }
}
