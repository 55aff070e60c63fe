import { Redis } from 'ioredis';
import { ArtifactStore, ArtifactTooLargeError } from './artifact.store';
import { eventually } from '../../../tools/testing/wait/wait';

const prefix = `it_art_${process.pid}_${Date.now()}`;
const OP = 'op_training_20260101_000000_0000abcd';
let redis: Redis;

beforeAll(() => {
  redis = new Redis(process.env['REDIS_URL']!);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe('ArtifactStore on a real Redis', () => {
  it('puts, lists, gets and removes JSON artifacts per operation', async () => {
    const store = new ArtifactStore(redis, prefix);
    const history = { epochs: [1, 2], train_loss: [0.9, 0.7], val_accuracy: [0.41, 0.52], empty: [] };
    await store.put(OP, 'history', history);
    await store.putAll(OP, { strategy: { name: 'v3_minimal' }, equity: undefined });
    expect(await store.list(OP)).toEqual(['history', 'strategy']);
    expect(await store.get(OP, 'history')).toEqual(history);
    expect(await store.getRaw(OP, 'strategy')).toBe('{"name":"v3_minimal"}');
    expect(await store.get(OP, 'equity')).toBeNull();
    expect(await store.list('op_training_20260101_000000_ffffffff')).toEqual([]);

    await store.remove(OP);
    expect(await store.list(OP)).toEqual([]);
    expect(await store.get(OP, 'history')).toBeNull();
  });

  it('sets the retention TTL on every write, under the key prefix', async () => {
    const store = new ArtifactStore(redis, prefix, { ttlSeconds: 3 * 86_400 });
    await store.put(OP, 'assessment', { verdict: 'promising' });
    const ttl = await redis.ttl(`${prefix}:{ops}:art:${OP}`);
    expect(ttl).toBeGreaterThan(3 * 86_400 - 10);
    expect(ttl).toBeLessThanOrEqual(3 * 86_400);
    expect(await store.ttl(OP)).toBe(ttl);
    await store.remove(OP);
    expect(await store.ttl(OP)).toBeNull();
  });

  it('expires the whole set when the TTL runs out', async () => {
    const store = new ArtifactStore(redis, prefix, { ttlSeconds: 1 });
    await store.put(OP, 'equity', { t: [], equity: [] });
    // PEXPIRE shortens the wait without changing what is tested: expiry removes every artifact.
    const key = `${prefix}:{ops}:art:${OP}`;
    await redis.pexpire(key, 20);
    // Wait on the state itself: Redis has expired the key (bounded, in case it never does).
    await eventually(async () => ((await redis.exists(key)) === 0 ? true : undefined), 'Redis to expire the artifact key', 2000, 10);
    expect(await store.list(OP)).toEqual([]);
  });

  it('refuses an artifact over the size cap with a typed error and writes nothing of the batch', async () => {
    const store = new ArtifactStore(redis, prefix, { maxBytes: 1024 });
    const big = { equity: Array.from({ length: 400 }, (_, i) => i * 1.5) };
    const err = await store.putAll(OP, { strategy: { ok: true }, equity: big }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactTooLargeError);
    expect(err).toMatchObject({ code: 'ARTIFACT_TOO_LARGE', details: { artifact: 'equity', max_bytes: 1024 } });
    expect((err as Error).message).toMatch(/^Artifact equity of op_training_\S+ is too large: /);
    expect(await store.list(OP)).toEqual([]);
    // exactly at the cap is accepted
    const atCap = 'x'.repeat(1022); // JSON adds two quotes
    await store.put(OP, 'strategy', atCap);
    expect(await store.get(OP, 'strategy')).toBe(atCap);
    await store.remove(OP);
  });

  it('refuses names that are not identifiers instead of writing odd hash fields', async () => {
    const store = new ArtifactStore(redis, prefix);
    await expect(store.put(OP, '../x', 1)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await store.getRaw(OP, '../x')).toBeNull();
  });
});
