import { OperationsStore, RedisKeys } from '@ktrdr/operations';
import { rmSync } from 'node:fs';
import { SLOW_TRAINING_STRATEGY, researchScratch } from '../testing/research.fixtures.js';
import { startStack } from '../testing/stack.harness.js';
import { summarize, type Summary } from './stats.js';
import { epochNow, seededRandom, sleep } from './util.js';

/**
 * Cancel during real walk-forward training, across processes: each sample triggers a cycle of the
 * slow training strategy (3 folds) on two worker processes with every phase real (the second takes
 * only the fold queue, so two folds train at once), waits until a fold's fit reports epochs, waits
 * a random 0–300 ms more, sends DELETE /agent/cancel/{id} and measures from just before it
 * (a) the response, with the cycle, the training child and every fold read back `cancelled`, and
 * (b) the last `stopped_at` of the folds that were running — every fold's compute stopped.
 */

export interface TrainingCancelResult {
  samples: number;
  recorded: Summary;
  stopped: Summary;
  anomalies: string[];
  elapsedMs: number;
}

export async function benchTrainingCancel(samples: number, log: (line: string) => void): Promise<TrainingCancelResult> {
  const started = performance.now();
  const scratch = researchScratch([], { slow_training: SLOW_TRAINING_STRATEGY });
  const stack = await startStack({
    apiEnv: { ...scratch.env, KTRDR_RATE_LIMIT: '0' },
    workerEnv: { ...scratch.env, KTRDR_STUB_WORKERS: 'false' },
    workers: ['all', 'fold'],
  });
  const store = new OperationsStore(stack.redis, stack.prefix);
  const telemetry = new RedisKeys(stack.prefix).computeStopped();
  const random = seededRandom(11);
  const recorded: number[] = [];
  const stopped: number[] = [];
  const anomalies: string[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const res = await stack.request<{ operation_id: string }>('POST', '/agent/trigger', { strategy: 'slow_training' });
      const id = res.body.operation_id;
      let childId: string | null = null;
      for (const deadline = Date.now() + 60_000; Date.now() < deadline && !childId; await sleep(20)) {
        const parent = await store.get(id);
        const child = parent?.metadata.parameters['training_op_id'];
        if (typeof child !== 'string') continue;
        const folds = await store.children(child);
        if (folds.some((f) => f.progress.current_step?.includes('epoch'))) childId = child;
      }
      if (!childId) {
        anomalies.push(`sample ${i}: no fold reached its epochs`);
        continue;
      }
      await sleep(random() * 300);
      const running = (await store.children(childId)).filter((f) => f.status === 'running').map((f) => f.operation_id);
      if (running.length === 0) {
        anomalies.push(`sample ${i}: no fold running when the cancel was due`);
        continue;
      }
      const t0 = epochNow();
      await stack.request('DELETE', `/agent/cancel/${id}`);
      const t1 = epochNow();
      const after = await Promise.all([store.get(id), store.get(childId), ...running.map((f) => store.get(f))]);
      if (after.some((o) => o?.status !== 'cancelled'))
        anomalies.push(`sample ${i}: not every record cancelled on the response (${after.map((o) => o?.status).join('/')})`);
      recorded.push(t1 - t0);
      let stoppedAt: number | undefined;
      for (const deadline = Date.now() + 5_000; Date.now() < deadline && stoppedAt === undefined; await sleep(5)) {
        const entries = (await stack.redis.lrange(telemetry, 0, 50)).map((e) => JSON.parse(e) as { operation_id: string; stopped_at: number });
        const at = running.map((f) => entries.find((e) => e.operation_id === f)?.stopped_at);
        if (at.every((x) => x !== undefined)) stoppedAt = Math.max(...(at as number[]));
      }
      if (stoppedAt === undefined) anomalies.push(`sample ${i}: not every running fold reported its compute stopped within 5 s`);
      else stopped.push(stoppedAt - t0);
      if ((i + 1) % 5 === 0) log(`  training cancels: ${i + 1}/${samples}`);
    }
  } finally {
    await stack.stop();
    rmSync(scratch.root, { recursive: true, force: true });
  }
  return { samples, recorded: summarize(recorded), stopped: summarize(stopped), anomalies, elapsedMs: performance.now() - started };
}
