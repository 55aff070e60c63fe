import { Redis } from 'ioredis';
import { CancelChannel, type CancelMessage } from './cancel.channel';
import { cancelAndAnnounce } from './cancel.tree';
import { OperationFinishedError } from './operation.errors';
import { OperationsStore } from './operations.store';

const prefix = `it_cancel_tree_${process.pid}_${Date.now()}`;
let redis: Redis;
let subscriber: Redis;
let reader: Redis;
let store: OperationsStore;
const channel = new CancelChannel(prefix);

beforeAll(() => {
  redis = new Redis(process.env['REDIS_URL']!);
  subscriber = new Redis(process.env['REDIS_URL']!);
  reader = new Redis(process.env['REDIS_URL']!);
  store = new OperationsStore(redis, prefix);
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await Promise.all([redis.quit(), subscriber.quit(), reader.quit()]);
});

describe('cancelAndAnnounce', () => {
  it('announces the root after the durable write, then every cancelled descendant: a listener reading on receipt sees the whole tree cancelled', async () => {
    const parent = await store.create({ type: 'agent_research', parameters: { phase: 'training' } });
    await store.start(parent.operation_id);
    const child = await store.create({ type: 'training', parentId: parent.operation_id, requireParentRunning: true });
    await store.start(child.operation_id);

    const seen: Array<{ msg: CancelMessage; statuses: string[] }> = [];
    const readerStore = new OperationsStore(reader, prefix);
    let resolveSeen!: () => void;
    // Two messages: the root, then the descendants the script named.
    const gotIt = new Promise<void>((r) => (resolveSeen = r));
    const unsubscribe = await channel.subscribe(
      subscriber,
      (msg) =>
        void Promise.all([readerStore.require(parent.operation_id), readerStore.require(child.operation_id)]).then((ops) => {
          seen.push({ msg, statuses: ops.map((o) => o.status) });
          if (seen.length === 2) resolveSeen();
        }),
      () => undefined,
    );
    const out = await cancelAndAnnounce(store, channel, redis, parent.operation_id, {
      reason: 'Cancelled by user',
      childReason: 'Parent cancelled',
      source: 'test',
    });
    await gotIt;
    await unsubscribe();
    expect(out.children_cancelled).toEqual([child.operation_id]);
    expect(seen).toHaveLength(2);
    expect(seen[0]!.msg).toMatchObject({ operation_ids: [parent.operation_id], reason: 'Cancelled by user' });
    expect(seen[0]!.statuses).toEqual(['cancelled', 'cancelled']);
    // Jobs under a deeper tree know only their nearest ancestors: every cancelled id is announced too.
    expect(seen[1]!.msg).toMatchObject({ operation_ids: [child.operation_id], reason: 'Cancelled by user', requested_at: seen[0]!.msg.requested_at });
    expect(seen[1]!.statuses).toEqual(['cancelled', 'cancelled']);
  });

  it('still refuses a finished operation (the stray message matches no running job)', async () => {
    const op = await store.create({ type: 'agent_research' });
    await store.start(op.operation_id);
    await store.complete(op.operation_id, {});
    await expect(cancelAndAnnounce(store, channel, redis, op.operation_id, { reason: 'x', childReason: 'y', source: 'test' })).rejects.toBeInstanceOf(
      OperationFinishedError,
    );
    expect((await store.require(op.operation_id)).status).toBe('completed');
  });
});
