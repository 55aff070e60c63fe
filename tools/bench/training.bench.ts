import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CancelledError } from '@ktrdr/errors';
import { syntheticClasses, trainClassifier, type ClassifierData, type ModelConfig } from '@ktrdr/training';
import { repoRoot } from '../shared/repo-root.js';
import { loadAverage, machineInfo, type MachineInfo } from './machine.js';
import { writeDocsEnabled, writeMarkedSection } from './ops.bench.js';
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
 *       from the instant the timer was due (which adds the wait for the loop to yield);
 *   (c) the numpy reference, run right after (a) as a child process: tools/bench/numpy-epoch.py,
 *       the same network, step and validation pass in plain numpy (one BLAS thread, like our
 *       single-threaded trainer; more threads are slower on matrices this small), 20 timed epochs
 *       after 2 warm-ups. Reported beside (a) as the ratio ours / numpy of the p50s (target ≤ 3).
 *       No python3 or no numpy: reported as "not run: <why>", the rest still runs.
 * Part of `npm run bench`; alone: `BENCH_ONLY=training npm run bench` (or, built,
 * `node tools/dist/bench/training.bench.js`), which writes only its own section of
 * docs/BENCHMARKS.md (BENCH_WRITE_DOCS=0 leaves the file alone).
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
  /** The numpy reference epoch, or why it did not run. */
  numpy: NumpyReference;
  /** Our epoch p50 / numpy's epoch p50 (NaN when numpy did not run). */
  ratioP50: number;
  elapsedMs: number;
}

export type NumpyReference =
  { ran: true; epochMs: { n: number; p50: number; p99: number; max: number }; numpy: string; python: string } | { ran: false; why: string };

/** Ours may take at most this many times numpy's epoch (p50 against p50). */
export const NUMPY_RATIO_TARGET = 3;
const NUMPY_EPOCHS = 20;
const NUMPY_WARMUP = 2;

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

  log(`  training: numpy reference (${NUMPY_EPOCHS} timed epochs)`);
  const numpy = await benchNumpyEpoch();
  log(`  training: ${numpy.ran ? `numpy p50 ${numpy.epochMs.p50.toFixed(1)} ms` : `numpy not run: ${numpy.why}`}`);

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

  const epochSummary = summarize(epochMs);
  return {
    backend: metrics.backend,
    trainRows: TRAIN_ROWS,
    validationRows: VALIDATION_ROWS,
    features: FEATURES,
    batchSize: BATCH,
    epochs: epochMs.length,
    epochMs: epochSummary,
    eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
    eventLoopDelayMaxMs: delay.max / 1e6,
    cancels,
    cancelStopMs: summarize(stopMs),
    cancelFromDueMs: summarize(fromDueMs),
    cancelAnomalies: anomalies,
    numpy,
    ratioP50: numpy.ran ? epochSummary.p50 / numpy.epochMs.p50 : Number.NaN,
    elapsedMs: performance.now() - started,
  };
}

/** Runs tools/bench/numpy-epoch.py with python3 from PATH; any way it cannot run becomes `{ ran: false, why }`. */
export function benchNumpyEpoch(): Promise<NumpyReference> {
  const script = join(repoRoot(__dirname), 'tools', 'bench', 'numpy-epoch.py');
  // One BLAS thread: the trainer is single-threaded, and on 64-row products OpenBLAS's threads cost more than they give.
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  return new Promise((resolve) => {
    execFile('python3', [script, '--epochs', String(NUMPY_EPOCHS), '--warmup', String(NUMPY_WARMUP)], { env, timeout: 180_000 }, (err, stdout, stderr) => {
      const out = parseJson(stdout.trim().split('\n').pop() ?? '');
      if (out && typeof out['error'] === 'string') return resolve({ ran: false, why: out['error'] });
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return resolve({ ran: false, why: 'python3 not found on PATH' });
        const last = stderr.trim().split('\n').pop() ?? '';
        return resolve({
          ran: false,
          why: `python3 ${script} failed (${err.killed ? 'timed out' : `exit ${String(code ?? err.message)}`})${last ? `: ${last}` : ''}`,
        });
      }
      const num = (k: string): number => (typeof out?.[k] === 'number' ? (out[k] as number) : Number.NaN);
      if (!out || !Number.isFinite(num('p50'))) return resolve({ ran: false, why: `unexpected output from numpy-epoch.py: ${stdout.trim().slice(0, 200)}` });
      resolve({
        ran: true,
        epochMs: { n: num('n'), p50: num('p50'), p99: num('p99'), max: num('max') },
        numpy: String(out['numpy']),
        python: String(out['python']),
      });
    });
  });
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const f = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : '–');

/** "p50 … ms, p99 … ms (n epochs, numpy …)" or "not run: …". */
export function numpyCell(n: NumpyReference): string {
  return n.ran ? `p50 ${f(n.epochMs.p50)} ms, p99 ${f(n.epochMs.p99)} ms (${n.epochMs.n} epochs, numpy ${n.numpy}, 1 BLAS thread)` : `not run: ${n.why}`;
}

/** "2.1× (target ≤ 3×: met)", or why there is no ratio. */
export function ratioCell(t: TrainingBenchResult): string {
  if (!t.numpy.ran) return 'no ratio: numpy did not run';
  const met = t.ratioP50 <= NUMPY_RATIO_TARGET;
  return `${t.ratioP50.toFixed(2)}× (target ≤ ${NUMPY_RATIO_TARGET}×: ${met ? 'met' : '**MISSED**'})`;
}

const BEGIN = '<!-- bench:training:begin (generated by npm run bench / training.bench.js; edits inside are overwritten) -->';
const END = '<!-- bench:training:end -->';
export const TRAINING_MARKERS = { begin: BEGIN, end: END } as const;

/** The training section of docs/BENCHMARKS.md: our epoch beside numpy's, and the responsiveness numbers. */
export function renderTraining(machine: MachineInfo, t: TrainingBenchResult, command: string): string {
  return [
    '## Training against numpy',
    '',
    `_Generated by \`${command}\` at ${machine.date}: nproc ${machine.nproc} (${machine.cpuModel}), node ${machine.node}, load average ${machine.loadAverage} at the start._`,
    '',
    `Epoch = fit over ${t.trainRows.toLocaleString('en-US')} training rows × ${t.features} features (MLP [64, 32], ReLU, dropout 0.1, batch ${t.batchSize}, Adam) plus the validation pass over ${t.validationRows.toLocaleString('en-US')} rows; ms.`,
    '',
    '| measurement | result |',
    '|---|---|',
    `| ours: trainClassifier epoch (predictions on tfjs ${t.backend}) | p50 ${f(t.epochMs.p50)} ms, p99 ${f(t.epochMs.p99)} ms (${t.epochs} epochs) |`,
    `| numpy reference epoch (tools/bench/numpy-epoch.py) | ${numpyCell(t.numpy)} |`,
    `| ratio ours / numpy, p50 | ${ratioCell(t)} |`,
    `| event-loop delay during the timed epochs | p99 ${f(t.eventLoopDelayP99Ms)} ms, max ${f(t.eventLoopDelayMaxMs)} ms |`,
    `| cancel: abort → trainClassifier rejected (${t.cancelStopMs.n} samples) | p50 ${f(t.cancelStopMs.p50)} ms, p99 ${f(t.cancelStopMs.p99)} ms, max ${f(t.cancelStopMs.max)} ms |`,
    `| cancel: abort timer due → rejected | p50 ${f(t.cancelFromDueMs.p50)} ms, p99 ${f(t.cancelFromDueMs.p99)} ms, max ${f(t.cancelFromDueMs.max)} ms |`,
    `| cancel samples not ending in CancelledError | ${t.cancelAnomalies} |`,
  ].join('\n');
}

/** The training bench alone (no Redis, no stack): prints its section and writes it into docs/BENCHMARKS.md. */
export async function runTrainingOnly(log: (line: string) => void, command: string, writeDocs: boolean): Promise<void> {
  const loadBefore = loadAverage();
  const machine = await machineInfo(null);
  const t = await benchTraining({ log });
  const block = `${renderTraining({ ...machine, loadAverage: loadBefore }, t, command)}\n\nLoad average after: ${loadAverage()}.`;
  process.stdout.write(`${block}\n`);
  if (writeDocs) {
    const path = join(repoRoot(__dirname), 'docs', 'BENCHMARKS.md');
    writeMarkedSection(path, block, BEGIN, END);
    log(`bench: training section written to ${path}`);
  }
}

if (require.main === module) {
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  runTrainingOnly(log, 'node tools/dist/bench/training.bench.js', writeDocsEnabled()).then(
    () => process.exit(0),
    (e: unknown) => {
      log(`training bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exit(1);
    },
  );
}
