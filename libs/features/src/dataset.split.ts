import { ErrorCode } from '@ktrdr/errors';
import { FeaturesError } from './features.error.js';

/** Half-open range [start, end) of positions in the usable-row list. */
export interface PartRange {
  start: number;
  end: number;
}

export interface SplitPlan {
  train: PartRange;
  validation: PartRange;
  test: PartRange;
  /** Rows dropped between train and validation, and between validation and test. */
  purged: [PartRange, PartRange];
}

export interface SplitFractions {
  train: number;
  validation: number;
  test: number;
}

// Fractions like 0.7 × 100 land a hair below the integer in floating point; don't lose a row to it.
const floorFraction = (n: number, f: number): number => Math.floor(n * f + 1e-9);

/**
 * Chronological train / validation / test split of one symbol's usable rows with a purge gap.
 *
 * `barIndex[k]` is the base-bar index of usable row k (strictly increasing). A label at bar t reads
 * closes up to t + purgeBars, so after the last row of a part every row with bar index ≤ its bar +
 * purgeBars is dropped: the next part starts strictly after the bars any earlier label looked at.
 *
 * Sizes: with m usable rows and contiguous bars, u = m − 2·purgeBars rows are kept, train gets
 * ⌊u·train⌋, validation ⌊u·validation⌋, test the rest; with gaps in the bar indices the purge drops
 * fewer rows and the test part gets them.
 */
export function chronologicalSplit(barIndex: ArrayLike<number>, fractions: SplitFractions, purgeBars: number, context = ''): SplitPlan {
  const m = barIndex.length;
  const usable = m - 2 * purgeBars;
  const nTrain = floorFraction(usable, fractions.train);
  const nVal = floorFraction(usable, fractions.validation);
  const tooFew = (): FeaturesError =>
    new FeaturesError(
      ErrorCode.NoMarketData,
      'insufficient_rows',
      `too few usable rows${context} to split: ${m} rows with complete features and labels, need room for train/validation/test ` +
        `(${fractions.train}/${fractions.validation}/${fractions.test}) and two purge gaps of ${purgeBars} bars; use a longer date range`,
      { rows: m, purge_bars: purgeBars },
    );
  if (usable < 3 || nTrain < 1 || nVal < 1 || usable - nTrain - nVal < 1) throw tooFew();

  const afterPurge = (from: number): number => {
    const limit = barIndex[from - 1]! + purgeBars;
    let k = from;
    while (k < m && barIndex[k]! <= limit) k++;
    return k;
  };

  const train = { start: 0, end: nTrain };
  const vStart = afterPurge(train.end);
  const validation = { start: vStart, end: Math.min(m, vStart + nVal) };
  const tStart = afterPurge(validation.end);
  const test = { start: tStart, end: m };
  if (validation.end - validation.start < 1 || test.end - test.start < 1) throw tooFew();
  return {
    train,
    validation,
    test,
    purged: [
      { start: train.end, end: vStart },
      { start: validation.end, end: tStart },
    ],
  };
}
