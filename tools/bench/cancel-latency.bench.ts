import { OperationsStore, RedisKeys, type OperationInfo } from '@ktrdr/operations';
import { startStack, type Stack } from '../testing/stack.harness.js';
import { summarize, type Summary } from './stats.js';
import { CHILD_KEY, PHASES, TERMINAL, epochNow, seededRandom, sleep, type Anomaly, type Phase } from './util.js';

/**
 * Benchmark 2: cancel latency. Each sample triggers a stub cycle whose phases each last
 * `delayMs`, waits until the target phase's child is running, waits a little more (a random
 * 0–40 % of the phase, so cancels land at different points of the stub's sleep slices), then sends
 * DELETE /agent/cancel/{id} and measures from just before the request:
 *   (a) until both the parent and that child are `cancelled` in the store — the response time,
 *       checked by reading both records right after the response returns;
 *   (b) until the worker's compute actually stopped — the `stopped_at` the worker pushes to
 *       `${prefix}:telemetry:compute-stopped` when the aborted phase unwinds.
 */

export interface PhaseCancelStats {
  recorded: Summary;
  stopped: Summary;
}

export interface CancelResult {
  samples: number;
  delayMs: number;
  /** Phases burned CPU in cooperative slices (KTRDR_STUB_CPU) instead of sleeping. */
  cpuBound: boolean;
  perPhase: Record<Phase, PhaseCancelStats>;
  all: PhaseCancelStats;
  /** How long after the response the records were confirmed cancelled (normally 0: already on response). */
  notCancelledOnResponse: number;
  anomalies: Anomaly[];
  elapsedMs: number;
}

const WAIT_RUNNING_TIMEOUT_MS = 15_000;
const STOPPED_TIMEOUT_MS = 5_000;
const POLL_MS = 5;

interface Sample {
  phase: Phase;
  recordedMs: number;
  stoppedMs: number | null;
}

async function waitForRunningChild(store: OperationsStore, id: string, phase: Phase): Promise<{ childId: string } | { problem: string }> {
  const deadline = Date.now() + WAIT_RUNNING_TIMEOUT_MS;
  for (;;) {
    const parent = await store.get(id);
    if (!parent) return { problem: `cycle ${id} vanished` };
    if (TERMINAL.has(parent.status))
      return { problem: `cycle ${id} ended ${parent.status} before ${phase} ran${parent.error_message ? `: ${parent.error_message}` : ''}` };
    const childId = parent.metadata.parameters[CHILD_KEY[phase]];
    if (typeof childId === 'string' && childId) {
      const child = await store.get(childId);
      if (child?.status === 'running') return { childId };
      if (child && TERMINAL.has(child.status)) return { problem: `${phase} child ${childId} was ${child.status} before the bench saw it running` };
    }
    if (Date.now() > deadline)
      return {
        problem: `cycle ${id} did not reach a running ${phase} child within ${WAIT_RUNNING_TIMEOUT_MS} ms (phase ${String(parent.metadata.parameters['phase'])})`,
      };
    await sleep(POLL_MS);
  }
}

async function readStoppedAt(stack: Stack, childId: string): Promise<number | null> {
  const key = new RedisKeys(stack.prefix).computeStopped();
  const deadline = Date.now() + STOPPED_TIMEOUT_MS;
  for (;;) {
    for (const raw of await stack.redis.lrange(key, 0, 20)) {
      const entry = JSON.parse(raw) as { operation_id?: string; stopped_at?: number };
      if (entry.operation_id === childId && typeof entry.stopped_at === 'number') return entry.stopped_at;
    }
    if (Date.now() > deadline) return null;
    await sleep(2);
  }
}

const bothCancelled = (a: OperationInfo | null, b: OperationInfo | null): boolean => a?.status === 'cancelled' && b?.status === 'cancelled';

export async function benchCancelLatency(count: number, delayMs: number, log: (s: string) => void, cpuBound = false): Promise<CancelResult> {
  const stack = await startStack({
    // The bench triggers hundreds of cycles a minute from one client: the cycle rate limit is off here.
    apiEnv: { KTRDR_MAX_CONCURRENT_CYCLES: '1', KTRDR_RATE_LIMIT: '0' },
    workerEnv: { KTRDR_STUB_WORKERS: 'true', KTRDR_STUB_DELAY_MS: String(delayMs), KTRDR_STUB_CPU: String(cpuBound) },
  });
  const store = new OperationsStore(stack.redis, stack.prefix);
  const random = seededRandom(20240601);
  const samples: Sample[] = [];
  const anomalies: Anomaly[] = [];
  let notCancelledOnResponse = 0;
  const started = Date.now();
  try {
    // One warm-up cancel per phase, not counted (first requests pay JIT and connection set-up).
    for (let i = -PHASES.length; i < count; i++) {
      const phase = PHASES[((i % PHASES.length) + PHASES.length) % PHASES.length]!;
      const res = await stack.request<{ operation_id?: string }>('POST', '/agent/trigger', {});
      const id = res.body.operation_id;
      if (res.status !== 202 || !id) {
        anomalies.push({ sample: i, what: `trigger answered ${res.status}: ${JSON.stringify(res.body)}` });
        await sleep(200);
        continue;
      }
      const running = await waitForRunningChild(store, id, phase);
      if ('problem' in running) {
        anomalies.push({ sample: i, what: running.problem });
        await stack.request('DELETE', `/agent/cancel/${id}`);
        continue;
      }
      const { childId } = running;
      await sleep(Math.floor(random() * 0.4 * delayMs));

      const t0 = epochNow();
      const out = await stack.request<{ success?: boolean; child_cancelled?: string | null }>('DELETE', `/agent/cancel/${id}`);
      const tResponse = epochNow();
      let [parent, child] = await Promise.all([store.get(id), store.get(childId)]);
      let recordedMs = tResponse - t0;
      if (out.status !== 200 || out.body.success !== true) {
        anomalies.push({ sample: i, what: `cancel of ${id} (${phase}) answered ${out.status}: ${JSON.stringify(out.body)}` });
      } else if (out.body.child_cancelled !== childId) {
        anomalies.push({ sample: i, what: `cancel of ${id} (${phase}) reported child_cancelled=${String(out.body.child_cancelled)}, expected ${childId}` });
      }
      if (!bothCancelled(parent, child)) {
        notCancelledOnResponse++;
        anomalies.push({
          sample: i,
          what: `after the cancel response for ${id} (${phase}): parent ${parent?.status ?? 'missing'}, child ${child?.status ?? 'missing'}`,
        });
        const deadline = Date.now() + STOPPED_TIMEOUT_MS;
        while (!bothCancelled(parent, child) && Date.now() < deadline) {
          await sleep(1);
          [parent, child] = await Promise.all([store.get(id), store.get(childId)]);
        }
        if (!bothCancelled(parent, child)) {
          anomalies.push({ sample: i, what: `${id} (${phase}): records never both cancelled (parent ${parent?.status}, child ${child?.status})` });
          continue;
        }
        recordedMs = epochNow() - t0;
      }
      const stoppedAt = await readStoppedAt(stack, childId);
      if (stoppedAt === null)
        anomalies.push({ sample: i, what: `${phase} child ${childId}: no compute-stopped entry within ${STOPPED_TIMEOUT_MS} ms of the cancel` });
      if (i >= 0) samples.push({ phase, recordedMs, stoppedMs: stoppedAt === null ? null : stoppedAt - t0 });
      if (i >= 0 && (i + 1) % 40 === 0) log(`  cancels: ${i + 1}/${count} samples`);
    }
    // Nothing of a cancelled cycle may keep running or start afterwards.
    await sleep(Math.max(500, delayMs));
    const left = (await store.allActive()).map((o) => o.operation_id);
    if (left.length) anomalies.push({ sample: count, what: `after all cancels, ${left.length} operation(s) still active: ${left.slice(0, 5).join(', ')}` });
  } finally {
    await stack.stop();
  }
  const stats = (of: Sample[]): PhaseCancelStats => ({
    recorded: summarize(of.map((s) => s.recordedMs)),
    stopped: summarize(of.flatMap((s) => (s.stoppedMs === null ? [] : [s.stoppedMs]))),
  });
  return {
    samples: count,
    delayMs,
    cpuBound,
    perPhase: Object.fromEntries(PHASES.map((p) => [p, stats(samples.filter((s) => s.phase === p))])) as Record<Phase, PhaseCancelStats>,
    all: stats(samples),
    notCancelledOnResponse,
    anomalies,
    elapsedMs: Date.now() - started,
  };
}
