import { seededRandom, shuffleInPlace, throwIfAborted } from '@ktrdr/agent-domain';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { CLASS_COUNT, classCounts, classWeights, rangeLength, toBalance, validateClassifierData } from './classifier-data.util.js';
import { evaluateClassifier, scoreProbabilities } from './classifier.predict.js';
import { skillMetrics } from './skill.metrics.js';
import type { ClassifierData, ClassifierMetrics, EpochLogs, ModelConfig, RowRange, TrainClassifierOptions, TrainingHistory } from './classifier.types.js';
import { simdAvailable } from './gemm.kernel.js';
import { MlpEngine, macsPerRow, type MlpShape } from './mlp.engine.js';
import { buildMlp } from './mlp.model.js';
import { initTrainingBackend } from './tf.backend.js';
import { yieldToEventLoop } from './event-loop.util.js';
import { TrainingDivergedError } from './training-input.error.js';

/**
 * Training runs in MlpEngine (mlp.engine.ts: hand-written forward/backward/Adam on typed arrays;
 * that file says why not tfjs, with the measurements). tfjs builds the model (buildMlp, its seeded
 * initialisers give the starting weights). It receives the best epoch's weights at the end. It
 * measures the test part, so the gate's numbers come from the very model that is saved and that the
 * backtest loads.
 *
 * How training stays responsive: the work is cut into chunks of rows (a whole batch, or fewer rows
 * of a batch when the network is large, so that one chunk stays near CHUNK_MACS_SIMD multiply-adds,
 * ~1 ms), and after any chunk that ends a slice of YIELD_EVERY_MS the loop yields to the event loop
 * (setImmediate) and checks the abort signal. A cancel message, BullMQ's lock renewal and progress
 * writes run in those gaps, and a cancel stops training within one slice: the promise rejects with
 * CancelledError. The chunking depends on the architecture only and the yielding changes no number,
 * so runs stay reproducible. Measured (tools/bench/training.bench.ts, 5,000 × 24, [64, 32],
 * batch 64): see docs/BENCHMARKS.md.
 *
 * A worker thread was the alternative: it would block the event loop not at all, but it needs the
 * data and the trained weights copied across and its own cancel and error plumbing. Slices of a few
 * ms already keep the loop responsive.
 */
export interface TrainedClassifier {
  /** The model with the best epoch's weights; the caller packs it (packModel) for the store and disposes it. */
  model: LayersModel;
  metrics: ClassifierMetrics;
}

/**
 * Trains the strategy's MLP on the training rows, early-stopping on validation loss (restoring the
 * best epoch's weights), and measures it on the test rows.
 *
 * Reproducible: initialisers, dropout masks and the per-epoch order of training rows all come from
 * `seed`, and the engine's arithmetic runs in a fixed order. Class imbalance: by default the training loss
 * weighs classes `balanced` (see ClassWeighting), and the validation/test losses use the same
 * weights so early stopping watches the objective being trained; accuracies stay unweighted.
 *
 * Rejects with CancelledError soon after `opts.signal` aborts (nothing is saved: saving is the
 * caller's separate step), with TrainingInputError on inconsistent data and TrainingDivergedError
 * when no epoch produced a finite validation loss. All tensors it creates are disposed, except the
 * returned model's.
 */
export async function trainClassifier(data: ClassifierData, modelConfig: ModelConfig, opts: TrainClassifierOptions): Promise<TrainedClassifier> {
  const { signal } = opts;
  throwIfAborted(signal);
  validateClassifierData(data);
  const backend = await initTrainingBackend(opts.log);
  throwIfAborted(signal);

  const { y, cols, split } = data;
  const { hidden_layers, activation, dropout } = modelConfig.architecture;
  const { learning_rate, batch_size, epochs, early_stopping, seed } = modelConfig.training;
  const weighting = opts.classWeighting ?? 'balanced';
  const counts = classCounts(y, split.train);
  const trainRows = rangeLength(split.train);
  const weights = classWeights(counts, weighting);

  const model = buildMlp(cols, modelConfig);
  // Compiled so the packed model's topology keeps its training config as before; the optimizer itself never
  // runs (MlpEngine trains). Owned here, not by the model: disposed in `finally`.
  const optimizer = tf.train.adam(learning_rate);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  try {
    const initialTensors = model.getWeights();
    const shapes = initialTensors.map((t) => t.shape);
    const shape: MlpShape = { inputs: cols, hidden: hidden_layers, outputs: CLASS_COUNT, activation, dropout };
    const perRow = macsPerRow(shape);
    // Backward costs about twice the forward: a training chunk is a third of a prediction chunk.
    const chunkMacs = simdAvailable() ? CHUNK_MACS_SIMD : CHUNK_MACS_JS;
    const trainChunk = Math.max(1, Math.min(batch_size, Math.floor(chunkMacs / (3 * perRow))));
    const predictChunk = Math.max(1, Math.min(MAX_PREDICT_CHUNK, Math.floor(chunkMacs / perRow)));
    const engine = new MlpEngine(
      shape,
      initialTensors.map((t) => Float32Array.from(t.dataSync() as Float32Array)),
      // The same per-layer seeds buildMlp gives its ReseededDropout layers.
      { learningRate: learning_rate, maxRows: Math.max(trainChunk, predictChunk), dropoutSeeds: hidden_layers.map((_, i) => seed + 7919 * (i + 1)) },
    );
    const slices = new Slices(signal);
    const validate = (): Promise<{ loss: number; accuracy: number }> => scoreSplit(engine, data, split.validation, weights, predictChunk, slices);

    await slices.pause();
    const initial = await validate();
    const random = seededRandom(seed ^ 0x9e3779b9);
    const order = Int32Array.from({ length: trainRows }, (_, i) => split.train[0] + i);
    const history: TrainingHistory = { loss: [], val_loss: [], acc: [], val_acc: [] };
    let best: Float32Array[] | null = null;
    let bestEpoch = 0;
    let bestLoss = Number.POSITIVE_INFINITY;
    let bestValAcc = Number.NaN;
    let wait = 0;
    let stoppedEarly = false;

    for (let epoch = 1; epoch <= epochs; epoch++) {
      await slices.pause();
      const fit = await fitOneEpoch(engine, data, shuffleInPlace(order, random), batch_size, trainChunk, weights, slices);
      const val = await validate();
      const logs: EpochLogs = { loss: fit.loss, acc: fit.acc, val_loss: val.loss, val_acc: val.accuracy };
      history.loss.push(logs.loss);
      history.acc.push(logs.acc);
      history.val_loss.push(logs.val_loss);
      history.val_acc.push(logs.val_acc);
      await opts.onEpoch?.(epoch, epochs, logs);

      if (!Number.isFinite(val.loss)) {
        // Diverged (NaN weights): later epochs cannot recover, keep the best finite epoch.
        stoppedEarly = epoch < epochs;
        break;
      }
      // Keras's EarlyStopping rule, restoring the best epoch's weights at the end.
      if (val.loss < bestLoss - early_stopping.min_delta) {
        bestLoss = val.loss;
        bestValAcc = val.accuracy;
        bestEpoch = epoch;
        wait = 0;
        best = engine.weights();
      } else if (++wait >= early_stopping.patience) {
        stoppedEarly = epoch < epochs;
        break;
      }
    }
    throwIfAborted(signal);
    if (!best)
      throw new TrainingDivergedError(`training diverged: validation loss was not finite after epoch 1 (learning_rate ${learning_rate})`, { learning_rate });
    const bestTensors = best.map((w, i) => tf.tensor(w, shapes[i]));
    try {
      model.setWeights(bestTensors);
    } finally {
      bestTensors.forEach((t) => t.dispose());
    }

    const test = await evaluateClassifier(model, data, split.test, weights, signal);
    const testRows = rangeLength(split.test);
    const trainShares = counts.map((c) => c / trainRows);
    const skill = skillMetrics(test.probabilities, y.subarray(split.test[0], split.test[1]), trainShares);
    const metrics: ClassifierMetrics = {
      initial_loss: initial.loss,
      final_loss: bestLoss,
      val_accuracy: bestValAcc,
      accuracy: test.accuracy,
      test_loss: test.loss,
      // The honest baseline: the test part's own majority class, not the training part's measured on it.
      baseline_accuracy: skill.majority_baseline,
      ...skill,
      class_balance: toBalance(trainShares),
      class_weights: toBalance(weights),
      class_weighting: weighting,
      epochs_run: history.loss.length,
      epochs_planned: epochs,
      best_epoch: bestEpoch,
      stopped_early: stoppedEarly,
      history,
      samples: { train: trainRows, validation: rangeLength(split.validation), test: testRows },
      feature_count: cols,
      seed,
      backend: backend.name,
    };
    return { model, metrics };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    optimizer.dispose();
  }
}

/** Multiply-adds in one chunk of work, about 1 ms: ~0.15 ns each in the SIMD kernel, ~1 ns in its JS fallback. */
const CHUNK_MACS_SIMD = 6_000_000;
const CHUNK_MACS_JS = 1_000_000;
/** Rows per validation chunk at most (the trainer's tiny networks would otherwise ask for ~10⁵). */
const MAX_PREDICT_CHUNK = 1024;
/** Longest stretch of compute between two yields to the event loop. */
const YIELD_EVERY_MS = 2;

/** Time slices of compute: `due()` after YIELD_EVERY_MS, then `pause()` yields and throws CancelledError if the signal aborted meanwhile. */
class Slices {
  private started = performance.now();
  constructor(private readonly signal: AbortSignal) {}

  due(): boolean {
    return this.signal.aborted || performance.now() - this.started >= YIELD_EVERY_MS;
  }

  async pause(): Promise<void> {
    throwIfAborted(this.signal);
    await yieldToEventLoop();
    throwIfAborted(this.signal);
    this.started = performance.now();
  }
}

/** One pass over the training rows in `order` (absolute row indices); returns the epoch's training loss and accuracy. */
async function fitOneEpoch(
  engine: MlpEngine,
  data: ClassifierData,
  order: Int32Array,
  batchSize: number,
  chunk: number,
  weights: readonly number[],
  slices: Slices,
): Promise<{ loss: number; acc: number }> {
  const { x, y } = data;
  const rows = order.length;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < rows; start += batchSize) {
    const end = Math.min(rows, start + batchSize);
    engine.zeroGrad();
    for (let from = start; from < end; from += chunk) {
      const stats = engine.accumulate(x, y, order, from, Math.min(end, from + chunk), end - start, weights);
      lossSum += stats.lossSum;
      correct += stats.correct;
      if (slices.due()) await slices.pause();
    }
    engine.adamStep();
  }
  // Keras reports the mean of the per-batch means weighted by batch size: Σ w·CE over the rows / rows.
  return { loss: lossSum / rows, acc: correct / rows };
}

/** The engine's loss and accuracy on a split, scored as evaluateClassifier scores the tfjs model. */
async function scoreSplit(
  engine: MlpEngine,
  data: ClassifierData,
  [start, end]: RowRange,
  weights: readonly number[],
  chunk: number,
  slices: Slices,
): Promise<{ loss: number; accuracy: number }> {
  const probs = new Float32Array((end - start) * CLASS_COUNT);
  const x = data.x.subarray(start * data.cols, end * data.cols);
  for (let from = 0; from < end - start; from += chunk) {
    engine.predict(x, from, Math.min(end - start, from + chunk), probs);
    if (slices.due()) await slices.pause();
  }
  return scoreProbabilities(probs, data.y.subarray(start, end), weights);
}
