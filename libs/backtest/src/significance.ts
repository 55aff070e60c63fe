import { seededRandom } from '@ktrdr/agent-domain';
import type { Trade } from './simulation.types.js';

/**
 * Whether a backtest's result could be luck (docs/RESEARCH.md, Significance, states each formula).
 * Hand-rolled: three short estimators over typed arrays; the statistics packages on npm either lack
 * the stationary bootstrap and the random-entry test or pull in far more than these few dozen lines.
 */

// ---- the normal distribution -------------------------------------------------------------------

/**
 * Φ(x), the standard normal CDF, through erfc(z) by the Chebyshev fit of Numerical Recipes
 * (fractional error below 1.2·10⁻⁷ everywhere).
 */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

// ---- moments and the Probabilistic Sharpe Ratio ------------------------------------------------

export interface ReturnMoments {
  count: number;
  mean: number;
  /** Sample standard deviation (divides by T − 1). */
  std: number;
  /** Sample skewness γ₃ = m₃ / m₂^{3/2} and kurtosis γ₄ = m₄ / m₂² (3 for a normal distribution), central moments over T. */
  skew: number;
  kurtosis: number;
}

export function momentsOf(returns: ArrayLike<number>): ReturnMoments {
  const n = returns.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += returns[i]!;
  const mean = n > 0 ? sum / n : Number.NaN;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = returns[i]! - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const variance = n > 1 ? m2 / (n - 1) : Number.NaN;
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { count: n, mean, std: Math.sqrt(variance), skew: m2 > 0 ? m3 / m2 ** 1.5 : 0, kurtosis: m2 > 0 ? m4 / (m2 * m2) : 3 };
}

/**
 * The Probabilistic Sharpe Ratio: the probability that the true per-bar Sharpe ratio exceeds
 * `benchmark`, given the observed one and the skew and kurtosis of the returns,
 * PSR = Φ((SR − SR*)·√(T − 1) / √(1 − γ₃·SR + (γ₄ − 1)/4 · SR²)), SR = mean / std per bar.
 */
export function probabilisticSharpeRatio(returns: ArrayLike<number>, benchmark = 0): number {
  const m = momentsOf(returns);
  if (m.count < 3 || !(m.std > 0)) return Number.NaN;
  const sr = m.mean / m.std;
  const denominator = 1 - m.skew * sr + ((m.kurtosis - 1) / 4) * sr * sr;
  if (!(denominator > 0)) return Number.NaN;
  return normalCdf(((sr - benchmark) * Math.sqrt(m.count - 1)) / Math.sqrt(denominator));
}

// ---- a stationary block bootstrap interval for the Sharpe ratio ---------------------------------

export interface BootstrapOptions {
  /** Resamples drawn (default 1,000). */
  samples?: number;
  /** Mean block length; blocks are geometric with this mean (default ⌈T^{1/3}⌉). */
  meanBlock?: number;
  /** Multiplies the per-bar Sharpe ratio (√bars-per-year to annualise; default 1). */
  scale?: number;
  seed?: number;
}

/**
 * The 95 % percentile interval of the Sharpe ratio under the stationary bootstrap of Politis and
 * Romano: each resample walks the series from a random start and, with probability 1 / meanBlock
 * at every step, jumps to a new random start (wrapping at the end), so serial dependence inside a
 * block survives while the resample stays stationary.
 */
export function sharpeBootstrapInterval(returns: ArrayLike<number>, opts: BootstrapOptions = {}): [number, number] {
  const n = returns.length;
  if (n < 3) return [Number.NaN, Number.NaN];
  const samples = opts.samples ?? 1000;
  const jump = 1 / Math.max(1, opts.meanBlock ?? Math.ceil(Math.cbrt(n)));
  const scale = opts.scale ?? 1;
  const random = seededRandom(opts.seed ?? 1);
  const sharpes = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    let at = Math.floor(random() * n);
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const r = returns[at]!;
      sum += r;
      sumSq += r * r;
      at = random() < jump ? Math.floor(random() * n) : (at + 1) % n;
    }
    const mean = sum / n;
    const variance = (sumSq - n * mean * mean) / (n - 1);
    sharpes[s] = variance > 0 ? (mean / Math.sqrt(variance)) * scale : 0;
  }
  sharpes.sort();
  const at = (q: number): number => sharpes[Math.min(samples - 1, Math.max(0, Math.round(q * (samples - 1))))]!;
  return [at(0.025), at(0.975)];
}

// ---- the random-entry baseline ----------------------------------------------------------------

/** A round trip by bar index into `prices` (entry fill, exit fill), long or short. */
export interface TradeSpan {
  entry: number;
  exit: number;
  side: 'long' | 'short';
}

export interface TradeCosts {
  /** Fraction of the notional charged on each leg. */
  commission: number;
  /** Adverse fraction on each fill: a buy pays price·(1 + s), a sell receives price·(1 − s). */
  slippage: number;
}

/**
 * One trade's return exactly as the simulator books it, the whole equity committed and both legs
 * charged: long  P_x(1−s)(1−c) / (P_e(1+s)(1+c)) − 1;  short  (1−c)/(1+c) − P_x(1+s) / (P_e(1−s)).
 */
export function tradeReturn(prices: ArrayLike<number>, t: TradeSpan, costs: TradeCosts): number {
  const { commission: c, slippage: s } = costs;
  const entry = prices[t.entry]!;
  const exit = prices[t.exit]!;
  if (t.side === 'long') return (exit * (1 - s) * (1 - c)) / (entry * (1 + s) * (1 + c)) - 1;
  return (1 - c) / (1 + c) - (exit * (1 + s)) / (entry * (1 - s));
}

/** The compounded return of a run of trades: Π(1 + rⱼ) − 1. */
export function compoundedReturn(prices: ArrayLike<number>, trades: readonly TradeSpan[], costs: TradeCosts): number {
  let growth = 1;
  for (const t of trades) growth *= 1 + tradeReturn(prices, t, costs);
  return growth - 1;
}

export interface RandomEntryOptions {
  /** Simulations (default 1,000). */
  simulations?: number;
  seed?: number;
}

export interface RandomEntryResult {
  /** (1 + #{random ≥ strategy}) / (1 + M): the share of random-entry runs that did at least as well. */
  p_value: number;
  simulations: number;
  /** The strategy's compounded trade return, the number the runs are measured against. */
  strategy_return: number;
}

/**
 * The compounded returns of M random-entry runs on `prices`: each with as many trades as the
 * strategy, holding periods and sides drawn from the strategy's own trades, at random places that
 * do not overlap, with the same costs.
 */
export function randomEntryReturns(prices: ArrayLike<number>, trades: readonly TradeSpan[], costs: TradeCosts, opts: RandomEntryOptions = {}): Float64Array {
  const simulations = opts.simulations ?? 1000;
  const out = new Float64Array(simulations);
  const k = trades.length;
  // Every fill needs a price: the slots run from 0 to prices.length − 1.
  const last = prices.length - 1;
  if (k === 0 || last < 1) return out;
  const holds = trades.map((t) => Math.max(1, t.exit - t.entry));
  const random = seededRandom(opts.seed ?? 1);
  const chosen = new Int32Array(k);
  const starts = new Float64Array(k);
  for (let m = 0; m < simulations; m++) {
    let total = 0;
    for (let j = 0; j < k; j++) {
      chosen[j] = Math.floor(random() * k);
      total += holds[chosen[j]!]!;
    }
    // Too long to fit (only when the draws repeat the longest holds): use the strategy's own holds.
    if (total > last) {
      total = 0;
      for (let j = 0; j < k; j++) {
        chosen[j] = j;
        total += holds[j]!;
      }
    }
    // Stars and bars: k sorted gap points in [0, free] place k non-overlapping spans in [0, last].
    const free = last - total;
    for (let j = 0; j < k; j++) starts[j] = Math.floor(random() * (free + 1));
    starts.sort();
    let growth = 1;
    let offset = 0;
    for (let j = 0; j < k; j++) {
      const hold = holds[chosen[j]!]!;
      const entry = starts[j]! + offset;
      offset += hold;
      growth *= 1 + tradeReturn(prices, { entry, exit: entry + hold, side: trades[Math.floor(random() * k)]!.side }, costs);
    }
    out[m] = growth - 1;
  }
  return out;
}

/** (1 + #{Rᵢ ≥ R}) / (1 + M). */
function pValue(strategy: number, runs: Float64Array): number {
  let atLeast = 0;
  for (const r of runs) if (r >= strategy) atLeast++;
  return (1 + atLeast) / (1 + runs.length);
}

/**
 * The random-entry baseline: the p-value is the share of random-entry runs whose compounded return
 * is at least the strategy's, (1 + #{Rᵢ ≥ R}) / (1 + M). A strategy whose entries carry no
 * information lands anywhere in that distribution; one with an edge lands in its upper tail.
 */
export function randomEntryPValue(
  prices: ArrayLike<number>,
  trades: readonly TradeSpan[],
  costs: TradeCosts,
  opts: RandomEntryOptions = {},
): RandomEntryResult {
  const simulations = opts.simulations ?? 1000;
  const strategy = compoundedReturn(prices, trades, costs);
  if (trades.length === 0) return { p_value: 1, simulations, strategy_return: strategy };
  return { p_value: pValue(strategy, randomEntryReturns(prices, trades, costs, opts)), simulations, strategy_return: strategy };
}

// ---- one backtest's significance ---------------------------------------------------------------

/** One symbol's sleeve as the significance tests read it: its window's prices and its trades. */
export interface SleeveTrades {
  open: ArrayLike<number>;
  close: ArrayLike<number>;
  trades: readonly Pick<Trade, 'entry_index' | 'exit_index' | 'side' | 'open_at_end'>[];
}

export interface BacktestSignificance {
  random_entry_p_value: number;
  random_entry_simulations: number;
  /** Probability that the true Sharpe ratio of the per-bar returns is above 0; null for a flat curve (nothing to judge). */
  psr: number | null;
  /** 95 % stationary bootstrap interval of the annualised Sharpe ratio; null for a flat curve. */
  sharpe_ci95: [number, number] | null;
}

/**
 * The fills a sleeve's trades used, as one price series: every bar's open, then the last close (a
 * position still open at the end is closed there).
 */
function fillPrices(s: SleeveTrades): { prices: Float64Array; spans: TradeSpan[] } {
  const n = s.open.length;
  const prices = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prices[i] = s.open[i]!;
  prices[n] = s.close[n - 1]!;
  const spans = s.trades.map((t) => ({ entry: t.entry_index, exit: t.open_at_end ? n : t.exit_index, side: t.side }));
  return { prices, spans };
}

/**
 * Significance of a backtest: the random-entry p-value (for several symbols, of the equal-weight
 * portfolio: each run's return is the mean of the sleeves' runs, as the portfolio's is the mean of
 * its sleeves'), and the PSR and bootstrap interval of the combined curve's per-bar returns.
 */
export function backtestSignificance(
  sleeves: readonly SleeveTrades[],
  equity: ArrayLike<number>,
  initialCapital: number,
  costs: TradeCosts,
  opts: RandomEntryOptions & { barsPerYear: number },
): BacktestSignificance {
  const simulations = opts.simulations ?? 1000;
  const runs = new Float64Array(simulations);
  let strategy = 0;
  let traded = false;
  sleeves.forEach((sleeve, i) => {
    const { prices, spans } = fillPrices(sleeve);
    traded ||= spans.length > 0;
    strategy += compoundedReturn(prices, spans, costs) / sleeves.length;
    const sleeveRuns = randomEntryReturns(prices, spans, costs, { simulations, seed: (opts.seed ?? 1) + i });
    for (let m = 0; m < simulations; m++) runs[m] += sleeveRuns[m]! / sleeves.length;
  });
  const returns = new Float64Array(equity.length);
  let previous = initialCapital;
  for (let t = 0; t < equity.length; t++) {
    returns[t] = previous > 0 ? equity[t]! / previous - 1 : 0;
    previous = equity[t]!;
  }
  const psr = probabilisticSharpeRatio(returns);
  const flat = !Number.isFinite(psr);
  return {
    random_entry_p_value: traded ? pValue(strategy, runs) : 1,
    random_entry_simulations: simulations,
    psr: flat ? null : psr,
    sharpe_ci95: flat ? null : sharpeBootstrapInterval(returns, { seed: opts.seed, scale: Math.sqrt(opts.barsPerYear) }),
  };
}
