import { deflatedSharpeRatio, expectedMaxSharpe, probabilityOfBacktestOverfitting, sharpeVariance } from './selection.stats.js';

/**
 * Selection over a campaign's trials: each trial's Deflated Sharpe Ratio among all of them, and the
 * Probability of Backtest Overfitting over their out-of-sample returns. The formulas live in
 * selection.stats.ts; this module decides which trials count and which bars they are compared on.
 */

export interface SelectionTrial {
  key: string;
  /** Counts towards N: a design that was tried on the data (a strategy was trained), not one cancelled before it ran. */
  counted: boolean;
  /** Out-of-sample per-bar returns with the time of each bar; null when no backtest ran. */
  returns: { t: readonly number[]; r: readonly number[] } | null;
}

export interface TrialScores {
  /** Each trial's DSR (null without returns, or where the PSR is undefined). */
  dsr: Map<string, number | null>;
  /** Each trial's per-bar (non-annualised) Sharpe ratio. */
  perBarSharpe: Map<string, number | null>;
  /** N: the trials counted. */
  trials: number;
  /** V: the variance of the per-bar Sharpe ratios of the trials with returns (0 with fewer than 2). */
  variance: number;
  /** SR₀ = expectedMaxSharpe(N, V): the Sharpe the best of N skill-less trials would show; null for N < 1. */
  expectedMaxSharpe: number | null;
}

/** mean / sample standard deviation; null for fewer than 2 returns or returns that never move. */
export function perBarSharpe(r: readonly number[]): number | null {
  const n = r.length;
  if (n < 2) return null;
  let mean = 0;
  for (const v of r) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of r) ss += (v - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  return sd > 0 ? mean / sd : null;
}

/**
 * Every trial's DSR: PSR of its returns against SR₀ = √V·[(1−γ)Φ⁻¹(1 − 1/N) + γΦ⁻¹(1 − 1/(N·e))],
 * N the trials counted (every design tried, failures at a gate included: each was a look at the
 * data), V the variance of the per-bar Sharpe ratios among the trials that have returns.
 */
export function scoreTrials(trials: readonly SelectionTrial[]): TrialScores {
  const perBar = new Map<string, number | null>(trials.map((t) => [t.key, t.returns ? perBarSharpe(t.returns.r) : null]));
  const sharpes = [...perBar.values()].filter((v): v is number => v !== null);
  const n = Math.max(1, trials.filter((t) => t.counted).length);
  const variance = sharpes.length >= 2 ? sharpeVariance(sharpes) : 0;
  const dsr = new Map<string, number | null>(
    trials.map((t) => [t.key, t.returns && t.returns.r.length >= 3 ? deflatedSharpeRatio(t.returns.r, { trials: n, sharpeVariance: variance }) : null]),
  );
  return { dsr, perBarSharpe: perBar, trials: n, variance, expectedMaxSharpe: trials.length ? expectedMaxSharpe(n, variance) : null };
}

/**
 * The trials' returns on the bars they all share, as the T × N matrix PBO reads (rows: bars in time
 * order; columns: trials in the given order). Trials of one campaign research the same market, so
 * their walk-forward windows normally coincide; a design with other windows shares fewer bars.
 */
export function commonReturns(series: readonly { t: readonly number[]; r: readonly number[] }[]): { rows: number[][]; times: number[] } {
  if (series.length === 0) return { rows: [], times: [] };
  const maps = series.map((s) => new Map(s.t.map((t, i) => [t, s.r[i]!])));
  const times = [...maps[0]!.keys()].filter((t) => maps.every((m) => m.has(t))).sort((a, b) => a - b);
  return { rows: times.map((t) => maps.map((m) => m.get(t)!)), times };
}

/** PBO by CSCV over the trials with returns (S = `blocks`), on their common bars. */
export function campaignPbo(trials: readonly SelectionTrial[], blocks = 16): { pbo: number | null; trials: number; bars: number } {
  const withReturns = trials.filter((t) => t.returns && t.returns.r.length > 0).map((t) => t.returns!);
  if (withReturns.length < 2) return { pbo: null, trials: withReturns.length, bars: 0 };
  const { rows } = commonReturns(withReturns);
  return { pbo: probabilityOfBacktestOverfitting(rows, { blocks }).pbo, trials: withReturns.length, bars: rows.length };
}
