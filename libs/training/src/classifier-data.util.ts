import { CLASS_LABELS } from '@ktrdr/agent-domain';
import type { ClassBalance, ClassifierData, ClassWeighting, RowRange } from './classifier.types.js';
import { TrainingInputError } from './training-input.error.js';

export const CLASS_COUNT = CLASS_LABELS.length;

export const rangeLength = ([start, end]: RowRange): number => end - start;

/** Throws TrainingInputError unless shapes agree, labels are 0..2 and the split ranges are in bounds, non-empty and disjoint. */
export function validateClassifierData(data: ClassifierData): void {
  const { x, rows, cols, y, split } = data;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows <= 0 || cols <= 0)
    throw new TrainingInputError(`rows and cols must be positive integers (got ${rows} × ${cols})`);
  if (x.length !== rows * cols) throw new TrainingInputError(`x has ${x.length} values, expected rows × cols = ${rows * cols}`);
  if (y.length !== rows) throw new TrainingInputError(`y has ${y.length} labels, expected one per row (${rows})`);
  for (let i = 0; i < y.length; i++) {
    if (y[i]! >= CLASS_COUNT) throw new TrainingInputError(`label ${y[i]} at row ${i} is not 0 (BUY), 1 (HOLD) or 2 (SELL)`);
  }
  const parts = (['train', 'validation', 'test'] as const).map((name) => ({ name, range: split[name] }));
  for (const { name, range } of parts) {
    const [start, end] = range;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > rows || end <= start) {
      throw new TrainingInputError(`split.${name} [${start}, ${end}) must be a non-empty range inside [0, ${rows})`);
    }
  }
  for (let i = 0; i < parts.length; i++) {
    for (let j = i + 1; j < parts.length; j++) {
      const a = parts[i]!;
      const b = parts[j]!;
      if (a.range[0] < b.range[1] && b.range[0] < a.range[1]) throw new TrainingInputError(`split.${a.name} and split.${b.name} overlap`);
    }
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) throw new TrainingInputError(`x has a non-finite value at row ${Math.floor(i / cols)}, column ${i % cols}`);
  }
}

export function classCounts(y: Uint8Array, [start, end]: RowRange): number[] {
  const counts = new Array<number>(CLASS_COUNT).fill(0);
  for (let i = start; i < end; i++) counts[y[i]!]!++;
  return counts;
}

export function toBalance(values: readonly number[]): ClassBalance {
  return { BUY: values[0]!, HOLD: values[1]!, SELL: values[2]! };
}

/**
 * Per-class loss weights. `balanced` is sklearn's n / (k · n_c) over the classes present in the
 * training part; a class absent from it keeps weight 1 (it cannot affect training, and its
 * validation rows still count).
 */
export function classWeights(counts: readonly number[], weighting: ClassWeighting): number[] {
  if (weighting === 'none') return counts.map(() => 1);
  const n = counts.reduce((s, c) => s + c, 0);
  const present = counts.filter((c) => c > 0).length;
  return counts.map((c) => (c > 0 ? n / (present * c) : 1));
}
