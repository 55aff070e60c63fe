import { chronologicalSplit } from './dataset.split.js';
import { FeaturesError } from './features.error.js';

const range = (from: number, to: number): Int32Array => Int32Array.from({ length: to - from }, (_, i) => from + i);
const fractions = { train: 0.7, validation: 0.15, test: 0.15 };

describe('chronologicalSplit', () => {
  it('splits 100 contiguous rows with a 5-bar purge into exact ranges', () => {
    // usable = 100 - 2×5 = 90 → train ⌊63⌋, validation ⌊13.5⌋ = 13, test 90 - 63 - 13 = 14.
    const plan = chronologicalSplit(range(0, 100), fractions, 5);
    expect(plan.train).toEqual({ start: 0, end: 63 });
    expect(plan.purged[0]).toEqual({ start: 63, end: 68 });
    expect(plan.validation).toEqual({ start: 68, end: 81 });
    expect(plan.purged[1]).toEqual({ start: 81, end: 86 });
    expect(plan.test).toEqual({ start: 86, end: 100 });
  });

  it('leaves exactly `purge` bars between the last row of a part and the first of the next, and no overlap', () => {
    const bars = range(30, 530); // usable rows start after a warm-up, as real data does
    const purge = 20;
    const plan = chronologicalSplit(bars, fractions, purge);
    const lastTrainBar = bars[plan.train.end - 1]!;
    const firstValBar = bars[plan.validation.start]!;
    const lastValBar = bars[plan.validation.end - 1]!;
    const firstTestBar = bars[plan.test.start]!;
    // A label at bar t reads closes up to t + purge: the next part starts at t + purge + 1.
    expect(firstValBar - lastTrainBar).toBe(purge + 1);
    expect(firstTestBar - lastValBar).toBe(purge + 1);
    expect(plan.train.end).toBeLessThanOrEqual(plan.validation.start);
    expect(plan.validation.end).toBeLessThanOrEqual(plan.test.start);
    const sizes = [plan.train, plan.validation, plan.test].map((p) => p.end - p.start);
    expect(sizes.reduce((a, b) => a + b) + 2 * purge).toBe(500);
    expect(sizes).toEqual([322, 69, 69]);
  });

  it('purges by bar index when usable rows have gaps (the purge then drops fewer rows)', () => {
    // Bars 0..49, then a hole (rows without features) and 60..109.
    const bars = Int32Array.from([...range(0, 50), ...range(60, 110)]);
    const plan = chronologicalSplit(bars, { train: 0.5, validation: 0.25, test: 0.25 }, 5);
    // usable = 100 - 10 = 90 → train 45 (bars 0..44); purge drops bars 45..49 (5 rows: 50..59 are absent anyway).
    expect(plan.train).toEqual({ start: 0, end: 45 });
    expect(bars[plan.validation.start]).toBe(60);
    expect(plan.validation).toEqual({ start: 50, end: 72 });
    expect(bars[plan.test.start]! - bars[plan.validation.end - 1]!).toBe(6);
  });

  it('refuses too few rows with an insufficient_rows error', () => {
    expect(() => chronologicalSplit(range(0, 12), fractions, 5)).toThrow(FeaturesError);
    try {
      chronologicalSplit(range(0, 12), fractions, 5, ' for SP500 1d');
    } catch (e) {
      expect((e as FeaturesError).reason).toBe('insufficient_rows');
      expect((e as FeaturesError).message).toMatch(/too few usable rows for SP500 1d/);
    }
    expect(() => chronologicalSplit(range(0, 0), fractions, 0)).toThrow(FeaturesError);
  });
});
