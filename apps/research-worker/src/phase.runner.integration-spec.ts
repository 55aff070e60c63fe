import { STUB_RESULTS, type PhaseExecutors } from '@ktrdr/agent-domain';
import { ArtifactStore, OperationsStore } from '@ktrdr/operations';
import { QueueProducer, bullConnection, bullPrefix } from '@ktrdr/queues';
import { createLogger } from '@ktrdr/runtime';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { ActiveJobs } from './active-jobs.registry';
import { PhaseRunner, heartbeatKey } from './phase.runner';

/**
 * The phase runner against a real Redis whose refusals are simulated on the store (a real
 * `maxmemory` would refuse the writes of every other test sharing this Redis; the fault tier does
 * that on a Redis of its own): a refused outcome is retried and lands, a refusal past the budget
 * fails the phase with the real cause, and a record cancelled meanwhile stays cancelled.
 */

const url = process.env['REDIS_URL']!;
const prefix = `it_refused_${process.pid}_${Date.now()}`;
const log = createLogger('test', 'silent');
const OOM = "OOM command not allowed when used memory > 'maxmemory'. script: 1a04f3e1cf7c2d61090faa5e137cd71ace5b6e3b, on @user_script:6.";
let redis: Redis;
let store: OperationsStore;
let producer: QueueProducer;
let worker: Worker;

beforeAll(() => {
  redis = new Redis(url, { maxRetriesPerRequest: null });
  store = new OperationsStore(redis, prefix);
  producer = QueueProducer.connect(bullConnection(url), prefix);
  worker = new Worker('training', null, { connection: bullConnection(url), prefix: bullPrefix(prefix), autorun: false });
});

afterAll(async () => {
  await worker.close();
  await producer.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

/** The store, with `complete` refused as Redis refuses it when out of memory, `times` times; `onRefused` runs at each. */
function refusingComplete(times: number, onRefused: () => Promise<void> = async () => undefined): { store: OperationsStore; refusals: () => number } {
  let refusals = 0;
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'complete') {
        return async (...args: Parameters<OperationsStore['complete']>) => {
          if (refusals < times) {
            refusals++;
            await onRefused();
            throw new Error(OOM);
          }
          return target.complete(...args);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: proxy, refusals: () => refusals };
}

const quick = { firstDelayMs: 10, maxDelayMs: 40 };
const executors = {
  training: { phase: 'training', execute: async () => ({ result: STUB_RESULTS.training }) },
} as unknown as PhaseExecutors;

async function runningCycle(): Promise<{ parent: string; child: string; job: Job<{ operation_id: string; parent_operation_id: string }> }> {
  const parent = await store.create({ type: 'agent_research', parameters: { phase: 'training' } });
  await store.start(parent.operation_id);
  const child = await store.create({ type: 'training', parentId: parent.operation_id, requireParentRunning: true, parentParameters: {} });
  await store.update(parent.operation_id, { parameters: { training_op_id: child.operation_id } });
  const job = { data: { operation_id: child.operation_id, parent_operation_id: parent.operation_id } } as Job<{
    operation_id: string;
    parent_operation_id: string;
  }>;
  return { parent: parent.operation_id, child: child.operation_id, job };
}

function runner(s: OperationsStore, budgetMs: number): { runner: PhaseRunner; active: ActiveJobs } {
  const active = new ActiveJobs(redis, store.keys, 50, log);
  const r = new PhaseRunner(s, producer, executors, active, new ArtifactStore(redis, prefix), redis, log, {
    heartbeatMs: 1000,
    recordRetry: { budgetMs, ...quick },
  });
  return { runner: r, active };
}

describe('phase runner: an outcome Redis refuses', () => {
  it('is retried while refused and recorded once it is taken; the heartbeat stays alive meanwhile', async () => {
    const { parent, child, job } = await runningCycle();
    const beats: number[] = [];
    const refusing = refusingComplete(5, async () => void beats.push(await redis.pttl(heartbeatKey(store, child))));
    const { runner: r, active } = runner(refusing.store, 60_000);
    expect(await r.run('training', job, worker)).toBe('completed');
    expect(refusing.refusals()).toBe(5);
    expect(beats.every((ttl) => ttl > 0)).toBe(true);
    expect(await store.require(child)).toMatchObject({ status: 'completed', error_message: null, result_summary: STUB_RESULTS.training });
    expect(await redis.exists(heartbeatKey(store, child))).toBe(0);
    expect((await store.require(parent)).status).toBe('running');
    active.stop();
  });

  it('past the retry budget fails the phase with the real cause, not "worker lost"', async () => {
    const { child, job } = await runningCycle();
    const { runner: r, active } = runner(refusingComplete(Infinity).store, 150);
    expect(await r.run('training', job, worker)).toBe('failed');
    expect(await store.require(child)).toMatchObject({
      status: 'failed',
      error_message: "could not record the result: Redis refused writes (OOM command not allowed when used memory > 'maxmemory')",
      failure_code: 'BACKEND_UNAVAILABLE',
    });
    active.stop();
  });

  it('never overwrites a record cancelled while it retried', async () => {
    const { parent, child, job } = await runningCycle();
    let cancelled = false;
    const refusing = refusingComplete(3, async () => {
      if (cancelled) return;
      cancelled = true;
      await store.cancel(parent, { reason: 'Cancelled by user', childReason: 'Parent cancelled', source: 'test' });
    });
    const { runner: r, active } = runner(refusing.store, 60_000);
    expect(await r.run('training', job, worker)).toBe('cancelled');
    expect(await store.require(child)).toMatchObject({ status: 'cancelled', result_summary: null });
    active.stop();
  });
});
