import { skillSums } from '@ktrdr/training';
import { pooledSkill } from './training.executor';

// Classes: 0 BUY, 1 HOLD, 2 SELL. Every row predicted HOLD (probabilities 0.2 / 0.6 / 0.2).
const hold = (rows: number): number[] => Array.from({ length: rows }, () => [0.2, 0.6, 0.2]).flat();
const shares = [1 / 3, 1 / 3, 1 / 3];

describe('pooledSkill', () => {
  // Fold A: HOLD ×3, BUY ×1; fold B: SELL ×3, BUY ×1. Pooled the most frequent class holds 3 of 8 rows,
  // but each fold's own holds 3 of its 4: answering every fold's majority scores 6/8.
  const folds = [{ sums: skillSums(hold(4), [1, 1, 1, 0], shares) }, { sums: skillSums(hold(4), [2, 2, 2, 0], shares) }];

  it("measures the majority baseline per fold's own test part, not on the pooled rows", () => {
    const s = pooledSkill(folds);
    expect(s.accuracy).toBe(3 / 8);
    expect(s.majority_baseline).toBe(6 / 8);
  });

  it('keeps the other pooled numbers as scoring all rows at once', () => {
    const s = pooledSkill(folds);
    // Recalls: BUY 0/2, HOLD 3/3, SELL 0/3 → (0 + 1 + 0) / 3.
    expect(s.balanced_accuracy).toBeCloseTo(1 / 3, 12);
    expect(s.log_loss).toBeCloseTo(-(3 * Math.log(0.6) + 5 * Math.log(0.2)) / 8, 12);
    expect(s.stratified_baseline).toBeCloseTo(1 / 3, 12);
  });
});
