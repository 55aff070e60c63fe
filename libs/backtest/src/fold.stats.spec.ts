import { foldDispersionSchema, seedRobustnessSchema } from '@ktrdr/api-contract';
import { KtrdrError } from '@ktrdr/errors';
import { foldDispersion, seedRobustness } from './fold.stats';

describe('foldDispersion', () => {
  it('mean, sample std, positive share and the extremes of four folds, by hand', () => {
    const d = foldDispersion([
      { total_return: 0.1, sharpe_ratio: 1 },
      { total_return: -0.05, sharpe_ratio: -0.5 },
      { total_return: 0.2, sharpe_ratio: 2 },
      { total_return: 0, sharpe_ratio: 0 },
    ]);
    // Returns: mean 0.25 / 4 = 0.0625; deviations 0.0375, −0.1125, 0.1375, −0.0625; squares sum to
    // 0.00140625 + 0.01265625 + 0.01890625 + 0.00390625 = 0.036875; std √(0.036875 / 3) = 0.110868.
    // Sharpe ratios are the returns × 10: mean 0.625, std 1.10868.
    expect(d.folds).toBe(4);
    expect(d.return_mean).toBeCloseTo(0.0625, 12);
    expect(d.return_std).toBeCloseTo(Math.sqrt(0.036875 / 3), 12);
    expect(d.sharpe_mean).toBeCloseTo(0.625, 12);
    expect(d.sharpe_std).toBeCloseTo(10 * Math.sqrt(0.036875 / 3), 11);
    expect(d.positive_share).toBe(0.5); // 0.1 and 0.2; a return of exactly 0 is not positive
    expect([d.worst_return, d.best_return]).toEqual([-0.05, 0.2]);
    expect(foldDispersionSchema.parse(d)).toEqual(d);
  });

  it('one fold has no spread: std 0, and its return is both the worst and the best', () => {
    expect(foldDispersion([{ total_return: -0.03, sharpe_ratio: -0.4 }])).toEqual({
      folds: 1,
      return_mean: -0.03,
      return_std: 0,
      sharpe_mean: -0.4,
      sharpe_std: 0,
      positive_share: 0,
      worst_return: -0.03,
      best_return: -0.03,
    });
  });

  it('refuses no folds', () => {
    expect(() => foldDispersion([])).toThrow(KtrdrError);
  });
});

describe('seedRobustness', () => {
  it('counts the seeds with a positive out-of-sample return, in the order given', () => {
    const r = seedRobustness([
      { seed: 42, total_return: 0.12, sharpe_ratio: 1.1 },
      { seed: 43, total_return: -0.02, sharpe_ratio: -0.3 },
      { seed: 44, total_return: 0, sharpe_ratio: 0 },
      { seed: 45, total_return: 0.01, sharpe_ratio: 0.2 },
    ]);
    expect(r).toEqual({
      seeds: [
        { seed: 42, total_return: 0.12, sharpe_ratio: 1.1 },
        { seed: 43, total_return: -0.02, sharpe_ratio: -0.3 },
        { seed: 44, total_return: 0, sharpe_ratio: 0 },
        { seed: 45, total_return: 0.01, sharpe_ratio: 0.2 },
      ],
      profitable: 2, // 42 and 45; 0 is not a profit
      share: 0.5,
    });
    expect(seedRobustnessSchema.parse(r)).toEqual(r);
  });

  it('keeps only the schema fields of each seed, and refuses no seeds', () => {
    const extra = { seed: 1, total_return: -0.1, sharpe_ratio: -1, max_drawdown: 0.3 };
    expect(seedRobustness([extra])).toEqual({ seeds: [{ seed: 1, total_return: -0.1, sharpe_ratio: -1 }], profitable: 0, share: 0 });
    expect(() => seedRobustness([])).toThrow(/no seeds/);
  });
});
