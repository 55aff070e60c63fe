import { CancelledError } from '@ktrdr/errors';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from './classifier.types.js';
import { evaluateClassifier } from './classifier.predict.js';
import { trainClassifier } from './classifier.trainer.js';
import { packModel } from './model.pack.js';
import { syntheticClasses } from './synthetic-classes.fixture.js';
import { initTrainingBackend } from './tf.backend.js';
import { toTrainingResult } from './training-result.mapper.js';
import { TrainingInputError } from './training-input.error.js';

const config = (over: Partial<ModelConfig['training']> = {}, arch: Partial<ModelConfig['architecture']> = {}): ModelConfig => ({
  type: 'mlp',
  architecture: { hidden_layers: [16, 8], activation: 'relu', dropout: 0.1, ...arch },
  training: { learning_rate: 0.01, batch_size: 32, epochs: 15, early_stopping: { patience: 5, min_delta: 0.0005 }, seed: 7, ...over },
});
const live = (): AbortSignal => new AbortController().signal;

beforeAll(() => initTrainingBackend());

describe('trainClassifier', () => {
  const separable = syntheticClasses({ rows: 1500, cols: 8, seed: 1, separation: 2.5 });

  it('learns a separable 3-class problem well above the majority baseline', async () => {
    const { model, metrics } = await trainClassifier(separable, config(), { signal: live() });
    model.dispose();
    expect(metrics.baseline_accuracy).toBeGreaterThan(0.4);
    expect(metrics.baseline_accuracy).toBeLessThan(0.6);
    expect(metrics.accuracy).toBeGreaterThan(metrics.baseline_accuracy + 0.3);
    expect(metrics.final_loss).toBeLessThan(0.6 * metrics.initial_loss);
    expect(metrics.samples).toEqual({ train: 900, validation: 300, test: 300 });
    expect(metrics.class_balance.BUY + metrics.class_balance.HOLD + metrics.class_balance.SELL).toBeCloseTo(1, 10);
    expect(metrics.class_balance.HOLD).toBeGreaterThan(metrics.class_balance.BUY);
    // Balanced weights: the rarer a class in training, the heavier its weight.
    expect(metrics.class_weights.BUY).toBeGreaterThan(metrics.class_weights.HOLD);
    expect(metrics.history.val_loss).toHaveLength(metrics.epochs_run);
    expect(metrics.history.acc).toHaveLength(metrics.epochs_run);
    expect([...metrics.history.loss, ...metrics.history.acc, ...metrics.history.val_acc].every(Number.isFinite)).toBe(true);
    expect(metrics.backend).toBe('wasm');
    const result = toTrainingResult(metrics, {
      model_path: 'blob:4f2a9c0e7b1d3a5c8e6f0b2d4a6c8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d',
      symbols: ['SP500'],
      timeframe: '1d',
    });
    expect(result).toMatchObject({
      model_path: 'blob:4f2a9c0e7b1d3a5c8e6f0b2d4a6c8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d',
      accuracy: metrics.accuracy,
      best_epoch: metrics.best_epoch,
      feature_count: 8,
      seed: 7,
    });
    expect(result.history).toEqual({ loss: metrics.history.loss, val_loss: metrics.history.val_loss });
  });

  it('with class weighting off, reports plain cross-entropy and unit weights', async () => {
    const { model, metrics } = await trainClassifier(separable, config({ epochs: 3 }), { signal: live(), classWeighting: 'none' });
    try {
      expect(metrics.class_weighting).toBe('none');
      expect(metrics.class_weights).toEqual({ BUY: 1, HOLD: 1, SELL: 1 });
      const plain = await evaluateClassifier(model, separable, separable.split.test, [1, 1, 1]);
      expect(metrics.test_loss).toBeCloseTo(plain.loss, 6);
      expect(metrics.accuracy).toBe(plain.accuracy);
    } finally {
      model.dispose();
    }
  });

  it('gives the same metrics for the same seed, different weights for another seed, and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const a = await trainClassifier(separable, config({ epochs: 6 }), { signal: live() });
    const b = await trainClassifier(separable, config({ epochs: 6 }), { signal: live() });
    const c = await trainClassifier(separable, config({ epochs: 6, seed: 8 }), { signal: live() });
    expect(b.metrics).toEqual(a.metrics);
    const flat = (m: typeof a.model): Float32Array => Float32Array.from(m.getWeights().flatMap((w) => Array.from(w.dataSync())));
    expect(flat(b.model)).toEqual(flat(a.model));
    expect(flat(c.model)).not.toEqual(flat(a.model));
    expect(c.metrics.final_loss).not.toBe(a.metrics.final_loss);
    [a, b, c].forEach((r) => r.model.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops early on a problem that stops improving and keeps the best epoch’s weights', async () => {
    // Pure noise: validation loss bottoms out within a few epochs, then the model overfits.
    const noise = syntheticClasses({ rows: 600, cols: 8, seed: 3, separation: 0 });
    const epochs = 60;
    const { model, metrics } = await trainClassifier(
      noise,
      config({ epochs, learning_rate: 0.02, early_stopping: { patience: 3, min_delta: 0.001 } }, { hidden_layers: [32], dropout: 0 }),
      { signal: live() },
    );
    try {
      expect(metrics.stopped_early).toBe(true);
      expect(metrics.epochs_planned).toBe(epochs);
      expect(metrics.epochs_run).toBeLessThan(epochs);
      // The phase result says so too, so clients can print `stopped at epoch N/60 (early stop ...)`.
      const result = toTrainingResult(metrics, { model_path: '/m/x' });
      expect(result).toMatchObject({ stopped_early: true, epochs_planned: epochs, epochs_run: metrics.epochs_run, best_epoch: metrics.best_epoch });
      expect(metrics.epochs_run).toBe(metrics.best_epoch + 3);
      expect(metrics.final_loss).toBe(metrics.history.val_loss[metrics.best_epoch - 1]);
      expect(metrics.final_loss).toBeLessThan(metrics.history.val_loss[metrics.epochs_run - 1]!);
      // The returned model really carries the best epoch's weights, not the last epoch's.
      const now = await evaluateClassifier(model, noise, noise.split.validation, [
        metrics.class_weights.BUY,
        metrics.class_weights.HOLD,
        metrics.class_weights.SELL,
      ]);
      expect(now.loss).toBeCloseTo(metrics.final_loss, 6);
    } finally {
      model.dispose();
    }
  });

  it('stops soon after a cancel, rejects with CancelledError, keeps the event loop turning and hands no model on to be stored', async () => {
    const big = syntheticClasses({ rows: 4000, cols: 16, seed: 5, separation: 1 });
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let ticks = 0;
    let ticksAtAbort = -1;
    const ticker = setInterval(() => ticks++, 1);
    let epochsReported = 0;
    const total = 200;
    const run = trainClassifier(big, config({ epochs: total, batch_size: 16, early_stopping: { patience: 100, min_delta: 0 } }), {
      signal: controller.signal,
      onEpoch: (epoch) => {
        epochsReported = epoch;
        // Abort from a timer, mid-way through the next epoch's fit: it can only fire if training yields.
        if (epoch === 1) setTimeout(() => ((ticksAtAbort = ticks), controller.abort()), 20);
      },
    }).then((r) => packModel(r.model, {}, { signal: controller.signal }));
    try {
      await expect(run).rejects.toBeInstanceOf(CancelledError);
    } finally {
      clearInterval(ticker);
    }
    expect(ticksAtAbort).toBeGreaterThan(0);
    expect(epochsReported).toBeGreaterThanOrEqual(1);
    expect(epochsReported).toBeLessThan(total);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects at once when the signal has already aborted', async () => {
    const controller = new AbortController();
    controller.abort('Parent cancelled');
    await expect(trainClassifier(separable, config(), { signal: controller.signal })).rejects.toThrow(new CancelledError('Parent cancelled'));
  });

  it('refuses inconsistent input with TrainingInputError', async () => {
    const overlapping = { ...separable, split: { train: [0, 900], validation: [800, 1200], test: [1200, 1500] } as const };
    await expect(trainClassifier(overlapping, config(), { signal: live() })).rejects.toThrow(TrainingInputError);
    const badLabel = { ...separable, y: Uint8Array.from(separable.y, (v, i) => (i === 10 ? 3 : v)) };
    await expect(trainClassifier(badLabel, config(), { signal: live() })).rejects.toThrow(/label 3 at row 10/);
    await expect(trainClassifier({ ...separable, rows: 1499 }, config(), { signal: live() })).rejects.toThrow(/expected rows × cols/);
  });
});
