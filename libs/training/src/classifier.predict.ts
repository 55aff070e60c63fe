import { throwIfAborted } from '@ktrdr/agent-domain';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { CLASS_COUNT } from './classifier-data.util.js';
import type { RowRange } from './classifier.types.js';
import { yieldToEventLoop } from './event-loop.util.js';

/** Rows per predict call: large enough to amortise call overhead, small enough (a few ms) that the event loop gets a turn between chunks. */
const PREDICT_CHUNK_ROWS = 2048;
/** Keras's clipping of probabilities before the log, so a confident wrong answer costs a large but finite loss. */
const EPSILON = 1e-7;

/**
 * Class probabilities (row-major rows × 3: BUY, HOLD, SELL) for `rows` rows of `x`, predicted in
 * chunks with a yield to the event loop and an abort check between them.
 */
export async function predictProbabilities(model: LayersModel, x: Float32Array, rows: number, cols: number, signal?: AbortSignal): Promise<Float32Array> {
  if (x.length < rows * cols) throw new RangeError(`x has ${x.length} values, fewer than rows × cols = ${rows * cols}`);
  const out = new Float32Array(rows * CLASS_COUNT);
  for (let start = 0; start < rows; start += PREDICT_CHUNK_ROWS) {
    if (signal) throwIfAborted(signal);
    const end = Math.min(rows, start + PREDICT_CHUNK_ROWS);
    const probs = tf.tidy(() => model.predict(tf.tensor2d(x.subarray(start * cols, end * cols), [end - start, cols])) as tf.Tensor);
    try {
      out.set(probs.dataSync(), start * CLASS_COUNT);
    } finally {
      probs.dispose();
    }
    if (end < rows) await yieldToEventLoop();
  }
  return out;
}

export interface SplitEvaluation {
  /** Cross-entropy averaged with the class weights: Σ wᵢ·CEᵢ / Σ wᵢ (a uniform guess scores ln 3 whatever the weights). */
  loss: number;
  /** Plain fraction of rows whose most probable class is the label. */
  accuracy: number;
  /** The predicted probabilities, CLASS_COUNT per row (the test part's skill is measured on them). */
  probabilities: Float32Array;
}

/** Loss and accuracy of `model` on rows [start, end) of a row-major feature matrix. */
export async function evaluateClassifier(
  model: LayersModel,
  data: { x: Float32Array; y: Uint8Array; cols: number },
  [start, end]: RowRange,
  weights: readonly number[],
  signal?: AbortSignal,
): Promise<SplitEvaluation> {
  const { x, y, cols } = data;
  const rows = end - start;
  const probs = await predictProbabilities(model, x.subarray(start * cols, end * cols), rows, cols, signal);
  return { ...scoreProbabilities(probs, y.subarray(start, end), weights), probabilities: probs };
}

/**
 * Weighted cross-entropy (Σ wᵢ·CEᵢ / Σ wᵢ, probabilities clipped like Keras) and plain accuracy of
 * CLASS_COUNT probabilities per row against `labels` (one per row). The trainer scores its own
 * validation passes with it too, so both measure the same way.
 */
export function scoreProbabilities(probs: Float32Array, labels: Uint8Array, weights: readonly number[]): { loss: number; accuracy: number } {
  const rows = labels.length;
  let weightedLoss = 0;
  let weightSum = 0;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const label = labels[r]!;
    const o = r * CLASS_COUNT;
    const w = weights[label]!;
    weightedLoss -= w * Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, probs[o + label]!)));
    weightSum += w;
    let argmax = 0;
    for (let c = 1; c < CLASS_COUNT; c++) if (probs[o + c]! > probs[o + argmax]!) argmax = c;
    if (argmax === label) correct++;
  }
  return { loss: weightSum > 0 ? weightedLoss / weightSum : Number.NaN, accuracy: rows > 0 ? correct / rows : Number.NaN };
}
