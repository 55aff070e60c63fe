import type { ClassifierData } from './classifier.types.js';
import { seededRandom } from '@ktrdr/agent-domain';

export interface SyntheticClassesOptions {
  rows: number;
  cols: number;
  seed: number;
  /** Distance of each class centre from the origin in units of the noise σ (0 = pure noise, no signal). */
  separation: number;
  /** Probabilities of BUY, HOLD, SELL (default 0.25, 0.5, 0.25: HOLD-heavy like ZigZag labels). */
  classProbabilities?: readonly [number, number, number];
  /** Fractions of rows for train/validation/test, in time order (default 0.6/0.2/0.2). */
  split?: readonly [number, number, number];
}

/**
 * A seeded 3-class problem for tests and benchmarks: each row's label is drawn with the given
 * probabilities and its features are that class's centre plus unit Gaussian noise, so accuracy is
 * controlled by `separation`. Not market data: it exercises the trainer, not a strategy.
 */
export function syntheticClasses(opts: SyntheticClassesOptions): ClassifierData {
  const { rows, cols, seed, separation } = opts;
  const [pBuy, pHold] = opts.classProbabilities ?? [0.25, 0.5, 0.25];
  const [fTrain, fVal] = opts.split ?? [0.6, 0.2, 0.2];
  const random = seededRandom(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = [0, 1, 2].map(() => {
    const v = Array.from({ length: cols }, gaussian);
    const norm = Math.hypot(...v) || 1;
    return v.map((c) => (c / norm) * separation);
  });
  const x = new Float32Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const u = random();
    const label = u < pBuy ? 0 : u < pBuy + pHold ? 1 : 2;
    y[r] = label;
    for (let c = 0; c < cols; c++) x[r * cols + c] = centres[label]![c]! + gaussian();
  }
  const trainEnd = Math.round(rows * fTrain);
  const valEnd = Math.round(rows * (fTrain + fVal));
  return { x, rows, cols, y, split: { train: [0, trainEnd], validation: [trainEnd, valEnd], test: [valEnd, rows] } };
}
