import { Redis } from 'ioredis';
import { OperationEventsHub } from './operation-events.hub';
import type { OperationInfo } from './operation.types';
import { OperationWatch, type OperationSnapshot } from './operation.watch';
import { OperationsStore } from './operations.store';
import { eventually, pause } from '../../../tools/testing/wait/wait';

const prefix = `it_events_${process.pid}_${Date.now()}`;
let redis: Redis;
let store: OperationsStore;
let channel: string;

beforeAll(() => {
  redis = new Redis(process.env['REDIS_URL']!);
  store = new OperationsStore(redis, prefix);
  channel = store.keys.eventsChannel();
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

/** The workspace's poll with this spec's short deadline and tight interval. */
const until = <T>(probe: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> => eventually(probe, what, 5000, 10);

async function numsub(): Promise<number> {
  const reply = (await redis.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
  return Number(reply[1]);
}

/** The `childIdOf` a cycle uses, reduced to what these tests need: the `child` parameter. */
const childParam = (op: OperationInfo): string | null =>
  typeof op.metadata.parameters['child'] === 'string' ? (op.metadata.parameters['child'] as string) : null;

function recorder() {
  const updates: OperationSnapshot[] = [];
  let end: OperationSnapshot | null = null;
  let error: unknown = null;
  return {
    updates,
    get end() {
      return end;
    },
    get error() {
      return error;
    },
    handlers: {
      onUpdate: (s: OperationSnapshot) => updates.push(s),
      onEnd: (s: OperationSnapshot) => (end = s),
      onError: (e: unknown) => (error = e),
    },
  };
}

describe('the store publishes a change notice for every applied change', () => {
  let sub: Redis;
  const messages: string[] = [];

  beforeAll(async () => {
    sub = new Redis(process.env['REDIS_URL']!);
    sub.on('message', (ch: string, m: string) => ch === channel && messages.push(m));
    await sub.subscribe(channel);
  });
  afterAll(async () => sub.quit());

  it('names the operation, and its parent for a child, on create, start, update, complete, fail and cancel', async () => {
    const parent = (await store.create({ type: 'agent_research' })).operation_id;
    await store.start(parent);
    const child = (await store.create({ type: 'training', parentId: parent, requireParentRunning: true })).operation_id;
    await store.start(child);
    await store.update(child, { progress: { percentage: 10, current_step: 'Epoch 1/10', steps_completed: 1, steps_total: 10 } });
    await store.complete(child, { accuracy: 0.5 });
    const other = (await store.create({ type: 'backtesting', parentId: parent })).operation_id;
    await store.fail(other, 'Backtest failed: no data');
    const third = (await store.create({ type: 'agent_assessment', parentId: parent })).operation_id;
    // Refused changes publish nothing.
    await store.complete(child, { late: true });
    await store.update(other, { parameters: { x: 1 } });
    await store.cancel(parent, { reason: 'Cancelled by user', childReason: 'Parent cancelled', source: 'test' });

    const expected = [
      parent,
      parent,
      `${child} ${parent}`,
      `${child} ${parent}`,
      `${child} ${parent}`,
      `${child} ${parent}`,
      `${other} ${parent}`,
      `${other} ${parent}`,
      `${third} ${parent}`,
      `${parent} ${third}`,
    ];
    await until(() => (messages.length >= expected.length ? true : undefined), 'all notices');
    expect(messages).toEqual(expected);
  });

  it('a cancel of a child names the child, its cancelled descendants and its parent', async () => {
    messages.length = 0;
    const parent = (await store.create({ type: 'agent_research' })).operation_id;
    const child = (await store.create({ type: 'training', parentId: parent })).operation_id;
    const grandchild = (await store.create({ type: 'backtesting', parentId: child })).operation_id;
    await store.cancel(child, { reason: 'r', childReason: 'c', source: 'test' });
    await until(() => (messages.length >= 4 ? true : undefined), 'the cancel notice');
    expect(messages[3]).toBe(`${child} ${grandchild} ${parent}`);
  });
});

describe('OperationEventsHub: one subscription per process, fanned out in memory', () => {
  it('subscribes with the first watcher, unsubscribes after the last, and leaves no listeners behind', async () => {
    const sub = new Redis(process.env['REDIS_URL']!);
    const hub = new OperationEventsHub(sub, prefix);
    const baselineListeners = sub.listenerCount('message');
    expect(await numsub()).toBe(0);

    const op = (await store.create({ type: 'training' })).operation_id;
    const seen: string[] = [];
    const offs = await Promise.all([1, 2, 3].map((n) => hub.watch(op, () => seen.push(`w${n}`))));
    expect(await numsub()).toBe(1);
    expect(hub.stats()).toEqual({ listeners: 3, ids: 1, subscribed: true });

    await store.start(op);
    await until(() => (seen.length === 3 ? true : undefined), 'three listeners notified');
    expect(seen.sort()).toEqual(['w1', 'w2', 'w3']);

    offs.forEach((off) => off());
    offs[0]!(); // removing twice is harmless
    await hub.settled();
    expect(hub.stats()).toEqual({ listeners: 0, ids: 0, subscribed: false });
    expect(await numsub()).toBe(0);
    expect(sub.listenerCount('message')).toBe(baselineListeners);

    // A notice after everyone left reaches no one. A subscriber of the test's own sees it go out,
    // so "nothing arrived" below is about a notice that really was published.
    const probe = new Redis(process.env['REDIS_URL']!);
    const published: string[] = [];
    probe.on('message', (_channel: string, message: string) => published.push(message));
    await probe.subscribe(channel);
    await store.update(op, { parameters: { y: 1 } });
    await until(() => (published.includes(op) ? true : undefined), 'the notice published');
    // The wait is what this checks ("nothing arrives"): 30 ms is many times the publish → handler latency.
    await pause(30);
    expect(seen).toHaveLength(3);
    await probe.quit();
    await hub.close();
    expect(sub.listenerCount('message')).toBe(baselineListeners - 1);
    await sub.quit();
  });

  it('watch, unwatch, watch again in quick succession ends subscribed exactly when someone watches', async () => {
    const sub = new Redis(process.env['REDIS_URL']!);
    const hub = new OperationEventsHub(sub, prefix);
    const a = await hub.watch('op_x', () => undefined);
    a();
    const b = hub.watch('op_y', () => undefined);
    const offB = await b;
    expect(hub.stats().subscribed).toBe(true);
    expect(await numsub()).toBe(1);
    offB();
    await hub.settled();
    expect(await numsub()).toBe(0);
    await hub.close();
    await sub.quit();
  });
});

describe('OperationWatch: one client following one operation', () => {
  let sub: Redis;
  let hub: OperationEventsHub;

  const subName = `it_events_sub_${process.pid}`;

  beforeAll(() => {
    sub = new Redis(process.env['REDIS_URL']!, { connectionName: subName });
    hub = new OperationEventsHub(sub, prefix);
  });
  afterAll(async () => {
    await hub.close();
    await sub.quit();
  });

  it('reports the state on start, each change of the operation or its current child, and ends with the terminal state', async () => {
    const parent = (await store.create({ type: 'agent_research', parameters: { phase: 'idle' } })).operation_id;
    const rec = recorder();
    const watch = new OperationWatch(store, hub, parent, rec.handlers, { childIdOf: childParam, coalesceMs: 0 });
    await watch.start();
    expect(rec.updates).toHaveLength(1);
    expect(rec.updates[0]).toMatchObject({ operation: { status: 'pending' }, child: null });

    await store.start(parent);
    await until(() => rec.updates.find((u) => u.operation.status === 'running'), 'running');
    const child = (await store.create({ type: 'training', parentId: parent, requireParentRunning: true, parentParameters: { phase: 'training' } }))
      .operation_id;
    await store.update(parent, { parameters: { child } });
    await until(() => rec.updates.find((u) => u.child?.operation_id === child), 'the child');
    await store.start(child);
    await store.update(child, { progress: { percentage: 50, current_step: 'Epoch 5/10', steps_completed: 5, steps_total: 10 } });
    await until(() => rec.updates.find((u) => u.child?.progress.current_step === 'Epoch 5/10'), 'the child progress');
    await store.cancel(parent, { reason: 'Cancelled by user', childReason: 'Parent cancelled', source: 'test' });
    const end = await until(() => rec.end ?? undefined, 'the end');
    expect(end).toMatchObject({ operation: { status: 'cancelled' }, child: { operation_id: child, status: 'cancelled' } });
    expect(rec.error).toBeNull();
    // Every reported state differs from the one before it.
    const keys = rec.updates.map((u) => JSON.stringify(u));
    expect(new Set(keys).size).toBe(keys.length);
    expect(watch.active).toBe(false);
    await hub.settled();
    expect(hub.stats().listeners).toBe(0);
  });

  it('coalesces a burst of progress writes into a few reads that end on the latest value', async () => {
    const op = (await store.create({ type: 'training' })).operation_id;
    await store.start(op);
    const rec = recorder();
    const watch = new OperationWatch(store, hub, op, rec.handlers, { coalesceMs: 50 });
    await watch.start();
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        store.update(op, { progress: { percentage: (i + 1) / 3, current_step: `Bar ${i + 1}/300`, steps_completed: i + 1, steps_total: 300 } }),
      ),
    );
    await until(() => rec.updates.find((u) => u.operation.progress.current_step === 'Bar 300/300'), 'the last progress');
    expect(rec.updates.length).toBeLessThan(100);
    watch.stop();
    await store.complete(op, {});
  });

  it('an operation already terminal gets its state as the end at once', async () => {
    const op = (await store.create({ type: 'backtesting' })).operation_id;
    await store.fail(op, 'Backtest failed: boom');
    const rec = recorder();
    await new OperationWatch(store, hub, op, rec.handlers).start();
    expect(rec.updates).toEqual([]);
    expect(rec.end).toMatchObject({ operation: { status: 'failed', error_message: 'Backtest failed: boom' }, child: null });
    await hub.settled();
    expect(hub.stats().listeners).toBe(0);
  });

  it('an unknown operation is an error, not a silent stream', async () => {
    const rec = recorder();
    await new OperationWatch(store, hub, 'op_training_20260101_000000_00000000', rec.handlers).start();
    expect(String(rec.error)).toContain('Operation not found');
  });

  it('re-reads after the subscriber reconnects, so a change published while it was down is not lost', async () => {
    const op = (await store.create({ type: 'training' })).operation_id;
    await store.start(op);
    const rec = recorder();
    const watch = new OperationWatch(store, hub, op, rec.handlers, { coalesceMs: 0 });
    await watch.start();
    // Only this suite's subscriber is killed (found by its connection name), not other suites' clients.
    const subId = ((await redis.call('CLIENT', 'LIST')) as string)
      .split('\n')
      .map((line) => /^id=(\d+) .* name=(\S+)/.exec(line))
      .find((m) => m?.[2] === subName);
    expect(subId).toBeTruthy();
    // Kill the subscriber connection and write while it is gone: the notice is dropped by Redis.
    const reconnected = new Promise<void>((r) => sub.once('ready', () => r()));
    await redis.client('KILL', 'ID', subId![1]!);
    await store.update(op, { progress: { percentage: 77, current_step: 'while away', steps_completed: 0, steps_total: 0 } });
    await reconnected;
    await until(() => rec.updates.find((u) => u.operation.progress.current_step === 'while away'), 'the missed change');
    watch.stop();
  });
});
