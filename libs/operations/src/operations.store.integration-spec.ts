import { Redis } from 'ioredis';
import { AtCapacityError, OperationFinishedError, OperationNotFoundError, ParentMovedError, ParentNotRunningError } from './operation.errors';
import type { OperationType } from './operation.types';
import { OperationsStore } from './operations.store';
import { eventually } from '../../../tools/testing/wait/wait';

const prefix = `it_store_${process.pid}_${Date.now()}`;
let redis: Redis;
let store: OperationsStore;

beforeAll(() => {
  redis = new Redis(process.env['REDIS_URL']!);
  store = new OperationsStore(redis, prefix);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

async function cycleWithChild(childType: OperationType = 'training') {
  const parent = await store.create({ type: 'agent_research', parameters: { phase: 'idle' } });
  await store.start(parent.operation_id);
  const child = await store.create({ type: childType, parentId: parent.operation_id, requireParentRunning: true });
  await store.start(child.operation_id);
  return { parent: parent.operation_id, child: child.operation_id };
}

describe('OperationsStore on a real Redis', () => {
  it('creates, reads and advances an operation with timestamps, progress and metadata', async () => {
    const op = await store.create({ type: 'training', parameters: { strategy: 'x', nested: { a: [1, 2] }, empty: [] } });
    expect(op).toMatchObject({
      status: 'pending',
      parent_operation_id: null,
      started_at: null,
      completed_at: null,
      metadata: { parameters: { strategy: 'x', nested: { a: [1, 2] }, empty: [] } },
    });
    const started = await store.start(op.operation_id);
    expect(started).toMatchObject({ applied: true, previous: 'pending', operation: { status: 'running' } });
    await store.update(op.operation_id, {
      progress: { percentage: 40, current_step: 'Epoch 4/10', steps_completed: 4, steps_total: 10 },
      parameters: { extra: 1 },
    });
    const done = await store.complete(op.operation_id, { accuracy: 0.6 });
    expect(done.applied).toBe(true);
    const read = await store.require(op.operation_id);
    expect(read).toMatchObject({
      status: 'completed',
      result_summary: { accuracy: 0.6 },
      progress: { percentage: 40, current_step: 'Epoch 4/10' },
      metadata: { parameters: { strategy: 'x', extra: 1 } },
    });
    expect(Date.parse(read.completed_at!)).toBeGreaterThanOrEqual(Date.parse(read.started_at!));
  });

  it('refuses every transition out of a terminal status and says so', async () => {
    const op = await store.create({ type: 'backtesting' });
    await store.start(op.operation_id);
    await store.fail(op.operation_id, 'Backtest failed: no data');
    await expect(store.complete(op.operation_id, {})).resolves.toEqual({ applied: false, reason: 'terminal', current: 'failed' });
    await expect(store.start(op.operation_id)).resolves.toEqual({ applied: false, reason: 'terminal', current: 'failed' });
    await expect(store.update(op.operation_id, { parameters: { x: 1 } })).resolves.toMatchObject({ applied: false });
    await expect(store.cancel(op.operation_id, { reason: 'r', childReason: 'c', source: 't' })).rejects.toBeInstanceOf(OperationFinishedError);
    expect(await store.require(op.operation_id)).toMatchObject({ status: 'failed', error_message: 'Backtest failed: no data', metadata: { parameters: {} } });
  });

  it('refuses an invalid non-terminal transition (pending → completed)', async () => {
    const op = await store.create({ type: 'training' });
    await expect(store.complete(op.operation_id, {})).resolves.toEqual({ applied: false, reason: 'invalid', current: 'pending' });
  });

  it('throws OperationNotFoundError for unknown ids', async () => {
    await expect(store.start('op_training_20260101_000000_deadbeef')).rejects.toBeInstanceOf(OperationNotFoundError);
    await expect(store.cancel('nope', { reason: 'r', childReason: 'c', source: 't' })).rejects.toThrow('Operation not found: nope');
  });

  it('races complete against cancel 1,000 times: exactly one terminal status, the loser is told', async () => {
    const ops = await Promise.all(Array.from({ length: 1000 }, () => store.create({ type: 'training' })));
    await Promise.all(ops.map((o) => store.start(o.operation_id)));
    const outcomes = await Promise.all(
      ops.map(async (o) => {
        const [completion, cancellation] = await Promise.all([
          store.complete(o.operation_id, { done: true }),
          store.cancel(o.operation_id, { reason: 'Cancelled by user', childReason: 'Parent cancelled', source: 'test' }).then(
            () => 'won' as const,
            (e: unknown) => (e instanceof OperationFinishedError ? ('lost' as const) : Promise.reject(e)),
          ),
        ]);
        const final = await store.require(o.operation_id);
        return {
          completionWon: completion.applied,
          cancelWon: cancellation === 'won',
          final: final.status,
          loserSaw: completion.applied ? null : completion.current,
        };
      }),
    );
    let completed = 0;
    let cancelled = 0;
    for (const o of outcomes) {
      expect(o.completionWon !== o.cancelWon).toBe(true); // exactly one winner
      expect(o.final).toBe(o.completionWon ? 'completed' : 'cancelled');
      if (!o.completionWon) expect(o.loserSaw).toBe('cancelled');
      if (o.completionWon) completed++;
      else cancelled++;
    }
    expect(completed + cancelled).toBe(1000);
  });

  it('cancels the target and every non-terminal descendant in one step, with reasons', async () => {
    const { parent, child } = await cycleWithChild('training');
    const finished = await store.create({ type: 'agent_design', parentId: parent });
    await store.start(finished.operation_id);
    await store.complete(finished.operation_id, {});
    const grandchild = await store.create({ type: 'backtesting', parentId: child });
    const out = await store.cancel(parent, { reason: 'Cancelled by user', childReason: 'Parent cancelled', source: 'test route' });
    expect(out.previous).toBe('running');
    expect(out.children_cancelled.sort()).toEqual([child, grandchild.operation_id].sort());
    expect(out.operation).toMatchObject({ status: 'cancelled', cancellation_reason: 'Cancelled by user', cancelled_by: 'test route' });
    expect(await store.require(child)).toMatchObject({ status: 'cancelled', cancellation_reason: 'Parent cancelled' });
    expect(await store.require(grandchild.operation_id)).toMatchObject({ status: 'cancelled' });
    expect(await store.require(finished.operation_id)).toMatchObject({ status: 'completed', cancellation_reason: null });
  });

  describe('parent cancel', () => {
    it.each(['agent_design', 'training', 'backtesting', 'agent_assessment'] as OperationType[])(
      'during the %s phase cancels the child; both end cancelled',
      async (type) => {
        const { parent, child } = await cycleWithChild(type);
        const out = await store.cancel(parent, { reason: 'Cancelled by user', childReason: 'Parent cancelled', source: 'test' });
        expect(out.children_cancelled).toEqual([child]);
        expect((await store.require(parent)).status).toBe('cancelled');
        expect((await store.require(child)).status).toBe('cancelled');
      },
    );

    it('works when no child is running', async () => {
      const parent = await store.create({ type: 'agent_research' });
      await store.start(parent.operation_id);
      const out = await store.cancel(parent.operation_id, { reason: 'Cancelled by user', childReason: 'Parent cancelled', source: 'test' });
      expect(out.children_cancelled).toEqual([]);
      expect(out.operation.status).toBe('cancelled');
    });
  });

  it('never creates a child for a parent that is not running', async () => {
    const parent = await store.create({ type: 'agent_research' });
    await expect(store.create({ type: 'training', parentId: parent.operation_id, requireParentRunning: true })).rejects.toBeInstanceOf(ParentNotRunningError);
    await store.cancel(parent.operation_id, { reason: 'r', childReason: 'c', source: 't' });
    await expect(store.create({ type: 'training', parentId: parent.operation_id, requireParentRunning: true })).rejects.toThrow(
      'is not running (status: cancelled)',
    );
    expect(await store.children(parent.operation_id)).toEqual([]);
  });

  it('writes the child id into the parent in the same step, guarded by the parent phase', async () => {
    const parent = await store.create({ type: 'agent_research', parameters: { phase: 'idle' } });
    await store.start(parent.operation_id);
    const child = await store.create({
      type: 'agent_design',
      parentId: parent.operation_id,
      requireParentRunning: true,
      parentGuard: { parameter: 'phase', value: 'idle' },
      parentParameters: { phase: 'designing', design_op_id: 'will-be-checked' },
    });
    expect((await store.require(parent.operation_id)).metadata.parameters).toMatchObject({ phase: 'designing' });
    await expect(
      store.create({
        type: 'agent_design',
        parentId: parent.operation_id,
        parentGuard: { parameter: 'phase', value: 'idle' },
        parentParameters: { phase: 'designing' },
      }),
    ).rejects.toBeInstanceOf(ParentMovedError);
    expect((await store.children(parent.operation_id)).map((c) => c.operation_id)).toEqual([child.operation_id]);
  });

  it('enforces a capacity atomically under concurrent creates', async () => {
    const p = `${prefix}_cap`;
    const capStore = new OperationsStore(redis, p);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => capStore.create({ type: 'agent_research', capacity: 3 })));
    const created = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(created).toHaveLength(3);
    expect(refused).toHaveLength(17);
    for (const r of refused) expect(r.reason).toBeInstanceOf(AtCapacityError);
    const keys = await redis.keys(`${p}:*`);
    await redis.del(...keys);
  });

  it('lists newest first with filters, paging, total and active counts', async () => {
    const p = `${prefix}_list`;
    const s = new OperationsStore(redis, p);
    const base = Date.parse('2026-01-01T00:00:00Z');
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const op = await s.create({ type: i % 2 ? 'training' : 'backtesting', now: new Date(base + i * 1000) });
      ids.push(op.operation_id);
      if (i < 4) await s.start(op.operation_id);
      if (i < 2) await s.fail(op.operation_id, 'x');
    }
    const page = await s.list({ limit: 5, offset: 0 });
    expect(page.operations.map((o) => o.operation_id)).toEqual(ids.slice(-5).reverse());
    expect(page.total_count).toBe(12);
    expect(page.active_count).toBe(10);
    const second = await s.list({ limit: 5, offset: 10 });
    expect(second.operations.map((o) => o.operation_id)).toEqual([ids[1], ids[0]]);
    expect((await s.list({ limit: 100, offset: 0, status: 'failed' })).total_count).toBe(2);
    const runningTraining = await s.list({ limit: 100, offset: 0, status: 'running', operation_type: 'training' });
    expect(runningTraining.operations.map((o) => o.operation_id)).toEqual([ids[3]]);
    expect((await s.list({ limit: 100, offset: 0, active_only: true, operation_type: 'backtesting' })).total_count).toBe(5);
    const keys = await redis.keys(`${p}:*`);
    await redis.del(...keys);
  });

  it('reports the newest finished operation of a type', async () => {
    const a = await store.create({ type: 'agent_assessment' });
    await store.start(a.operation_id);
    await store.complete(a.operation_id, {});
    // Finish times have millisecond resolution: wait for the clock to move on, so "newest" is defined.
    const finishedAt = Date.now();
    await eventually(() => (Date.now() > finishedAt ? true : undefined), 'the clock to pass the first finish', 1000, 1);
    const b = await store.create({ type: 'agent_assessment' });
    await store.cancel(b.operation_id, { reason: 'r', childReason: 'c', source: 't' });
    expect((await store.lastFinished('agent_assessment'))?.operation_id).toBe(b.operation_id);
  });
});
