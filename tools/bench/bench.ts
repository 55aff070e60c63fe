import { join } from 'node:path';
import { Redis } from 'ioredis';
import { repoRoot } from '../testing/stack.harness.js';
import { benchBacktest } from './backtest.bench.js';
import { BLOB_MARKERS, benchBlobStore } from './blob-store.bench.js';
import { CAMPAIGN_MARKERS, benchCampaign } from './campaign.bench.js';
import { benchCancelLatency } from './cancel-latency.bench.js';
import { benchCycleTransitions } from './cycle-transitions.bench.js';
import { loadAverage, machineInfo } from './machine.js';
import { runOpsBenches, writeMarkedSection, writeOpsSection } from './ops.bench.js';
import { SIGNIFICANCE_MARKERS, benchSignificance } from './significance.bench.js';
import { loadOptions } from './options.js';
import { ensureRedis } from './redis-server.js';
import { renderResults, writeDocs, type RunResult } from './report.js';
import { benchTrainingCancel } from './training-cancel.bench.js';
import { TRAINING_MARKERS, benchTraining, renderTraining, runTrainingOnly } from './training.bench.js';
import { WALK_FORWARD_MARKERS, benchWalkForward } from './walk-forward.bench.js';

/**
 * `npm run bench`: builds, then measures cycle transitions and cancel latency against the real
 * built API and research worker on a real Redis, then the research compute (backtest throughput
 * beside a bare typed-array pass, training time per epoch, cancel during real training), prints a
 * markdown report and writes it into docs/BENCHMARKS.md. Options: BENCH_CYCLES, BENCH_WARMUP,
 * BENCH_CANCELS, BENCH_CANCEL_DELAY_MS, BENCH_CPU_CANCELS, BENCH_TRAINING_CANCELS,
 * BENCH_BACKTEST_BARS, BENCH_RUNS, BENCH_WRITE_DOCS, BENCH_CAMPAIGN_CYCLES, BENCH_BLOBS, BENCH_BLOB_RUNS,
 * BENCH_ONLY=training|campaign|blobs (see docs/BENCHMARKS.md).
 */

const log = (s: string): void => void process.stderr.write(`${s}\n`);

async function main(): Promise<void> {
  const opts = loadOptions();
  if (opts.only === 'training') return runTrainingOnly(log, 'BENCH_ONLY=training npm run bench', opts.writeDocs);
  const redis = await ensureRedis();
  process.env['REDIS_URL'] = redis.url;
  const campaign = async (): Promise<void> => {
    const section = await benchCampaign(log);
    process.stdout.write(`${section}\n`);
    if (opts.writeDocs) writeMarkedSection(join(repoRoot(), 'docs', 'BENCHMARKS.md'), section, CAMPAIGN_MARKERS.begin, CAMPAIGN_MARKERS.end);
  };
  // The blob store and bars codec: Redis memory of bars and models, load time beside CSV parsing.
  const blobs = async (): Promise<void> => {
    const section = await benchBlobStore(log);
    process.stdout.write(`${section}\n`);
    if (opts.writeDocs) writeMarkedSection(join(repoRoot(), 'docs', 'BENCHMARKS.md'), section, BLOB_MARKERS.begin, BLOB_MARKERS.end);
  };
  if (opts.only === 'campaign' || opts.only === 'blobs') {
    try {
      return await (opts.only === 'campaign' ? campaign() : blobs());
    } finally {
      await redis.stop();
    }
  }
  log(
    `bench: redis ${redis.url}${redis.owned ? ' (private redis-server)' : ''}; ${opts.runs} run(s) of ${opts.cycles} cycles + ${opts.cancels} cancels + ${opts.cpuCancels} CPU-bound cancels`,
  );
  const runs: RunResult[] = [];
  try {
    const probe = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    const machine = await machineInfo(probe);
    probe.disconnect();
    for (let run = 1; run <= opts.runs; run++) {
      const loadBefore = loadAverage();
      log(`run ${run}: cycle transitions`);
      const transitions = await benchCycleTransitions(opts.cycles, opts.warmup, log);
      log(`run ${run}: cancel latency`);
      const cancels = await benchCancelLatency(opts.cancels, opts.cancelDelayMs, log);
      let cpuCancels: RunResult['cpuCancels'] = null;
      if (opts.cpuCancels > 0) {
        log(`run ${run}: cancel latency with CPU-bound phases`);
        cpuCancels = await benchCancelLatency(opts.cpuCancels, opts.cancelDelayMs, log, true);
      }
      log(`run ${run}: backtest throughput`);
      const backtest = await benchBacktest({ bars: opts.backtestBars, log });
      log(`run ${run}: training epoch time and in-process cancel`);
      const training = await benchTraining({ log });
      let trainingCancels: RunResult['trainingCancels'] = null;
      if (opts.trainingCancels > 0) {
        log(`run ${run}: cancel during real training`);
        trainingCancels = await benchTrainingCancel(opts.trainingCancels, log);
      }
      runs.push({ run, transitions, cancels, cpuCancels, backtest, training, trainingCancels, loadBefore, loadAfter: loadAverage() });
    }
    const envs = Object.entries(process.env)
      .filter(([k]) => k.startsWith('BENCH_'))
      .map(([k, v]) => `${k}=${v} `)
      .join('');
    const block = renderResults(machine, runs, `${envs}npm run bench`);
    process.stdout.write(`${block}\n`);
    // Training against numpy has its own section too (training.bench.js alone writes only that one).
    const training = renderTraining(machine, runs[0]!.training, `${envs}npm run bench`);
    process.stdout.write(`${training}\n`);
    if (opts.writeDocs) {
      const path = join(repoRoot(), 'docs', 'BENCHMARKS.md');
      writeDocs(path, block);
      writeMarkedSection(path, training, TRAINING_MARKERS.begin, TRAINING_MARKERS.end);
      log(`bench: results written to ${path}`);
    }
    // API throughput beside a bare handler, orchestration on 1 and 2 workers (BENCH_OPS=0 skips).
    if (!['0', 'false', 'no'].includes((process.env['BENCH_OPS'] ?? '1').toLowerCase())) {
      log('bench: operations (API throughput, orchestration)');
      const ops = await runOpsBenches(log);
      process.stdout.write(`${ops}
`);
      if (opts.writeDocs) writeOpsSection(join(repoRoot(), 'docs', 'BENCHMARKS.md'), ops);
    }
    // The significance tests a backtest phase runs (BENCH_SIGNIFICANCE=0 skips).
    if (!['0', 'false', 'no'].includes((process.env['BENCH_SIGNIFICANCE'] ?? '1').toLowerCase())) {
      const significance = benchSignificance(log);
      process.stdout.write(`${significance}\n`);
      if (opts.writeDocs) writeMarkedSection(join(repoRoot(), 'docs', 'BENCHMARKS.md'), significance, SIGNIFICANCE_MARKERS.begin, SIGNIFICANCE_MARKERS.end);
    }
    // What walk-forward costs: the default cycle beside a single split, on one and two workers (BENCH_WALK_FORWARD=0 skips).
    if (!['0', 'false', 'no'].includes((process.env['BENCH_WALK_FORWARD'] ?? '1').toLowerCase())) {
      const walkForward = await benchWalkForward(log);
      process.stdout.write(`${walkForward}\n`);
      if (opts.writeDocs) writeMarkedSection(join(repoRoot(), 'docs', 'BENCHMARKS.md'), walkForward, WALK_FORWARD_MARKERS.begin, WALK_FORWARD_MARKERS.end);
    }
    // Redis memory of stored bars and models, and load time beside CSV parsing (BENCH_BLOBS=0 skips).
    if (!['0', 'false', 'no'].includes((process.env['BENCH_BLOBS'] ?? '1').toLowerCase())) await blobs();
    // Trials per hour of a default offline campaign on one and two compute workers (BENCH_CAMPAIGN=0 skips).
    if (!['0', 'false', 'no'].includes((process.env['BENCH_CAMPAIGN'] ?? '1').toLowerCase())) await campaign();
  } finally {
    await redis.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    log(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
