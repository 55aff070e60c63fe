import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import { probabilisticSharpeRatio } from './significance.js';

/**
 * Selecting honestly among many trials (docs/RESEARCH.md, Selection across trials: DSR and PBO).
 * When a search tries N strategy designs and keeps the best, the best one's Sharpe ratio is biased
 * upwards by the search itself. These functions count every trial: the Deflated Sharpe Ratio of
 * Bailey and López de Prado (2014) and the Probability of Backtest Overfitting by combinatorially
 * symmetric cross-validation of Bailey, Borwein, López de Prado and Zhu (2015). Pure functions over
 * arrays; the normal CDF, moments and PSR are significance.ts's.
 */

function invalid(message: string): KtrdrError {
  return new KtrdrError(ErrorCode.ValidationFailed, `Selection statistics invalid: ${message}`);
}

// ---- the inverse normal CDF --------------------------------------------------------------------

/** Horner evaluation of c[0] + c[1]·x + … + c[7]·x⁷. */
function poly(c: readonly number[], x: number): number {
  let value = 0;
  for (let i = c.length - 1; i >= 0; i--) value = value * x + c[i]!;
  return value;
}

// Wichura's AS241 (PPND16) coefficients, lowest order first: the published 20-digit values written as
// the doubles they round to.
const A = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987, 67265.7709270087, 33430.57558358813, 2509.0809287301227,
];
const B = [1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271, 28729.085735721943, 5226.495278852854];
const C = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684, 0.2417807251774506, 0.022723844989269184,
  0.0007745450142783414,
];
const D = [1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008, 0.015198666563616457, 0.0005475938084995345, 1.0507500716444169e-9];
const E = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487, 0.026532189526576124, 0.0012426609473880784, 0.000027115555687434876,
  2.0103343992922881e-7,
];
const F = [
  1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133, 0.000018463183175100548, 1.421511758316446e-7, 2.0442631033899397e-15,
];

/**
 * Φ⁻¹(p), the standard normal quantile, by Wichura's algorithm AS241 (PPND16, Applied Statistics
 * 37(3), 1988): three rational approximations (central |p − ½| ≤ 0.425, tail r = √(−ln min(p, 1−p))
 * ≤ 5, far tail), relative error about 10⁻¹⁶. Hand-rolled because it is one function of published
 * coefficients. −∞ at 0, +∞ at 1, NaN outside [0, 1].
 */
export function inverseNormalCdf(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly(A, r)) / poly(B, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value = poly(C, r) / poly(D, r);
  } else {
    r -= 5;
    value = poly(E, r) / poly(F, r);
  }
  return q < 0 ? -value : value;
}

// ---- the Deflated Sharpe Ratio -----------------------------------------------------------------

/** The Euler–Mascheroni constant γ. */
export const EULER_MASCHERONI = 0.5772156649015329;

/**
 * The Sharpe ratio the best of `trials` skill-less trials reaches by luck alone, when the trials'
 * (per-bar, non-annualised) Sharpe ratios have variance `sharpeVariance`:
 * SR₀ = √V · ((1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e))), γ the Euler–Mascheroni constant
 * (the expected maximum of N standard normals, Bailey & López de Prado 2014). One trial: 0, no
 * selection happened. Throws on a trial count that is not a positive integer or a negative or
 * non-finite variance.
 */
export function expectedMaxSharpe(trials: number, sharpeVariance: number): number {
  if (!Number.isInteger(trials) || trials < 1) throw invalid(`trials must be a positive integer, got ${trials}`);
  if (!Number.isFinite(sharpeVariance) || sharpeVariance < 0) throw invalid(`Sharpe variance must be finite and ≥ 0, got ${sharpeVariance}`);
  if (trials === 1) return 0;
  const g = EULER_MASCHERONI;
  return Math.sqrt(sharpeVariance) * ((1 - g) * inverseNormalCdf(1 - 1 / trials) + g * inverseNormalCdf(1 - 1 / (trials * Math.E)));
}

/**
 * The sample variance (divides by N − 1) of the trials' per-bar Sharpe ratios, the V of
 * `expectedMaxSharpe`; 0 for fewer than two trials.
 */
export function sharpeVariance(sharpes: ArrayLike<number>): number {
  const n = sharpes.length;
  if (n < 2) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sharpes[i]!;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (sharpes[i]! - mean) ** 2;
  return ss / (n - 1);
}

export interface DeflatedSharpeOptions {
  /** N, every trial the selection chose among, the kept one included. */
  trials: number;
  /** V, the variance of the N trials' per-bar (non-annualised) Sharpe ratios. */
  sharpeVariance: number;
}

/**
 * The Deflated Sharpe Ratio: the PSR of the chosen trial's per-bar returns against SR₀ =
 * `expectedMaxSharpe(trials, sharpeVariance)` instead of against 0, i.e. the probability that its true
 * Sharpe ratio beats what the best of N skill-less trials would have shown,
 * DSR = Φ((SR − SR₀)·√(T − 1) / √(1 − γ₃·SR + (γ₄ − 1)/4·SR²)). Null where the PSR is undefined: fewer
 * than 3 returns, a series that never moved, or a non-positive variance term.
 */
export function deflatedSharpeRatio(returns: ArrayLike<number>, opts: DeflatedSharpeOptions): number | null {
  const dsr = probabilisticSharpeRatio(returns, expectedMaxSharpe(opts.trials, opts.sharpeVariance));
  return Number.isFinite(dsr) ? dsr : null;
}

// ---- the Probability of Backtest Overfitting ---------------------------------------------------

export interface PboOptions {
  /**
   * S, the number of contiguous blocks the periods are cut into (even, default 16). Lowered to the
   * largest even number ≤ ⌊T/2⌋ when T is too short for blocks of at least two periods.
   */
  blocks?: number;
}

export interface PboResult {
  /** Share of the splits whose in-sample best trial ranked at or below the out-of-sample median (λ ≤ 0); null for fewer than 2 trials or 4 periods. */
  pbo: number | null;
  /** Splits evaluated, C(S, S/2). */
  combinations: number;
  /** S actually used (after the cap). */
  blocks: number;
  /** λ of every split, in the lexicographic order of its in-sample block set ({0,1,…}, {0,1,…,S/2−2,S/2}, …). */
  logits: number[];
}

/** Per trial, the count, mean, sum of squared deviations (M2), min and max of a set of periods. */
interface BlockStats {
  count: number;
  mean: Float64Array;
  m2: Float64Array;
  min: Float64Array;
  max: Float64Array;
}

function emptyStats(trials: number): BlockStats {
  return {
    count: 0,
    mean: new Float64Array(trials),
    m2: new Float64Array(trials),
    min: new Float64Array(trials).fill(Number.POSITIVE_INFINITY),
    max: new Float64Array(trials).fill(Number.NEGATIVE_INFINITY),
  };
}

/** Adds block `b` into `acc` (Chan et al.'s pairwise update of mean and M2). */
function merge(acc: BlockStats, b: BlockStats): void {
  const n = acc.count + b.count;
  for (let k = 0; k < acc.mean.length; k++) {
    const delta = b.mean[k]! - acc.mean[k]!;
    acc.mean[k] = acc.mean[k]! + (delta * b.count) / n;
    acc.m2[k] = acc.m2[k]! + b.m2[k]! + (delta * delta * acc.count * b.count) / n;
    if (b.min[k]! < acc.min[k]!) acc.min[k] = b.min[k]!;
    if (b.max[k]! > acc.max[k]!) acc.max[k] = b.max[k]!;
  }
  acc.count = n;
}

const INFINITY = Number.POSITIVE_INFINITY;

function reset(acc: BlockStats): void {
  acc.count = 0;
  acc.mean.fill(0);
  acc.m2.fill(0);
  acc.min.fill(INFINITY);
  acc.max.fill(-INFINITY);
}

// Bound once: under jest's vm sandbox every lookup of a global such as Math is an interceptor call,
// slow enough in this loop (hundreds of thousands per call) to dominate it.
const sqrt = Math.sqrt;
const log = Math.log;

/** mean / sample std per trial; 0 for a trial whose returns in the set are all equal (no risk taken, nothing to rank). */
function sharpes(s: BlockStats, out: Float64Array): void {
  for (let k = 0; k < out.length; k++) {
    out[k] = s.min[k] === s.max[k] ? 0 : s.mean[k]! / sqrt(s.m2[k]! / (s.count - 1));
  }
}

/** C(n, k) by the multiplicative formula (exact in doubles for the sizes used here). */
function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

/**
 * The Probability of Backtest Overfitting by combinatorially symmetric cross-validation.
 * `returns[t][n]` is trial n's return in period t: T rows of N trials over the same periods. The rows
 * are cut into S contiguous blocks (block b holds rows ⌊b·T/S⌋ to ⌊(b+1)·T/S⌋ − 1, so sizes differ by
 * at most one); for each of the C(S, S/2) ways to pick S/2 blocks as in-sample (the other S/2 out of
 * sample) the trial with the best in-sample Sharpe ratio n* is found, ω̄ = rank of n*'s out-of-sample
 * Sharpe among the N / (N + 1), and λ = ln(ω̄ / (1 − ω̄)). PBO = #{λ ≤ 0} / C(S, S/2): how often the
 * in-sample winner is no better than the median trial out of sample.
 *
 * Sharpe ratio = mean / sample std of the set's rows, 0 when they are all equal. Ties: the in-sample
 * winner is the lowest trial index among those sharing the best Sharpe; the out-of-sample rank is the
 * mid-rank, 1 + #{worse} + #{others tied} / 2 (worst = 1, best = N), so a trial tied with every other
 * sits at the median, λ = 0, and counts as overfit. Deterministic: no randomness anywhere.
 *
 * Null PBO (no combinations) for fewer than 2 trials or fewer than 4 periods. Throws on rows of
 * different lengths, a non-finite return, or S that is not an even integer ≥ 2.
 */
export function probabilityOfBacktestOverfitting(returns: readonly ArrayLike<number>[], opts: PboOptions = {}): PboResult {
  const requested = opts.blocks ?? 16;
  if (!Number.isInteger(requested) || requested < 2 || requested % 2 !== 0) throw invalid(`blocks must be an even integer ≥ 2, got ${requested}`);
  const periods = returns.length;
  const trials = periods > 0 ? returns[0]!.length : 0;
  for (let t = 0; t < periods; t++) {
    const row = returns[t]!;
    if (row.length !== trials) throw invalid(`row ${t} has ${row.length} trials, row 0 has ${trials}`);
    for (let k = 0; k < trials; k++) if (!Number.isFinite(row[k]!)) throw invalid(`return of trial ${k} in period ${t} is ${row[k]}`);
  }
  const S = Math.min(requested, 2 * Math.floor(periods / 4));
  if (trials < 2 || S < 2) return { pbo: null, combinations: 0, blocks: S < 2 ? 0 : S, logits: [] };

  // Each block's statistics per trial, by two passes over its rows.
  const blocks: BlockStats[] = [];
  for (let b = 0; b < S; b++) {
    const from = Math.floor((b * periods) / S);
    const to = Math.floor(((b + 1) * periods) / S);
    const s = emptyStats(trials);
    s.count = to - from;
    for (let t = from; t < to; t++) {
      const row = returns[t]!;
      for (let k = 0; k < trials; k++) {
        const r = row[k]!;
        s.mean[k] = s.mean[k]! + r;
        if (r < s.min[k]!) s.min[k] = r;
        if (r > s.max[k]!) s.max[k] = r;
      }
    }
    for (let k = 0; k < trials; k++) s.mean[k] = s.mean[k]! / s.count;
    for (let t = from; t < to; t++) {
      const row = returns[t]!;
      for (let k = 0; k < trials; k++) s.m2[k] = s.m2[k]! + (row[k]! - s.mean[k]!) ** 2;
    }
    blocks.push(s);
  }

  const half = S / 2;
  const combinations = binomial(S, half);
  const logits: number[] = [];
  const inSample = emptyStats(trials);
  const outOfSample = emptyStats(trials);
  const isSharpe = new Float64Array(trials);
  const oosSharpe = new Float64Array(trials);
  const chosen = new Uint8Array(S);
  // Lexicographic combinations of `half` block indices out of S.
  const pick = Array.from({ length: half }, (_, i) => i);
  let overfit = 0;
  for (;;) {
    chosen.fill(0);
    for (const b of pick) chosen[b] = 1;
    reset(inSample);
    reset(outOfSample);
    for (let b = 0; b < S; b++) merge(chosen[b] ? inSample : outOfSample, blocks[b]!);
    sharpes(inSample, isSharpe);
    sharpes(outOfSample, oosSharpe);
    let best = 0;
    for (let k = 1; k < trials; k++) if (isSharpe[k]! > isSharpe[best]!) best = k;
    const target = oosSharpe[best]!;
    let worse = 0;
    let tied = 0;
    for (let k = 0; k < trials; k++) {
      if (k === best) continue;
      if (oosSharpe[k]! < target) worse++;
      else if (oosSharpe[k]! === target) tied++;
    }
    const omega = (1 + worse + tied / 2) / (trials + 1);
    const lambda = log(omega / (1 - omega));
    logits.push(lambda);
    if (lambda <= 0) overfit++;

    // Next combination: the rightmost index that can still move right.
    let i = half - 1;
    while (i >= 0 && pick[i]! === S - half + i) i--;
    if (i < 0) break;
    pick[i] = pick[i]! + 1;
    for (let j = i + 1; j < half; j++) pick[j] = pick[j - 1]! + 1;
  }
  return { pbo: overfit / combinations, combinations, blocks: S, logits };
}
