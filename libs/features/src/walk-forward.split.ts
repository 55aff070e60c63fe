import type { EvaluationPlan } from '@ktrdr/api-contract';
import { ErrorCode } from '@ktrdr/errors';
import { FeaturesError } from './features.error.js';

/** One test fold in time: bars whose open time is in [from, to) (epoch ms). */
export interface FoldWindow {
  /** 1-based. */
  fold: number;
  from: number;
  to: number;
}

/**
 * The backtest window's bar times cut into `folds` contiguous test folds of (nearly) equal bar
 * counts, earliest first; the first `n mod folds` folds hold one bar more. `times` are the sorted,
 * distinct base-bar open times of the window (for several symbols: the union of theirs). The last
 * fold ends after the window's last bar.
 */
export function walkForwardWindows(times: ArrayLike<number>, folds: number): FoldWindow[] {
  const n = times.length;
  if (folds < 1 || n < folds) {
    throw new FeaturesError(
      ErrorCode.NoMarketData,
      'insufficient_rows',
      `too few bars in the backtest window for ${folds} walk-forward folds: ${n} bars; use a longer backtest.date_range or fewer evaluation.folds`,
      { bars: n, folds },
    );
  }
  const base = Math.floor(n / folds);
  const extra = n % folds;
  const out: FoldWindow[] = [];
  let at = 0;
  for (let k = 0; k < folds; k++) {
    const size = base + (k < extra ? 1 : 0);
    const end = at + size;
    out.push({ fold: k + 1, from: times[at]!, to: end < n ? times[end]! : times[n - 1]! + 1 });
    at = end;
  }
  return out;
}

/** Which usable rows of one symbol each part of a fold takes (positions in its usable-row list). */
export interface FoldRowPlan {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

export interface FoldRowOptions extends Pick<EvaluationPlan, 'scheme' | 'purge' | 'embargo'> {
  /** Share of each fold's training rows kept, at their end, for early stopping (data_split validation / (train + validation)). */
  validationShare: number;
  /** Named in errors: ` for SP500 1d`. */
  context?: string;
}

const lowerBound = (a: ArrayLike<number>, x: number): number => {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/**
 * The rows of fold `windows[k]` for one symbol. `barTime` is the symbol's base-bar open times;
 * `usable[i]` the bar index of usable row i (complete features and a label), increasing.
 *
 * - Test: usable rows whose bar lies in the fold's window.
 * - Training candidates: usable rows at bar b with b + purge < the fold's first test bar — a label
 *   at bar b reads closes up to b + labelHorizon(config), so with purge ≥ that horizon no training
 *   label sees a test bar — and not within `embargo` bars after the end of an earlier test fold.
 *   `rolling` keeps only candidates within as many bars before that limit as the first fold had.
 * - Validation: the last ⌊m · validationShare⌋ candidates; the train part ends `purge` bars before
 *   the first validation bar, so no training label reads a validation bar either.
 */
export function foldRowPlan(barTime: ArrayLike<number>, usable: Int32Array, windows: readonly FoldWindow[], k: number, opts: FoldRowOptions): FoldRowPlan {
  const window = windows[k]!;
  const context = opts.context ?? '';
  const testStart = lowerBound(barTime, window.from);
  const testEnd = lowerBound(barTime, window.to);
  const limit = testStart - opts.purge; // candidates: bar < limit
  const firstLimit = lowerBound(barTime, windows[0]!.from) - opts.purge;
  const from = opts.scheme === 'rolling' ? Math.max(0, limit - Math.max(0, firstLimit - (usable[0] ?? 0))) : 0;
  const embargoed = windows.slice(0, k).map((w) => {
    const end = lowerBound(barTime, w.to);
    return [end, end + opts.embargo] as const;
  });
  const candidates: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < usable.length; i++) {
    const bar = usable[i]!;
    if (bar >= testStart && bar < testEnd) test.push(i);
    else if (bar >= from && bar < limit && !embargoed.some(([a, b]) => bar >= a && bar < b)) candidates.push(i);
  }
  const nVal = Math.floor(candidates.length * opts.validationShare + 1e-9);
  const valStart = candidates.length - nVal;
  const firstValBar = nVal > 0 ? usable[candidates[valStart]!]! : Number.POSITIVE_INFINITY;
  const train = candidates.slice(0, valStart).filter((i) => usable[i]! + opts.purge < firstValBar);
  if (train.length < 1 || nVal < 1 || test.length < 1) {
    throw new FeaturesError(
      ErrorCode.NoMarketData,
      'insufficient_rows',
      `too few usable rows${context} for fold ${window.fold}/${windows.length}: ${train.length} to train, ${nVal} to validate, ${test.length} to test ` +
        `(purge ${opts.purge} bars, embargo ${opts.embargo}); use a longer training_data.date_range or fewer evaluation.folds`,
      { fold: window.fold, train: train.length, validation: nVal, test: test.length },
    );
  }
  return { train: Int32Array.from(train), validation: Int32Array.from(candidates.slice(valStart)), test: Int32Array.from(test) };
}
