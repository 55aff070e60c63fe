import { FeaturesError } from './features.error.js';
import { foldRowPlan, walkForwardWindows, type FoldRowOptions } from './walk-forward.split.js';

/** 200 bars one second apart; bars 0–9 are indicator warm-up (not usable); the backtest window is bars 100–199. */
const barTime = Float64Array.from({ length: 200 }, (_, i) => i * 1000);
const usable = Int32Array.from({ length: 190 }, (_, i) => 10 + i);
const windows = walkForwardWindows(barTime.subarray(100), 5);
const bars = (rows: Int32Array): number[] => Array.from(rows, (i) => usable[i]!);
const opts: FoldRowOptions = { scheme: 'expanding', purge: 5, embargo: 3, validationShare: 0.2 };

describe('walkForwardWindows', () => {
  it('cuts 100 bars into 5 contiguous folds of 20, the last ending after the last bar', () => {
    expect(windows.map((w) => [w.fold, w.from / 1000, w.to / 1000])).toEqual([
      [1, 100, 120],
      [2, 120, 140],
      [3, 140, 160],
      [4, 160, 180],
      [5, 180, 199.001],
    ]);
  });

  it('gives the first n mod folds folds one bar more', () => {
    const w = walkForwardWindows(
      Float64Array.from({ length: 7 }, (_, i) => i),
      3,
    );
    expect(w.map((x) => [x.from, x.to])).toEqual([
      [0, 3],
      [3, 5],
      [5, 6 + 1],
    ]);
  });

  it('refuses fewer bars than folds, naming both', () => {
    expect(() => walkForwardWindows([1, 2], 3)).toThrow(/too few bars in the backtest window for 3 walk-forward folds: 2 bars/);
  });
});

describe('foldRowPlan', () => {
  it('fold 3/5, expanding: test bars 140–159; training ends 5 bars (purge) before them and skips 3 bars (embargo) after fold 1', () => {
    const plan = foldRowPlan(barTime, usable, windows, 2, opts);
    // Candidates: bars 10–134 without the embargo 120–122 → 110 + 12 = 122; validation ⌊122 × 0.2⌋ = 24 = bars 108–119 and 123–134;
    // train: bars before validation with bar + 5 < 108 → 10–102 (93 rows).
    expect(bars(plan.test)).toEqual(Array.from({ length: 20 }, (_, i) => 140 + i));
    expect(bars(plan.validation)).toEqual([...Array.from({ length: 12 }, (_, i) => 108 + i), ...Array.from({ length: 12 }, (_, i) => 123 + i)]);
    expect(bars(plan.train)).toEqual(Array.from({ length: 93 }, (_, i) => 10 + i));
  });

  it('fold 3/5, rolling: the training history is as long as the first fold had (85 bars), ending at the same purge', () => {
    const plan = foldRowPlan(barTime, usable, windows, 2, { ...opts, scheme: 'rolling' });
    // Fold 1 could train on bars 10–94 (85 bars); fold 3's limit is 135 → candidates from bar 50: 50–119 and 123–134 (82);
    // validation ⌊82 × 0.2⌋ = 16 = bars 116–119 and 123–134; train: 50–110.
    expect(bars(plan.validation)).toEqual([116, 117, 118, 119, ...Array.from({ length: 12 }, (_, i) => 123 + i)]);
    expect(bars(plan.train)).toEqual(Array.from({ length: 61 }, (_, i) => 50 + i));
  });

  it('never trains or validates on or after a fold’s test bars minus the purge, nor inside an embargo, for every fold and scheme', () => {
    for (const scheme of ['expanding', 'rolling'] as const) {
      for (const [k, w] of windows.entries()) {
        const plan = foldRowPlan(barTime, usable, windows, k, { ...opts, scheme });
        const testStart = w.from / 1000;
        const seen = [...bars(plan.train), ...bars(plan.validation)];
        expect(Math.max(...seen)).toBeLessThan(testStart - opts.purge);
        for (const earlier of windows.slice(0, k)) {
          const end = earlier.to / 1000;
          expect(seen.filter((b) => b >= end && b < end + opts.embargo)).toEqual([]);
        }
        // Between the last training bar and the first validation bar lie more than `purge` bars.
        expect(bars(plan.validation)[0]! - Math.max(...bars(plan.train))).toBeGreaterThan(opts.purge);
        expect(bars(plan.test).every((b) => b >= testStart && b < w.to / 1000)).toBe(true);
      }
    }
  });

  it('refuses a fold with nothing to train on, naming the fold and the counts', () => {
    const short = Int32Array.from({ length: 100 }, (_, i) => 100 + i); // nothing usable before the backtest window
    const err = (() => {
      try {
        foldRowPlan(barTime, short, windows, 0, { ...opts, context: ' for SP500 1d' });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(FeaturesError);
    expect((err as Error).message).toMatch(
      /^too few usable rows for SP500 1d for fold 1\/5: 0 to train, 0 to validate, 20 to test \(purge 5 bars, embargo 3\)/,
    );
  });
});
