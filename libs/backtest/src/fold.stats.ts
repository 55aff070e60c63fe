import type { FoldDispersion, SeedRobustness } from '@ktrdr/api-contract';
import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import { toFinite } from './backtest.metrics.js';
import { momentsOf } from './significance.js';

/**
 * How far a walk-forward evaluation's parts agree with each other (docs/RESEARCH.md, Fold
 * dispersion and Seed robustness): a stitched out-of-sample result can be one good fold carrying
 * several bad ones, or one lucky training seed; these say which.
 */

function invalid(message: string): KtrdrError {
  return new KtrdrError(ErrorCode.ValidationFailed, `Walk-forward statistics invalid: ${message}`);
}

/** Sample standard deviation (divides by n − 1); 0 for a single value, where there is no spread to measure. */
function sampleStd(values: readonly number[]): number {
  return values.length > 1 ? momentsOf(values).std : 0;
}

/**
 * The folds' returns R₁…R_k and Sharpe ratios S₁…S_k: `return_mean` = ΣR/k, `return_std` =
 * √(Σ(R − mean)² / (k − 1)) (0 for one fold), the same for the Sharpe ratios, `positive_share` =
 * #{R > 0} / k (a return of exactly 0 is not positive), `worst_return` = min R, `best_return` = max R.
 * Throws on no folds: there is nothing to summarise.
 */
export function foldDispersion(folds: readonly { total_return: number; sharpe_ratio: number }[]): FoldDispersion {
  const k = folds.length;
  if (k === 0) throw invalid('no folds');
  const returns = folds.map((f) => f.total_return);
  const sharpes = folds.map((f) => f.sharpe_ratio);
  return {
    folds: k,
    return_mean: toFinite(momentsOf(returns).mean),
    return_std: toFinite(sampleStd(returns)),
    sharpe_mean: toFinite(momentsOf(sharpes).mean),
    sharpe_std: toFinite(sampleStd(sharpes)),
    positive_share: returns.filter((r) => r > 0).length / k,
    worst_return: toFinite(Math.min(...returns)),
    best_return: toFinite(Math.max(...returns)),
  };
}

/**
 * The walk-forward result under each training seed: `profitable` = seeds whose out-of-sample
 * total return is > 0, `share` = profitable / seeds. The seeds are listed in the order given (the
 * strategy's own seed first, by convention). Throws on no seeds.
 */
export function seedRobustness(seeds: readonly { seed: number; total_return: number; sharpe_ratio: number }[]): SeedRobustness {
  if (seeds.length === 0) throw invalid('no seeds');
  const profitable = seeds.filter((s) => s.total_return > 0).length;
  return {
    seeds: seeds.map((s) => ({ seed: s.seed, total_return: toFinite(s.total_return), sharpe_ratio: toFinite(s.sharpe_ratio) })),
    profitable,
    share: profitable / seeds.length,
  };
}
