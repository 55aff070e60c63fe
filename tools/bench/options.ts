/** Benchmark options, read from the environment. */

export interface BenchOptions {
  /** Measured stub cycles for the transition benchmark (after warm-up). */
  cycles: number;
  /** Warm-up cycles run first and left out of the statistics. */
  warmup: number;
  /** Cancel samples, spread evenly over the four phases. */
  cancels: number;
  /** Cancel samples with CPU-bound phases (KTRDR_STUB_CPU=true); 0 skips that benchmark. */
  cpuCancels: number;
  /** KTRDR_STUB_DELAY_MS for the cancel benchmark: how long each phase runs. */
  cancelDelayMs: number;
  /** Independent runs (each on freshly started processes); both are reported. */
  runs: number;
  /** Cancels during real training, across processes (0 skips that benchmark). */
  trainingCancels: number;
  /** Bars of the backtest throughput benchmark (at least 1,000,000). */
  backtestBars: number;
  /** Write the results into docs/BENCHMARKS.md. */
  writeDocs: boolean;
  /**
   * BENCH_ONLY=training: only the training bench (epoch time beside numpy, cancel); =campaign: only the
   * campaign bench; =blobs: only the blob store bench. Each writes only its own section.
   */
  only: 'all' | 'training' | 'campaign' | 'blobs';
}

function int(name: string, def: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer >= ${min} (got "${raw}")`);
  return v;
}

function only(): BenchOptions['only'] {
  const raw = (process.env['BENCH_ONLY'] ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'all') return 'all';
  if (raw === 'training' || raw === 'campaign' || raw === 'blobs') return raw;
  throw new Error(`BENCH_ONLY must be "training", "campaign", "blobs" or unset (got "${process.env['BENCH_ONLY']}")`);
}

export function loadOptions(): BenchOptions {
  return {
    cycles: int('BENCH_CYCLES', 200, 1),
    warmup: int('BENCH_WARMUP', 5, 0),
    cancels: int('BENCH_CANCELS', 200, 1),
    cpuCancels: int('BENCH_CPU_CANCELS', 100, 0),
    cancelDelayMs: int('BENCH_CANCEL_DELAY_MS', 600, 100),
    runs: int('BENCH_RUNS', 2, 1),
    trainingCancels: int('BENCH_TRAINING_CANCELS', 20, 0),
    backtestBars: int('BENCH_BACKTEST_BARS', 2_000_000, 1_000_000),
    writeDocs: !['0', 'false', 'no'].includes((process.env['BENCH_WRITE_DOCS'] ?? '1').toLowerCase()),
    only: only(),
  };
}
