import { addSkillSums, skillFromSums, skillMetrics, skillSums } from './skill.metrics';

// Classes: 0 BUY, 1 HOLD, 2 SELL.
describe('skill against baselines', () => {
  // Six test rows: HOLD ×3, BUY ×2, SELL ×1. The model calls rows 0-3 right (HOLD, HOLD, BUY, SELL),
  // calls the third HOLD a BUY and the second BUY a HOLD.
  const labels = [1, 1, 0, 2, 1, 0];
  const probs = [
    [0.2, 0.7, 0.1], // HOLD → HOLD
    [0.1, 0.8, 0.1], // HOLD → HOLD
    [0.6, 0.3, 0.1], // BUY → BUY
    [0.2, 0.2, 0.6], // SELL → SELL
    [0.5, 0.4, 0.1], // HOLD → BUY
    [0.3, 0.5, 0.2], // BUY → HOLD
  ].flat();
  const trainShares = [0.25, 0.5, 0.25];

  it('computes each number as written out by hand', () => {
    const m = skillMetrics(probs, labels, trainShares);
    // Majority of the test part: HOLD, 3 of 6.
    expect(m.majority_baseline).toBeCloseTo(0.5, 12);
    // Σ p_train(c)·n_c / N = (0.25·2 + 0.5·3 + 0.25·1) / 6 = 2.25 / 6.
    expect(m.stratified_baseline).toBeCloseTo(0.375, 12);
    // Recalls: BUY 1/2, HOLD 2/3, SELL 1/1 → mean (0.5 + 0.6667 + 1) / 3.
    expect(m.balanced_accuracy).toBeCloseTo((0.5 + 2 / 3 + 1) / 3, 12);
    // −mean ln p̂(y): ln .7, .8, .6, .6, .4, .3.
    expect(m.log_loss).toBeCloseTo(-(Math.log(0.7) + Math.log(0.8) + Math.log(0.6) + Math.log(0.6) + Math.log(0.4) + Math.log(0.3)) / 6, 6);
    // −mean ln p_train(y): HOLD ×3 at 0.5, BUY ×2 at 0.25, SELL at 0.25.
    expect(m.prior_log_loss).toBeCloseTo(-(3 * Math.log(0.5) + 3 * Math.log(0.25)) / 6, 12);
  });

  it('scores a constant HOLD predictor at the majority baseline with a balanced accuracy of one class in three', () => {
    const constant = labels.flatMap(() => [0.1, 0.8, 0.1]);
    const m = skillMetrics(constant, labels, trainShares);
    expect(m.majority_baseline).toBeCloseTo(0.5, 12);
    expect(m.balanced_accuracy).toBeCloseTo(1 / 3, 12);
  });

  it('counts only the classes the test part holds in the balanced accuracy', () => {
    const m = skillMetrics([0.1, 0.8, 0.1, 0.1, 0.1, 0.8], [1, 2], trainShares);
    expect(m.balanced_accuracy).toBe(1);
    expect(m.majority_baseline).toBe(0.5);
  });

  it('has nothing to say about an empty test part', () => {
    expect(Number.isNaN(skillMetrics([], [], trainShares).majority_baseline)).toBe(true);
  });
});

describe('skill pooled over walk-forward folds', () => {
  // Fold A: 2 rows (HOLD right, BUY wrong) scored against shares [0.5, 0.5, 0]; fold B: 2 rows (SELL right, SELL right) against [0.25, 0.25, 0.5].
  const a = skillSums([0.2, 0.7, 0.1, 0.3, 0.6, 0.1], [1, 0], [0.5, 0.5, 0]);
  const b = skillSums([0.1, 0.1, 0.8, 0.2, 0.3, 0.5], [2, 2], [0.25, 0.25, 0.5]);
  const pooled = skillFromSums(addSkillSums(a, b));

  it('pools by hand: accuracy 3/4, majority (SELL) 2/4, balanced over BUY/HOLD/SELL recalls (0 + 1 + 1) / 3', () => {
    expect(pooled.accuracy).toBe(0.75);
    expect(pooled.majority_baseline).toBe(0.5);
    expect(pooled.balanced_accuracy).toBeCloseTo(2 / 3, 12);
    // Each row against its own fold's shares: (0.5 + 0.5 + 0.5 + 0.5) / 4.
    expect(pooled.stratified_baseline).toBeCloseTo(0.5, 12);
    expect(pooled.log_loss).toBeCloseTo(-(Math.log(0.7) + Math.log(0.3) + Math.log(0.8) + Math.log(0.5)) / 4, 12);
    expect(pooled.prior_log_loss).toBeCloseTo(-(2 * Math.log(0.5) + 2 * Math.log(0.5)) / 4, 12);
  });

  it('equals scoring every row at once when the folds share their class shares', () => {
    const shares = [0.3, 0.5, 0.2];
    const probs = [0.2, 0.7, 0.1, 0.3, 0.6, 0.1, 0.1, 0.1, 0.8, 0.6, 0.3, 0.1];
    const labels = [1, 0, 2, 0];
    const split = skillFromSums(addSkillSums(skillSums(probs.slice(0, 6), labels.slice(0, 2), shares), skillSums(probs.slice(6), labels.slice(2), shares)));
    const { accuracy, ...rest } = split;
    expect(rest).toEqual(skillMetrics(probs, labels, shares));
    expect(accuracy).toBe(0.75);
  });
});
