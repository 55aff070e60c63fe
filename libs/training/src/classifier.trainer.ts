import { seededRandom, shuffleInPlace, throwIfAborted } from '@ktrdr/agent-domain';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { classCounts, classWeights, rangeLength, toBalance, validateClassifierData } from './classifier-data.util.js';
import { evaluateClassifier } from './classifier.predict.js';
import { skillMetrics } from './skill.metrics.js';
import type { ClassifierData, ClassifierMetrics, EpochLogs, ModelConfig, TrainClassifierOptions, TrainingHistory } from './classifier.types.js';
import { buildMlp } from './mlp.model.js';
import { initTrainingBackend } from './tf.backend.js';
import { yieldToEventLoop } from './event-loop.util.js';
import { TrainingDivergedError } from './training-input.error.js';

/**
 * How training stays responsive: on the worker's main thread, yielding to the event loop after
 * every batch from inside tfjs's fit loop (`yieldEvery: 'batch'`, a setImmediate on Node; costs
 * nothing measurable next to a batch) and between the steps around each epoch (fit, validation
 * pass, predict chunks). A cancel message, BullMQ's lock renewal and progress writes run in those
 * gaps; the abort listener sets `model.stopTraining`, which tfjs checks after every batch, so a
 * cancel stops the fit within one batch. Measured (tools/bench/training.bench.ts, 5,000 × 24, [64, 32],
 * batch 64): event-loop delay p99 ≈ 8 ms during a fit, abort → promise settled p99 < 1 ms.
 *
 * A worker thread was the alternative: it would block the event loop not at all, but it needs the
 * data and the trained weights copied across, a second wasm instance, and its own cancel and error
 * plumbing, for a gain that only matters when one batch takes longer than the cancel budget
 * (100 ms) — a very large model and batch (the schema allows 4 × 512 units, batch 4096), where
 * the batch itself, not the yielding, is the limit.
 */
export interface TrainedClassifier {
  /** The model with the best epoch's weights; the caller saves it (saveModel) and disposes it. */
  model: LayersModel;
  metrics: ClassifierMetrics;
}

/**
 * Trains the strategy's MLP on the training rows, early-stopping on validation loss (restoring the
 * best epoch's weights), and measures it on the test rows.
 *
 * Reproducible: initialisers, dropout masks and the per-epoch order of training rows all come from
 * `seed`; tfjs's own shuffle (Math.random) is off. Class imbalance: by default the training loss
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

  const { x, y, cols, split } = data;
  const { learning_rate, batch_size, epochs, early_stopping, seed } = modelConfig.training;
  const weighting = opts.classWeighting ?? 'balanced';
  const counts = classCounts(y, split.train);
  const trainRows = rangeLength(split.train);
  const weights = classWeights(counts, weighting);

  const model = buildMlp(cols, modelConfig);
  // Owned here, not by the model (tfjs only disposes optimizers it created from a name): disposed in `finally`.
  const optimizer = tf.train.adam(learning_rate);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });

  const [trainStart, trainEnd] = split.train;
  const xTrain = tf.tensor2d(x.subarray(trainStart * cols, trainEnd * cols), [trainRows, cols]);
  const yTrain = tf.tensor1d(Float32Array.from(y.subarray(trainStart, trainEnd)));
  let best: tf.Tensor[] | null = null;
  const stop = (): void => void (model.stopTraining = true);
  signal.addEventListener('abort', stop);
  try {
    await yieldToEventLoop();
    const initial = await evaluateClassifier(model, data, split.validation, weights, signal);
    const random = seededRandom(seed ^ 0x9e3779b9);
    const order = Int32Array.from({ length: trainRows }, (_, i) => i);
    const history: TrainingHistory = { loss: [], val_loss: [], acc: [], val_acc: [] };
    let bestEpoch = 0;
    let bestLoss = Number.POSITIVE_INFINITY;
    let bestValAcc = Number.NaN;
    let wait = 0;
    let stoppedEarly = false;

    for (let epoch = 1; epoch <= epochs; epoch++) {
      await yieldToEventLoop();
      throwIfAborted(signal);
      const fit = await fitOneEpoch(model, xTrain, yTrain, shuffleInPlace(order, random), batch_size, weights, signal);
      // A fit stopped by the abort listener returns normally, with a partial epoch.
      await yieldToEventLoop();
      throwIfAborted(signal);
      const val = await evaluateClassifier(model, data, split.validation, weights, signal);
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
      // Keras's EarlyStopping rule (tfjs's version cannot restore the best weights, hence our own).
      if (val.loss < bestLoss - early_stopping.min_delta) {
        bestLoss = val.loss;
        bestValAcc = val.accuracy;
        bestEpoch = epoch;
        wait = 0;
        best?.forEach((t) => t.dispose());
        best = model.getWeights().map((w) => w.clone());
      } else if (++wait >= early_stopping.patience) {
        stoppedEarly = epoch < epochs;
        break;
      }
    }
    throwIfAborted(signal);
    if (!best)
      throw new TrainingDivergedError(`training diverged: validation loss was not finite after epoch 1 (learning_rate ${learning_rate})`, { learning_rate });
    model.setWeights(best);

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
    signal.removeEventListener('abort', stop);
    best?.forEach((t) => t.dispose());
    xTrain.dispose();
    yTrain.dispose();
    optimizer.dispose();
  }
}

/** One pass over the training rows in the given order; returns the epoch's training loss and accuracy. */
async function fitOneEpoch(
  model: LayersModel,
  xTrain: tf.Tensor2D,
  yTrain: tf.Tensor1D,
  order: Int32Array,
  batchSize: number,
  weights: readonly number[],
  signal: AbortSignal,
): Promise<{ loss: number; acc: number }> {
  const [xs, ys] = tf.tidy(() => {
    const idx = tf.tensor1d(order, 'int32');
    return [tf.gather(xTrain, idx), tf.gather(yTrain, idx)];
  });
  try {
    const h = await model.fit(xs, ys, {
      epochs: 1,
      batchSize,
      shuffle: false,
      verbose: 0,
      classWeight: { 0: weights[0]!, 1: weights[1]!, 2: weights[2]! },
      yieldEvery: 'batch',
      callbacks: {
        // Backs up the abort listener: fit() clears stopTraining when it starts.
        onBatchBegin: () => {
          if (signal.aborted) model.stopTraining = true;
        },
      },
    });
    return { loss: Number(h.history['loss']?.[0] ?? Number.NaN), acc: Number(h.history['acc']?.[0] ?? Number.NaN) };
  } finally {
    xs.dispose();
    ys.dispose();
  }
}
