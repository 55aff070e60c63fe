import { DEFAULT_GATE_THRESHOLDS, STUB_RESULTS, type PhaseExecutors } from '@ktrdr/agent-domain';
import { modelPathOf } from '@ktrdr/api-contract';
import { ArtifactStore, BlobStore, CancelChannel, OperationsStore } from '@ktrdr/operations';
import { QueueProducer, bullConnection, bullPrefix } from '@ktrdr/queues';
import { createLogger } from '@ktrdr/runtime';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { eventually } from '../../../tools/testing/wait/wait';
import { ActiveJobs } from './active-jobs.registry';
import { ModelBlobs } from './executors/model.blobs';
import { Orchestrator } from './orchestrator.service';
import { PhaseRunner } from './phase.runner';

/**
 * The orchestrator and the phase runner in-process against a real Redis and real BullMQ queues,
 * for races that need exact interleavings: cancel vs. the creation of the next child, and a late
 * result arriving after a cancel.
 */

const url = process.env['REDIS_URL']!;
const prefix = `it_orch_${process.pid}_${Date.now()}`;
const log = createLogger('test', 'silent');
let redis: Redis;
let store: OperationsStore;
let producer: QueueProducer;
let orchestrator: Orchestrator;

beforeAll(() => {
  redis = new Redis(url, { maxRetriesPerRequest: null });
  store = new OperationsStore(redis, prefix);
  producer = QueueProducer.connect(bullConnection(url), prefix);
  orchestrator = new Orchestrator(store, producer, new CancelChannel(prefix), redis, DEFAULT_GATE_THRESHOLDS, 'strategies', log);
});

afterAll(async () => {
  await producer.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

/** A running cycle in the designing phase whose design child has completed. */
async function cycleWithFinishedDesign(): Promise<{ parent: string; design: string }> {
  const parent = await store.create({ type: 'agent_research', parameters: { phase: 'idle', bypass_gates: false } });
  await store.start(parent.operation_id);
  const design = await store.create({
    type: 'agent_design',
    parentId: parent.operation_id,
    requireParentRunning: true,
    parentParameters: { phase: 'designing' },
  });
  await store.update(parent.operation_id, { parameters: { design_op_id: design.operation_id } });
  await store.start(design.operation_id);
  await store.complete(design.operation_id, STUB_RESULTS.designing);
  return { parent: parent.operation_id, design: design.operation_id };
}

describe('orchestrator races', () => {
  it('a cancelled cycle never advances: no training child, no training job', async () => {
    const { parent } = await cycleWithFinishedDesign();
    await store.cancel(parent, { reason: 'Cancelled by user', childReason: 'Parent cancelled', source: 'test' });
    const { design } = { design: (await store.require(parent)).metadata.parameters['design_op_id'] as string };
    await orchestrator.childFinished(parent, design);
    expect((await store.children(parent)).map((c) => c.operation_type)).toEqual(['agent_design']);
    expect(await producer.queue('training').getJobCounts('waiting')).toMatchObject({ waiting: 0 });
  });

  it('cancel racing the creation of the next child (200 interleavings): no live child under a cancelled parent', async () => {
    const runs = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const { parent, design } = await cycleWithFinishedDesign();
        const cancel = () => store.cancel(parent, { reason: 'Cancelled by user', childReason: 'Parent cancelled', source: 'test' });
        const advance = () => orchestrator.childFinished(parent, design);
        // Both strict orders, plus truly concurrent runs for whatever lies in between.
        if (i % 3 === 0) await advance().then(cancel);
        else if (i % 3 === 1) await cancel().then(advance);
        else await Promise.all([advance(), cancel()]);
        return { parent, order: i % 3 };
      }),
    );
    for (const { parent, order } of runs) {
      expect((await store.require(parent)).status).toBe('cancelled');
      const kids = await store.children(parent);
      for (const k of kids) expect(['completed', 'cancelled']).toContain(k.status);
      if (order === 0)
        expect(kids.map((k) => [k.operation_type, k.status])).toEqual([
          ['agent_design', 'completed'],
          ['training', 'cancelled'],
        ]);
      if (order === 1) expect(kids.map((k) => k.operation_type)).toEqual(['agent_design']);
      expect(kids.length).toBeLessThanOrEqual(2);
    }
    await producer.queue('training').obliterate({ force: true });
  });

  it('duplicate completion events start the next phase once', async () => {
    const { parent, design } = await cycleWithFinishedDesign();
    await Promise.all(Array.from({ length: 10 }, () => orchestrator.childFinished(parent, design)));
    expect((await store.children(parent)).map((c) => c.operation_type)).toEqual(['agent_design', 'training']);
    await producer.queue('training').obliterate({ force: true });
  });
});

describe('phase runner: a late result never overwrites cancelled', () => {
  it('an executor that ignores its abort signal finishes after the cancel; the child stays cancelled', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let discarded = 0;
    // What the executor saw: that it started, and its abort signal (the test waits on both).
    let started!: (signal: AbortSignal) => void;
    const running = new Promise<AbortSignal>((r) => (started = r));
    const stubborn = {
      phase: 'training' as const,
      async execute(_input: unknown, ctx: { signal: AbortSignal }) {
        started(ctx.signal);
        await gate; // ignores the signal on purpose
        return { result: STUB_RESULTS.training, artifacts: { history: { loss: [1, 0.5] } }, discard: async () => void discarded++ };
      },
    };
    const executors = { designing: stubborn, training: stubborn, backtesting: stubborn, assessing: stubborn } as unknown as PhaseExecutors;
    const active = new ActiveJobs(redis, store.keys, 50, log);
    const artifacts = new ArtifactStore(redis, prefix);
    const runner = new PhaseRunner(store, producer, executors, active, artifacts, redis, log);
    const worker = new Worker('training', null, { connection: bullConnection(url), prefix: bullPrefix(prefix), autorun: false });

    const parent = await store.create({ type: 'agent_research', parameters: { phase: 'training' } });
    await store.start(parent.operation_id);
    const child = await store.create({ type: 'training', parentId: parent.operation_id, requireParentRunning: true, parentParameters: {} });
    await store.update(parent.operation_id, { parameters: { training_op_id: child.operation_id } });
    const job = { data: { operation_id: child.operation_id, parent_operation_id: parent.operation_id } } as Job<{
      operation_id: string;
      parent_operation_id: string;
    }>;

    const run = runner.run('training', job, worker);
    const signal = await running; // the executor is running
    await store.cancel(parent.operation_id, { reason: 'Cancelled by user', childReason: 'Parent cancelled', source: 'test' });
    // The durable poll (50 ms) aborts the job: wait for exactly that, then let the late result arrive.
    await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
    release();
    expect(await run).toBe('cancelled');
    expect(await store.require(child.operation_id)).toMatchObject({ status: 'cancelled', result_summary: null });
    expect((await store.require(parent.operation_id)).status).toBe('cancelled');
    // Nothing of the late result survives: no artifacts, and the executor's files were discarded.
    expect(await artifacts.list(child.operation_id)).toEqual([]);
    expect(discarded).toBe(1);
    active.stop();
    await worker.close();
  });
});

describe('reconciler', () => {
  it('re-queues a pending child whose job was lost or had failed, and advances a cycle whose child already ended', async () => {
    const { Reconciler } = await import('./reconciler.service');
    const reconciler = new Reconciler(store, producer, orchestrator, redis, prefix, 1000, 60_000, log);

    // A pending training child whose job failed earlier (same job id): a plain add would be a no-op.
    const parent = await store.create({ type: 'agent_research', parameters: { phase: 'idle' } });
    await store.start(parent.operation_id);
    const child = await store.create({ type: 'training', parentId: parent.operation_id, requireParentRunning: true, parentParameters: { phase: 'training' } });
    await store.update(parent.operation_id, { parameters: { training_op_id: child.operation_id } });
    const q = producer.queue('training');
    const failing = new Worker('training', async () => Promise.reject(new Error('redis hiccup')), {
      connection: bullConnection(url),
      prefix: bullPrefix(prefix),
    });
    await producer.enqueue('training', { name: 'run', data: { operation_id: child.operation_id, parent_operation_id: parent.operation_id } });
    await eventually(
      async () => ((await (await q.getJob(child.operation_id))!.getState()) === 'failed' ? true : undefined),
      'the training job to fail',
      5000,
      10,
    );
    await failing.close();
    expect(await (await q.getJob(child.operation_id))!.getState()).toBe('failed');
    await reconciler.runOnce(Date.now() + 5_000);
    expect(['waiting', 'prioritized', 'delayed']).toContain(await (await q.getJob(child.operation_id))!.getState());

    // The child ends while no event reaches the orchestrator: the reconciler advances the cycle.
    await store.start(child.operation_id);
    await store.complete(child.operation_id, STUB_RESULTS.training);
    await reconciler.runOnce(Date.now() + 5_000);
    const kids = await store.children(parent.operation_id);
    expect(kids.map((k) => k.operation_type)).toEqual(['training', 'backtesting']);
    await q.obliterate({ force: true });
    await producer.queue('backtest').obliterate({ force: true });
  });
});

describe('what an ended cycle keeps of its trained models', () => {
  let blobs: BlobStore;
  let keeper: Orchestrator;
  beforeAll(() => {
    blobs = new BlobStore(redis, prefix, { ttlSeconds: 600 });
    keeper = new Orchestrator(store, producer, new CancelChannel(prefix), redis, DEFAULT_GATE_THRESHOLDS, 'strategies', log, undefined, new ModelBlobs(blobs));
  });

  /** A running cycle in training whose training child completed with `result` and a stored run (one model, one manifest) it owns. */
  async function cycleAfterTraining(result: Record<string, unknown>): Promise<{ parent: string; training: string; manifest: string }> {
    const parent = await store.create({
      type: 'agent_research',
      parameters: { phase: 'training', bypass_gates: false, strategy: 'momo', strategy_name: 'momo' },
    });
    await store.start(parent.operation_id);
    const training = await store.create({
      type: 'training',
      parentId: parent.operation_id,
      requireParentRunning: true,
      parentParameters: { phase: 'training' },
    });
    await store.update(parent.operation_id, { parameters: { training_op_id: training.operation_id } });
    const owner = training.operation_id;
    const model = await blobs.put(Buffer.from(`model of ${owner}`), { kind: 'model' }, { owner });
    const manifest = await blobs.put(Buffer.from(JSON.stringify({ model: model.hash, owner })), { kind: 'walk-forward' }, { owner });
    await store.start(owner);
    await store.complete(owner, { ...result, model_path: modelPathOf(manifest.hash) });
    return { parent: parent.operation_id, training: owner, manifest: manifest.hash };
  }

  it('refused at the training gate: the run is released to the retention TTL (a resume trains again)', async () => {
    const { parent, training, manifest } = await cycleAfterTraining({ ...STUB_RESULTS.training, accuracy: 0.1, baseline_accuracy: 0.5 });
    await keeper.childFinished(parent, training);
    expect(await store.require(parent)).toMatchObject({ status: 'failed', error_message: expect.stringMatching(/^Training gate failed: /) });
    expect(await blobs.ownedBy(training)).toEqual([]);
    const stat = await blobs.stat(manifest);
    expect(stat).toMatchObject({ refs: 0 });
    expect(stat!.ttl).toBeGreaterThan(590);
  });

  it('passing the training gate and failing later at the backtest gate: the run stays held, as a resume starts at the backtest', async () => {
    const { parent, training, manifest } = await cycleAfterTraining({ ...STUB_RESULTS.training });
    await keeper.childFinished(parent, training);
    const p = (await store.require(parent)).metadata.parameters;
    expect(p['phase']).toBe('backtesting');
    const backtest = p['backtest_op_id'] as string;
    await store.start(backtest);
    await store.complete(backtest, { ...STUB_RESULTS.backtesting, sharpe_ratio: -3, total_trades: 0 });
    await keeper.childFinished(parent, backtest);
    expect(await store.require(parent)).toMatchObject({ status: 'failed', error_message: expect.stringMatching(/^Backtest gate failed: /) });
    expect(await blobs.owners(manifest)).toEqual([training]);
    expect(await blobs.stat(manifest)).toMatchObject({ refs: 1, ttl: null });
  });
});
