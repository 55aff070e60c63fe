import type { SkillMetrics } from '@ktrdr/api-contract';
import { CLASS_COUNT } from './classifier-data.util.js';

/**
 * How a classifier's test predictions compare with predictions that use no feature at all. Every
 * baseline is measured on the same test rows the classifier is judged on:
 * - `majority_baseline`: the accuracy of always predicting the test part's most frequent class,
 *   max_c n_c / N — the score to beat (a model that loses to it has no skill, however high it reads);
 * - `stratified_baseline`: the expected accuracy of guessing each row at random with the training
 *   part's class shares, Σ_c p_train(c) · n_c / N;
 * - `balanced_accuracy`: the mean over the classes present in the test part of their recall,
 *   (1/K) Σ_c correct_c / n_c — 1/3 for any constant prediction over three present classes;
 * - `log_loss`: the plain (unweighted) cross-entropy of the predicted probabilities,
 *   −(1/N) Σ_i ln p̂_i(y_i), beside `prior_log_loss`, the same for predicting the training class
 *   shares on every row, −(1/N) Σ_i ln p_train(y_i). Probabilities are clipped to [ε, 1 − ε].
 * Hand-rolled: five sums over one array; a statistics library would be a dependency for this page.
 */
export type { SkillMetrics };

const EPSILON = 1e-7;
const clipped = (p: number): number => Math.min(1 - EPSILON, Math.max(EPSILON, p));

/** `probs` holds CLASS_COUNT probabilities per row, `labels` one class index per row; `trainShares` sums to 1. */
export function skillMetrics(probs: Float32Array | readonly number[], labels: Uint8Array | readonly number[], trainShares: readonly number[]): SkillMetrics {
  const rows = labels.length;
  if (rows === 0)
    return { majority_baseline: Number.NaN, stratified_baseline: Number.NaN, balanced_accuracy: Number.NaN, log_loss: Number.NaN, prior_log_loss: Number.NaN };
  const counts = new Array<number>(CLASS_COUNT).fill(0);
  const correct = new Array<number>(CLASS_COUNT).fill(0);
  let logLoss = 0;
  let priorLogLoss = 0;
  for (let r = 0; r < rows; r++) {
    const label = labels[r]!;
    counts[label]!++;
    let argmax = 0;
    for (let c = 1; c < CLASS_COUNT; c++) if (probs[r * CLASS_COUNT + c]! > probs[r * CLASS_COUNT + argmax]!) argmax = c;
    if (argmax === label) correct[label]!++;
    logLoss -= Math.log(clipped(probs[r * CLASS_COUNT + label]!));
    priorLogLoss -= Math.log(clipped(trainShares[label]!));
  }
  const present = counts.map((n, c) => [n, c] as const).filter(([n]) => n > 0);
  return {
    majority_baseline: Math.max(...counts) / rows,
    stratified_baseline: counts.reduce((sum, n, c) => sum + trainShares[c]! * n, 0) / rows,
    balanced_accuracy: present.reduce((sum, [n, c]) => sum + correct[c]! / n, 0) / present.length,
    log_loss: logLoss / rows,
    prior_log_loss: priorLogLoss / rows,
  };
}
