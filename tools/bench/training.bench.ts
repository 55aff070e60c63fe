import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CancelledError } from '@ktrdr/errors';
import { syntheticClasses, trainClassifier, type ClassifierData, type ModelConfig } from '@ktrdr/training';
import { summarize, type Summary } from './stats.js';
import { seededRandom } from './util.js';

/**
 * Benchmark 3: the real trainer (tfjs, in this process). Two measurements on a seeded synthetic
 * 3-class problem (5,000 training rows × 24 features, 1,000 validation rows, hidden [64, 32],
 * batch 64, dropout 0.1):
 *   (a) wall time per epoch — fit over the training rows plus the validation pass, i.e. the gap
 *       between consecutive `onEpoch` callbacks — over `epochs` epochs after one warm-up epoch,
 *       with the event-loop delay seen meanwhile (how long a cancel or lock renewal could wait);
 *   (b) cancel → stopped: each sample starts a long fit, aborts its signal from a timer at a
 *       random point (seeded, uniform in 40–400 ms after the start) and measures until
 *       trainClassifier's promise has settled (rejected with CancelledError): from abort(), and
 *       from the instant the timer was due (which adds the wait for the loop to yield).
 */

export interface TrainingBenchOptions {
  /** Measured epochs (default 12, at least 10). */
  epochs?: number;
  /** Cancel samples (default 24, at least 20). */
  cancels?: number;
  log?: (line: string) => void;
}

export interface TrainingBenchResult {
  /** tfjs backend the trainer used (`wasm`, or `cpu` after a logged fallback). */
  backend: string;
  trainRows: number;
  validationRows: number;
  features: number;
  batchSize: number;
  epochs: number;
  /** Wall time per epoch (ms): fit + validation pass. */
  epochMs: Summary;
  /** Event-loop delay during the timed epochs (ms, from perf_hooks' histogram). */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  cancels: number;
  /** abort() → trainClassifier settled (ms). */
  cancelStopMs: Summary;
  /**
   * When the abort timer was due → settled (ms): adds the wait for the training loop to yield so the
   * timer can fire, i.e. the latency a cancel message arriving at that instant would see.
   */
  cancelFromDueMs: Summary;
  /** Samples that did not end in CancelledError (should be 0). */
  cancelAnomalies: number;
  elapsedMs: number;
}

const TRAIN_ROWS = 5000;
const VALIDATION_ROWS = 1000;
const TEST_ROWS = 1000;
const FEATURES = 24;
const BATCH = 64;

function benchData(): ClassifierData {
  const rows = TRAIN_ROWS + VALIDATION_ROWS + TEST_ROWS;
  return syntheticClasses({ rows, cols: FEATURES, seed: 20240601, separation: 1.5, split: [TRAIN_ROWS / rows, VALIDATION_ROWS / rows, TEST_ROWS / rows] });
}

function modelConfig(epochs: number): ModelConfig {
  return {
    type: 'mlp',
    architecture: { hidden_layers: [64, 32], activation: 'relu', dropout: 0.1 },
    // patience = epochs: early stopping never cuts the timed run short.
    training: { learning_rate: 0.001, batch_size: BATCH, epochs, early_stopping: { patience: epochs, min_delta: 0 }, seed: 42, class_weighting: 'none' },
  };
}

export async function benchTraining(opts: TrainingBenchOptions = {}): Promise<TrainingBenchResult> {
  const epochs = Math.max(10, opts.epochs ?? 12);
  const cancels = Math.max(20, opts.cancels ?? 24);
  const log = opts.log ?? ((): void => undefined);
  const data = benchData();
  const started = performance.now();

  log(`  training: ${epochs} timed epochs, ${TRAIN_ROWS} × ${FEATURES}, batch ${BATCH}`);
  const epochMs: number[] = [];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let last = performance.now();
  const { model, metrics } = await trainClassifier(data, modelConfig(epochs + 1), {
    signal: new AbortController().signal,
    onEpoch: (epoch) => {
      const now = performance.now();
      if (epoch === 1)
        delay.enable(); // epoch 1 is the warm-up (kernel set-up, JIT)
      else epochMs.push(now - last);
      last = now;
    },
  });
  delay.disable();
  model.dispose();

  log(`  training: ${cancels} cancels at random points of a fit`);
  const random = seededRandom(7);
  const stopMs: number[] = [];
  const fromDueMs: number[] = [];
  let anomalies = 0;
  for (let i = 0; i < cancels; i++) {
    const controller = new AbortController();
    let abortedAt = 0;
    const delayMs = 40 + random() * 360;
    const dueAt = performance.now() + delayMs;
    const timer = setTimeout(() => {
      abortedAt = performance.now();
      controller.abort();
    }, delayMs);
    const settledAt = await trainClassifier(data, modelConfig(1000), { signal: controller.signal }).then(
      (r) => {
        r.model.dispose();
        anomalies++;
        return null;
      },
      (e: unknown) => {
        if (!(e instanceof CancelledError)) anomalies++;
        return performance.now();
      },
    );
    clearTimeout(timer);
    if (settledAt !== null && abortedAt > 0) {
      stopMs.push(settledAt - abortedAt);
      fromDueMs.push(settledAt - dueAt);
    }
  }

  return {
    backend: metrics.backend,
    trainRows: TRAIN_ROWS,
    validationRows: VALIDATION_ROWS,
    features: FEATURES,
    batchSize: BATCH,
    epochs: epochMs.length,
    epochMs: summarize(epochMs),
    eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
    eventLoopDelayMaxMs: delay.max / 1e6,
    cancels,
    cancelStopMs: summarize(stopMs),
    cancelFromDueMs: summarize(fromDueMs),
    cancelAnomalies: anomalies,
    elapsedMs: performance.now() - started,
  };
}
