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

/**
 * The sums the skill metrics are made of. Kept apart so the test predictions of several
 * walk-forward folds pool exactly: each fold's rows are scored against its own training shares,
 * the sums add, and `skillFromSums` gives the same numbers as scoring all the rows at once.
 */
export interface SkillSums {
  rows: number;
  /** Per class: test rows, and those predicted right (argmax). */
  counts: number[];
  correct: number[];
  /** Σ −ln p̂_i(y_i), Σ −ln p_train(y_i), Σ p_train(y_i). */
  log_loss: number;
  prior_log_loss: number;
  stratified: number;
}

/** `probs` holds CLASS_COUNT probabilities per row, `labels` one class index per row; `trainShares` sums to 1. */
export function skillSums(probs: Float32Array | readonly number[], labels: Uint8Array | readonly number[], trainShares: readonly number[]): SkillSums {
  const out: SkillSums = {
    rows: labels.length,
    counts: new Array<number>(CLASS_COUNT).fill(0),
    correct: new Array<number>(CLASS_COUNT).fill(0),
    log_loss: 0,
    prior_log_loss: 0,
    stratified: 0,
  };
  for (let r = 0; r < labels.length; r++) {
    const label = labels[r]!;
    out.counts[label]!++;
    let argmax = 0;
    for (let c = 1; c < CLASS_COUNT; c++) if (probs[r * CLASS_COUNT + c]! > probs[r * CLASS_COUNT + argmax]!) argmax = c;
    if (argmax === label) out.correct[label]!++;
    out.log_loss -= Math.log(clipped(probs[r * CLASS_COUNT + label]!));
    out.prior_log_loss -= Math.log(clipped(trainShares[label]!));
    out.stratified += trainShares[label]!;
  }
  return out;
}

export function addSkillSums(a: SkillSums, b: SkillSums): SkillSums {
  return {
    rows: a.rows + b.rows,
    counts: a.counts.map((n, c) => n + b.counts[c]!),
    correct: a.correct.map((n, c) => n + b.correct[c]!),
    log_loss: a.log_loss + b.log_loss,
    prior_log_loss: a.prior_log_loss + b.prior_log_loss,
    stratified: a.stratified + b.stratified,
  };
}

/** The metrics of the rows summed in `s`, with their plain accuracy. */
export function skillFromSums(s: SkillSums): SkillMetrics & { accuracy: number } {
  const rows = s.rows;
  if (rows === 0)
    return {
      accuracy: Number.NaN,
      majority_baseline: Number.NaN,
      stratified_baseline: Number.NaN,
      balanced_accuracy: Number.NaN,
      log_loss: Number.NaN,
      prior_log_loss: Number.NaN,
    };
  const present = s.counts.map((n, c) => [n, c] as const).filter(([n]) => n > 0);
  return {
    accuracy: s.correct.reduce((a, b) => a + b, 0) / rows,
    majority_baseline: Math.max(...s.counts) / rows,
    stratified_baseline: s.stratified / rows,
    balanced_accuracy: present.reduce((sum, [n, c]) => sum + s.correct[c]! / n, 0) / present.length,
    log_loss: s.log_loss / rows,
    prior_log_loss: s.prior_log_loss / rows,
  };
}

export function skillMetrics(probs: Float32Array | readonly number[], labels: Uint8Array | readonly number[], trainShares: readonly number[]): SkillMetrics {
  const { accuracy: _accuracy, ...skill } = skillFromSums(skillSums(probs, labels, trainShares));
  return skill;
}
