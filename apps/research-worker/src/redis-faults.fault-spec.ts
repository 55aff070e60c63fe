import { DEFAULT_MODEL, initialCycleParameters } from '@ktrdr/agent-domain';
import { OperationsStore, type OperationInfo } from '@ktrdr/operations';
import { QueueProducer, bullConnection } from '@ktrdr/queues';
import { Redis } from 'ioredis';
import { launchWorker, lineRate, logMessage, startOwnRedis, type OwnRedis, type WorkerProcess } from '../../../tools/testing/fault.harness';
import { eventually, freePort, pause } from '../../../tools/testing/stack.harness';

/**
 * A worker's Redis gone or refusing writes, on the built worker and a redis-server of the test's own
 * (never the shared instance). The test plays the API's part through the store and the queue
 * contract, as the API does, so only the worker is under test.
 */

const TERMINAL = ['completed', 'failed', 'cancelled'];
const MB = 1024 * 1024;
/** Process exit plus a loaded 2-core machine, on top of the grace. */
const EXIT_SLACK_MS = 2000;
const newPrefix = () => `f${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

/** The test's side of the store and the queues, with error listeners (it may outlive its Redis). */
function client(url: string, prefix: string) {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  const producer = QueueProducer.connect(bullConnection(url), prefix);
  return {
    redis,
    store: new OperationsStore(redis, prefix),
    producer,
    async close() {
      await producer.close();
      redis.disconnect();
    },
  };
}

/** A research cycle on an existing strategy, created and queued as POST /agent/trigger does. */
async function triggerCycle(c: ReturnType<typeof client>): Promise<string> {
  const cycle = await c.store.create({
    type: 'agent_research',
    parameters: initialCycleParameters({ model: DEFAULT_MODEL, brief: null, strategy: 'v3_minimal', bypass_gates: false }),
  });
  await c.producer.enqueue('research', { name: 'start', data: { parent_operation_id: cycle.operation_id } });
  return cycle.operation_id;
}

async function ready(worker: WorkerProcess): Promise<void> {
  await eventually(() => (worker.output().includes('research worker ready') ? true : undefined), 'worker ready', 20_000, 20);
}

const messages = (worker: WorkerProcess): string[] => worker.lines().map((l) => logMessage(l.text) ?? '');
/** Lines that are not the worker's JSON log lines: raw stack traces, "[ioredis] Unhandled error event", … */
const strayLines = (worker: WorkerProcess): string[] =>
  worker
    .lines()
    .filter((l) => l.text.trim() !== '' && logMessage(l.text) === null)
    .map((l) => l.text);

describe('a worker whose Redis is gone still stops', () => {
  const GRACE_MS = 3000;
  let redis: OwnRedis | undefined;
  let worker: WorkerProcess | undefined;

  afterEach(async () => {
    if (worker && worker.exitedAt() === null) worker.child.kill('SIGKILL');
    await worker?.exited;
    await redis?.kill();
    worker = undefined;
    redis = undefined;
  });

  it('SIGTERM with a phase running and Redis killed: exits within KTRDR_SHUTDOWN_GRACE_MS, saying why, with no unhandled error event', async () => {
    redis = await startOwnRedis();
    const prefix = newPrefix();
    worker = launchWorker(redis.url, {
      KTRDR_KEY_PREFIX: prefix,
      KTRDR_WORKER_QUEUES: 'training',
      KTRDR_STUB_DELAY_MS: '60000',
      KTRDR_SHUTDOWN_GRACE_MS: String(GRACE_MS),
    });
    await ready(worker);
    // A running training phase, as the orchestrator would have started it.
    const c = client(redis.url, prefix);
    const parent = await c.store.create({ type: 'agent_research', parameters: { phase: 'training' } });
    await c.store.start(parent.operation_id);
    const child = await c.store.create({ type: 'training', parentId: parent.operation_id, parameters: { phase: 'training' } });
    await c.producer.enqueue('training', { name: 'run', data: { operation_id: child.operation_id, parent_operation_id: parent.operation_id } });
    await eventually(async () => ((await c.store.get(child.operation_id))?.status === 'running' ? true : undefined), 'phase running', 15_000, 20);
    await c.close();

    await redis.kill('SIGKILL');
    const sentAt = Date.now();
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(1);
    const tookMs = worker.exitedAt()! - sentAt;
    // It waits the grace for Redis (to record what it can), and not a moment past it.
    expect(tookMs).toBeGreaterThanOrEqual(GRACE_MS - 50);
    expect(tookMs).toBeLessThan(GRACE_MS + EXIT_SLACK_MS);
    expect(messages(worker)).toContain('worker stopping: Redis unreachable, exiting without closing cleanly after 3s');
    expect(worker.output()).not.toContain('Unhandled error event');
    expect(strayLines(worker)).toEqual([]);
    process.stdout.write(`redis gone: exited ${tookMs} ms after SIGTERM (grace ${GRACE_MS} ms)\n`);
  });

  it('a second signal while it waits for Redis exits at once', async () => {
    redis = await startOwnRedis();
    worker = launchWorker(redis.url, { KTRDR_KEY_PREFIX: newPrefix(), KTRDR_SHUTDOWN_GRACE_MS: '60000' });
    await ready(worker);
    await redis.kill('SIGKILL');
    worker.child.kill('SIGTERM');
    await eventually(() => (messages(worker!).includes('worker stopping') ? true : undefined), 'first signal taken', 10_000, 20);
    const secondAt = Date.now();
    worker.child.kill('SIGINT');
    expect(await worker.exited).toBe(1);
    const afterSecondMs = worker.exitedAt()! - secondAt;
    expect(afterSecondMs).toBeLessThan(EXIT_SLACK_MS);
    expect(messages(worker)).toContain('worker stopping: second SIGINT, exiting at once without closing cleanly');
    expect(strayLines(worker)).toEqual([]);
    process.stdout.write(`redis gone: exited ${afterSecondMs} ms after the second signal\n`);
  });

  it('a worker that never reached Redis stops within the grace too', async () => {
    const nowhere = `redis://127.0.0.1:${await freePort()}`;
    worker = launchWorker(nowhere, { KTRDR_KEY_PREFIX: newPrefix(), KTRDR_SHUTDOWN_GRACE_MS: String(GRACE_MS) });
    await eventually(() => (messages(worker!).includes('redis connection error') ? true : undefined), 'a connection error', 20_000, 20);
    const sentAt = Date.now();
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(1);
    const tookMs = worker.exitedAt()! - sentAt;
    expect(tookMs).toBeLessThan(GRACE_MS + EXIT_SLACK_MS);
    process.stdout.write(`never reached redis: exited ${tookMs} ms after SIGTERM (grace ${GRACE_MS} ms)\n`);
    expect(messages(worker)).toContain('worker stopping: the worker was still starting (is Redis reachable?), exiting without closing cleanly after 3s');
    expect(worker.output()).not.toContain('Unhandled error event');
    expect(strayLines(worker)).toEqual([]);
  });
});

describe('a worker whose Redis refuses writes (maxmemory reached, noeviction)', () => {
  const LOCK_MS = 2000;
  /** The worker's output while Redis refused every write, bounded: before, BullMQ's fetch loop alone logged ~90 lines/s here (4,000+ on a fast machine). */
  const MAX_LINES_PER_SECOND = 5;
  const MAX_LINES_IN_ONE_SECOND = 20;
  let redis: OwnRedis | undefined;
  let worker: WorkerProcess | undefined;
  let c: ReturnType<typeof client> | undefined;

  afterAll(async () => {
    if (worker && worker.exitedAt() === null) worker.child.kill('SIGKILL');
    await worker?.exited;
    await c?.close();
    await redis?.kill();
  });

  it('logs at a bounded rate; the finished phase keeps its outcome, records it once memory is freed, and the cycle goes on', async () => {
    redis = await startOwnRedis(['--maxmemory-policy', 'noeviction']);
    const prefix = newPrefix();
    worker = launchWorker(redis.url, {
      KTRDR_KEY_PREFIX: prefix,
      KTRDR_STUB_DELAY_MS: '3000',
      KTRDR_JOB_LOCK_MS: String(LOCK_MS),
      KTRDR_RECONCILE_INTERVAL_MS: '300',
    });
    await ready(worker);
    c = client(redis.url, prefix);
    const { store } = c;
    const parentId = await triggerCycle(c);
    const trainingId = await eventually(
      async () => {
        const id = (await store.get(parentId))?.metadata.parameters['training_op_id'];
        return typeof id === 'string' && (await store.get(id))?.status === 'running' ? id : undefined;
      },
      'training running',
      20_000,
      20,
    );

    // Fill Redis to its maxmemory while the phase runs. Then pin the limit under what is used: Redis
    // frees client buffers now and then, which would otherwise let a small write through by chance.
    const admin = c.redis;
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]);
    await admin.config('SET', 'maxmemory', String((await usedMemory()) + 16 * MB));
    const filler = 'x'.repeat(100 * 1024);
    const fillerKeys: string[] = [];
    for (;;) {
      const key = `${prefix}:filler:${fillerKeys.length}`;
      const refused = await admin.set(key, filler).then(
        () => false,
        (e: Error) => /^OOM/.test(e.message),
      );
      if (refused) break;
      fillerKeys.push(key);
    }
    await admin.config('SET', 'maxmemory', String((await usedMemory()) - 2 * MB));
    const fullAt = Date.now();
    await expect(admin.set(`${prefix}:probe`, '1')).rejects.toThrow(/^OOM command not allowed/);

    // The stub phase ends while Redis is full: its result write is refused and retried.
    await eventually(
      () => (worker!.lines().some((l) => l.at >= fullAt && logMessage(l.text) === 'phase result not recorded yet; retrying') ? true : undefined),
      'result refused',
      15_000,
      20,
    );
    // The wait is what is tested: Redis stays full for three job locks, long enough that a phase that
    // went quiet would be "worker lost".
    await pause(3 * LOCK_MS);
    expect((await store.get(trainingId))?.status).toBe('running');
    const freedAt = Date.now();
    await admin.del(...fillerKeys);

    const rate = lineRate(worker.lines(), fullAt, freedAt);
    expect(rate.perSecond).toBeLessThanOrEqual(MAX_LINES_PER_SECOND);
    expect(rate.maxInOneSecond).toBeLessThanOrEqual(MAX_LINES_IN_ONE_SECOND);

    const terminal = (id: string) =>
      eventually(
        async () => {
          const op = await store.get(id);
          return op && TERMINAL.includes(op.status) ? op : undefined;
        },
        `${id} terminal`,
        30_000,
        50,
      );
    const training: OperationInfo = await terminal(trainingId);
    // Its real outcome, recorded late, not "worker lost".
    expect(training).toMatchObject({ status: 'completed', error_message: null });
    // The line follows the write it reports, through the worker's stdout pipe: wait for it to arrive.
    await eventually(() => (messages(worker!).includes('phase result recorded after Redis refused it') ? true : undefined), 'the late-record line', 5_000, 20);
    // And the cycle goes on from it: backtest and assessment run and the cycle completes.
    const parent = await terminal(parentId);
    expect(parent).toMatchObject({ status: 'completed', error_message: null });
    expect(worker.output()).not.toMatch(/worker lost|Unhandled error event/);
    expect(strayLines(worker)).toEqual([]);
    process.stdout.write(
      `redis refusal: ${rate.count} worker lines in ${((freedAt - fullAt) / 1000).toFixed(1)}s (${rate.perSecond.toFixed(2)}/s, at most ${rate.maxInOneSecond} in one second)\n`,
    );
  });
});
