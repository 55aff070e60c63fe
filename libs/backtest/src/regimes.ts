import { REGIMES, type Regime, type RegimeRow } from '@ktrdr/api-contract';
import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import { annualisedRatios, toFinite, type ReturnSums } from './backtest.metrics.js';
import { barReturn } from './curve.stats.js';
import { momentsOf } from './significance.js';

/**
 * Market regimes: every bar is labelled by the trend and the volatility the market showed *before*
 * it, and the strategy and buy-and-hold are measured on each label's bars (docs/RESEARCH.md,
 * Regimes). The rule, at bar t with look-back L (63 bars by default, about a quarter of daily bars):
 *
 * - **trend**: the trailing return over the previous L bars, close[t−1] / close[t−1−L] − 1:
 *   `bull` when it is ≥ 0, `bear` when it is below 0;
 * - **volatility**: the sample standard deviation (divides by L − 1) of the L close-to-close returns
 *   close[j] / close[j−1] − 1 for j = t−L … t−1: `volatile` when it is strictly above the median of
 *   that same trailing volatility over every bar from the first classified one up to and including
 *   t (an expanding median), `calm` otherwise.
 *
 * Both read only closes t−1−L … t−1, and the median only bars up to t, so a bar's regime is known
 * when the bar opens and no later price can change it: bar t's own return (close[t−1] → close[t],
 * the return the tables attribute to the regime) is not part of the rule that labels it, so a crash
 * bar cannot label itself "bear, volatile". The expanding median rather than the median of the whole
 * window: that one would use the future (a calm bar early in a window would turn volatile because
 * the later bars were calmer). The first classified bar is therefore always `calm` (it is its own
 * median), and the volatility split settles as history accumulates.
 *
 * Bars 0 … L have fewer than L returns before them and are unclassified (null): they are left out of
 * the table, and its `share`s are fractions of the classified bars.
 */

/** The default look-back in bars: about three months of daily bars. */
export const REGIME_LOOKBACK = 63;

export interface RegimeOptions {
  /** Bars of history each label reads (an integer ≥ 2); default `REGIME_LOOKBACK`. */
  lookback?: number;
}

function invalid(message: string): KtrdrError {
  return new KtrdrError(ErrorCode.ValidationFailed, `Regimes input invalid: ${message}`);
}

/**
 * The running median of a growing set of numbers: a max-heap holds the lower half and a min-heap the
 * upper half (the lower one has the extra element of an odd count), so each push is O(log n).
 */
class ExpandingMedian {
  /** Lower half, stored negated so both halves are min-heaps. */
  private readonly low: number[] = [];
  private readonly high: number[] = [];

  push(x: number): void {
    if (this.low.length === 0 || x <= -this.low[0]!) heapPush(this.low, -x);
    else heapPush(this.high, x);
    if (this.low.length > this.high.length + 1) heapPush(this.high, -heapPop(this.low));
    else if (this.high.length > this.low.length) heapPush(this.low, -heapPop(this.high));
  }

  /** The median of everything pushed (the mean of the two middle values for an even count). */
  value(): number {
    const lowTop = -this.low[0]!;
    return this.low.length > this.high.length ? lowTop : (lowTop + this.high[0]!) / 2;
  }
}

function heapPush(h: number[], x: number): void {
  let i = h.length;
  h.push(x);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (h[parent]! <= x) break;
    h[i] = h[parent]!;
    i = parent;
  }
  h[i] = x;
}

function heapPop(h: number[]): number {
  const top = h[0]!;
  const last = h.pop()!;
  const n = h.length;
  if (n > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const c = l + 1 < n && h[l + 1]! < h[l]! ? l + 1 : l;
      if (h[c]! >= last) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
  return top;
}

/**
 * The regime of every bar (see the rule above), null for the first L + 1 bars. Closes must be
 * positive. O(n · L) for the trailing volatilities plus O(n log n) for the expanding median.
 */
export function classifyRegimes(close: ArrayLike<number>, opts: RegimeOptions = {}): (Regime | null)[] {
  const lookback = opts.lookback ?? REGIME_LOOKBACK;
  if (!Number.isInteger(lookback) || lookback < 2) throw invalid(`lookback must be an integer ≥ 2, got ${lookback}`);
  const n = close.length;
  for (let i = 0; i < n; i++) {
    const c = close[i]!;
    if (!(c > 0) || !Number.isFinite(c)) throw invalid(`close ${i} is ${c}; prices must be positive`);
  }
  // returns[j] = close[j] / close[j−1] − 1 (returns[0] is unused).
  const returns = new Float64Array(n);
  for (let j = 1; j < n; j++) returns[j] = barReturn(close[j - 1]!, close[j]!);
  const out: (Regime | null)[] = new Array<Regime | null>(n).fill(null);
  const median = new ExpandingMedian();
  for (let t = lookback + 1; t < n; t++) {
    const trend = close[t - 1]! / close[t - 1 - lookback]! - 1;
    const volatility = momentsOf(returns.subarray(t - lookback, t)).std;
    median.push(volatility);
    const volatile = volatility > median.value();
    out[t] = trend >= 0 ? (volatile ? 'bull_volatile' : 'bull_calm') : volatile ? 'bear_volatile' : 'bear_calm';
  }
  return out;
}

export interface RegimeTableInput {
  /** Closes of the evaluated bars: the regime rule and buy-and-hold read them. */
  close: ArrayLike<number>;
  /** Strategy equity at each bar's close (one point per bar, as the simulation writes it). */
  equity: ArrayLike<number>;
  /** The capital before the first bar: bar 0's return is measured against it. */
  initialCapital: number;
  /**
   * Position held during each bar: true or a non-zero number when a position is open. Its absolute
   * value counts, so a simulation's −1/0/1 `position` can be passed as it is, and a portfolio's
   * fraction of sleeves holding a position gives the same exposure as the headline one.
   */
  inPosition: ArrayLike<number | boolean>;
  /** For annualising the Sharpe ratio (as the headline metrics use). */
  barsPerYear: number;
  /** Precomputed regimes, one per bar (e.g. classified over a longer history, then cut to the window); default `classifyRegimes(close, { lookback })`. */
  regimes?: readonly (Regime | null)[];
  /** Look-back when the regimes are classified here. */
  lookback?: number;
}

interface Tally extends ReturnSums {
  growth: number;
  benchmarkGrowth: number;
  exposed: number;
}

/**
 * The strategy and buy-and-hold on the bars of each regime present, in `REGIMES` order. Over a
 * regime's bars i (wherever they fall in the window): r_i = equity[i] / equity[i−1] − 1 with
 * equity[−1] = initialCapital (0 after a wipe-out, as the headline metrics read it); `total_return`
 * = Π(1 + r_i) − 1; `sharpe_ratio` = mean(r) / std(r) × √barsPerYear (sample std; 0 for a flat
 * stretch or fewer than 2 bars), computed exactly as the headline Sharpe ratio; `benchmark_return` =
 * Π(close[i] / close[i−1]) − 1 (buy-and-hold before costs; bar 0 has no previous close and counts
 * 0); `exposure` = mean |inPosition[i]|; `share` = the regime's bars / all classified bars.
 * Unclassified bars (null) count nowhere. No classified bar → an empty table.
 */
export function regimeTable(input: RegimeTableInput): RegimeRow[] {
  const { close, equity, initialCapital, inPosition, barsPerYear } = input;
  const n = close.length;
  if (equity.length !== n) throw invalid(`${equity.length} equity points for ${n} closes`);
  if (inPosition.length !== n) throw invalid(`${inPosition.length} position values for ${n} closes`);
  const regimes = input.regimes ?? classifyRegimes(close, { lookback: input.lookback });
  if (regimes.length !== n) throw invalid(`${regimes.length} regimes for ${n} closes`);

  const tallies = new Map<Regime, Tally>();
  let classified = 0;
  for (let i = 0; i < n; i++) {
    const regime = regimes[i];
    if (regime === null || regime === undefined) continue;
    let t = tallies.get(regime);
    if (!t) {
      t = { returnCount: 0, sumReturns: 0, sumSquaredReturns: 0, sumSquaredDownside: 0, growth: 1, benchmarkGrowth: 1, exposed: 0 };
      tallies.set(regime, t);
    }
    const r = barReturn(i === 0 ? initialCapital : equity[i - 1]!, equity[i]!);
    t.returnCount++;
    t.sumReturns += r;
    t.sumSquaredReturns += r * r;
    if (r < 0) t.sumSquaredDownside += r * r;
    t.growth *= 1 + r;
    if (i > 0) t.benchmarkGrowth *= 1 + barReturn(close[i - 1]!, close[i]!);
    t.exposed += Math.abs(Number(inPosition[i]));
    classified++;
  }

  const rows: RegimeRow[] = [];
  for (const regime of REGIMES) {
    const t = tallies.get(regime);
    if (!t) continue;
    rows.push({
      regime,
      bars: t.returnCount,
      share: t.returnCount / classified,
      total_return: toFinite(t.growth - 1),
      sharpe_ratio: toFinite(annualisedRatios(t, barsPerYear).sharpe),
      benchmark_return: toFinite(t.benchmarkGrowth - 1),
      exposure: toFinite(t.exposed / t.returnCount),
    });
  }
  return rows;
}
