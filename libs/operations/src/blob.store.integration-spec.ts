import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { BlobCorruptError, BlobNotFoundError, BlobStore, BlobWriteError, DEFAULT_BLOB_CHUNK_BYTES } from './blob.store';
import { startGateProxy } from '../../../tools/testing/proxy/gate.proxy';
import { eventually } from '../../../tools/testing/wait/wait';

const prefix = `it_blob_${process.pid}_${Date.now()}`;
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
/** Deterministic bytes without a pattern a chunk boundary could hide behind. */
const bytesOf = (n: number, seed: number): Buffer => {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
};

let redis: Redis;
/** Each test gets its own sub-prefix, so key counts and usage() see only its blobs. */
let n = 0;
const freshPrefix = (): string => `${prefix}:t${++n}`;
const keysUnder = (p: string): Promise<string[]> => redis.keys(`${p}:*`);

beforeAll(() => {
  redis = new Redis(process.env['REDIS_URL']!);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe('BlobStore on a real Redis', () => {
  it('round-trips small, empty and multi-chunk (5 MB) blobs, with their manifest and metadata', async () => {
    const p = freshPrefix();
    const store = new BlobStore(redis, p);
    const small = Buffer.from('name: v3_minimal\n', 'utf8');
    const put = await store.put(small, { kind: 'strategy', name: 'v3_minimal', version: 3 });
    expect(put).toEqual({ hash: sha(small), size: small.byteLength, created: true });
    expect(await store.get(put.hash)).toEqual(small);
    expect(await store.has(put.hash)).toBe(true);

    const empty = await store.put(new Uint8Array(0), { kind: 'strategy' });
    expect(empty).toEqual({ hash: sha(Buffer.alloc(0)), size: 0, created: true });
    expect(await store.get(empty.hash)).toEqual(Buffer.alloc(0));

    // A typed array that is a view into a larger buffer: only its own bytes are stored.
    const big = bytesOf(5 * 1024 * 1024 + 123, 7);
    const view = new Uint8Array(Buffer.concat([Buffer.from('xx'), big, Buffer.from('yy')]).buffer, 2, big.byteLength);
    const multi = await store.put(view, { kind: 'csv', symbol: 'EURUSD', timeframe: '1h' });
    expect(multi.hash).toBe(sha(big));
    const back = await store.get(multi.hash);
    expect(back?.byteLength).toBe(big.byteLength);
    expect(back?.equals(big)).toBe(true);

    const stat = await store.stat(multi.hash);
    expect(stat).toMatchObject({ hash: multi.hash, size: big.byteLength, chunks: 6, chunk_bytes: DEFAULT_BLOB_CHUNK_BYTES, kind: 'csv', refs: 0 });
    expect(stat!.meta).toEqual({ symbol: 'EURUSD', timeframe: '1h' });
    expect(Date.parse(stat!.created_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(stat!.ttl).toBeGreaterThan(30 * 86_400 - 60);
    // No chunk is larger than the chunk size: the 5 MB never became one value.
    const lengths = await Promise.all(Array.from({ length: 6 }, (_, i) => redis.hstrlen(store.blobKey(multi.hash), `c:${i}`)));
    expect(Math.max(...lengths)).toBe(DEFAULT_BLOB_CHUNK_BYTES);
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(big.byteLength);

    const unknown = sha(Buffer.from('never stored'));
    expect(await store.get(unknown)).toBeNull();
    expect(await store.has(unknown)).toBe(false);
    expect(await store.stat(unknown)).toBeNull();
    // Not a hash at all (e.g. from a URL): simply not stored, no key is looked up by it.
    expect(await store.get('../etc')).toBeNull();
    expect(await store.stat('ABC')).toBeNull();
    // Nothing left in staging after successful puts.
    expect((await keysUnder(p)).filter((k) => k.includes('blob-stage:'))).toEqual([]);
  });

  it('stores the same content once; a second put renews the TTL and keeps the first metadata', async () => {
    const p = freshPrefix();
    const store = new BlobStore(redis, p, { ttlSeconds: 600, chunkBytes: 1000 });
    const data = bytesOf(3500, 3);
    const first = await store.put(data, { kind: 'model', file: 'weights.bin' });
    await redis.pexpire(store.blobKey(first.hash), 5_000);
    const second = await store.put(Buffer.from(data), { kind: 'csv' });
    expect(second).toEqual({ ...first, created: false });
    expect(await redis.ttl(store.blobKey(first.hash))).toBeGreaterThan(590);
    expect(await store.stat(first.hash)).toMatchObject({ kind: 'model', chunks: 4, meta: { file: 'weights.bin' } });
    const blobKeys = (await keysUnder(p)).filter((k) => k.includes(':blob:'));
    expect(blobKeys).toEqual([store.blobKey(first.hash)]);
    expect(await store.usage()).toEqual({ blobs: 1, bytes: 3500, by_kind: { model: { blobs: 1, bytes: 3500 } } });
  });

  it('publishes atomically: a reader polling during a slow put sees null or the whole blob, never a part', async () => {
    const p = freshPrefix();
    const writerRedis = new Redis(process.env['REDIS_URL']!);
    try {
      // 1 KiB chunks, 4 per round trip: 256 round trips for 1 MiB, plenty of time for the reader.
      const writer = new BlobStore(writerRedis, p, { chunkBytes: 1024, batchBytes: 4096 });
      const reader = new BlobStore(redis, p);
      const data = bytesOf(1024 * 1024, 11);
      const hash = sha(data);
      let done = false;
      const putting = writer.put(data, { kind: 'csv' }).finally(() => {
        done = true;
      });
      const seen = { nulls: 0, whole: 0, partialStage: 0, wrong: 0 };
      while (!done) {
        const [got, stages] = await Promise.all([reader.get(hash), redis.keys(`${p}:{ops}:blob-stage:*`)]);
        if (got === null) seen.nulls += 1;
        else if (got.equals(data)) seen.whole += 1;
        else seen.wrong += 1;
        for (const stage of stages) {
          const chunks = await redis.hlen(stage);
          if (chunks > 0 && chunks < 1024) seen.partialStage += 1;
        }
      }
      await putting;
      // Buffer.equals: jest's toEqual walks a 1 MiB buffer byte by byte, for seconds.
      expect((await reader.get(hash))?.equals(data)).toBe(true);
      expect(seen.wrong).toBe(0);
      // The reader really polled while half the chunks were written, and saw nothing then.
      expect(seen.partialStage).toBeGreaterThan(0);
      expect(seen.nulls).toBeGreaterThan(0);
    } finally {
      await writerRedis.quit();
    }
  });

  it('verifies the content on get: a corrupt, missing or truncated chunk throws BlobCorruptError', async () => {
    const p = freshPrefix();
    const store = new BlobStore(redis, p, { chunkBytes: 100 });
    const data = bytesOf(300, 5);
    const { hash } = await store.put(data, { kind: 'model' });
    const key = store.blobKey(hash);

    const flipped = Buffer.from(data.subarray(100, 200));
    flipped[17] = flipped[17]! ^ 0xff;
    await redis.hset(key, 'c:1', flipped);
    const err = await store.get(hash).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobCorruptError);
    expect(err).toMatchObject({ code: 'INTERNAL', details: { hash } });
    expect((err as Error).message).toMatch(/^Blob [0-9a-f]{12}… is corrupt: content hashes to [0-9a-f]{12}…$/);

    await redis.hset(key, 'c:1', data.subarray(100, 150));
    await expect(store.get(hash)).rejects.toThrow(/chunks hold 250 bytes, the manifest says 300/);

    await redis.hdel(key, 'c:1');
    await expect(store.get(hash)).rejects.toThrow(/chunk 1 of 3 is missing/);
  });

  it('expires an unreferenced blob after its TTL and keeps a referenced one until its last reference goes', async () => {
    const p = freshPrefix();
    const store = new BlobStore(redis, p, { ttlSeconds: 1 });
    const loose = await store.put(Buffer.from('loose'), { kind: 'csv' });
    // Read at once: with a 1 s TTL, a slow machine could see it gone a few steps later.
    expect((await store.stat(loose.hash))!.ttl).toBeGreaterThanOrEqual(0);
    const held = await store.put(Buffer.from('held'), { kind: 'model' }, { owner: 'op_training_20260101_000000_0000abcd' });
    const later = await store.put(Buffer.from('later'), { kind: 'model' });
    expect(await store.ref(later.hash, 'op_backtest_20260101_000000_0000abcd')).toBe(true);
    expect(await store.ref(later.hash, 'op_backtest_20260101_000000_0000abcd')).toBe(false);

    expect(await store.stat(held.hash)).toMatchObject({ ttl: null, refs: 1 });
    expect(await store.owners(held.hash)).toEqual(['op_training_20260101_000000_0000abcd']);
    expect(await store.stat(later.hash)).toMatchObject({ ttl: null, refs: 1 });

    await eventually(async () => ((await store.has(loose.hash)) ? undefined : true), 'the unreferenced blob to expire', 5_000, 50);
    expect(await store.get(loose.hash)).toBeNull();
    // Both referenced blobs outlived the TTL the loose one had.
    expect(await store.get(held.hash)).toEqual(Buffer.from('held'));
    expect(await store.get(later.hash)).toEqual(Buffer.from('later'));

    expect(await store.unref(later.hash, 'op_backtest_20260101_000000_0000abcd')).toBe(true);
    const released = await store.stat(later.hash);
    expect(released).toMatchObject({ refs: 0 });
    expect(released!.ttl).toBeGreaterThanOrEqual(0);
    expect(await store.unref(later.hash, 'op_backtest_20260101_000000_0000abcd')).toBe(false);
    await eventually(async () => ((await store.has(later.hash)) ? undefined : true), 'the unreferenced blob to expire', 5_000, 50);
    expect(await store.get(held.hash)).toEqual(Buffer.from('held'));

    await expect(store.ref(loose.hash, 'op_x')).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(store.ref(held.hash, 'has space')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(store.ref('not-a-hash', 'op_x')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(store.put(Buffer.from('x'), { kind: 'Bad Kind' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it("removeOwner drops only that owner's references; blobs still held by another owner stay permanent", async () => {
    const p = freshPrefix();
    const store = new BlobStore(redis, p, { ttlSeconds: 300 });
    const child = 'op_training_fold_20260101_000000_0000abcd';
    const other = 'op_training_20260101_000000_0000ffff';
    const own = await store.put(Buffer.from('fold model'), { kind: 'model' }, { owner: child });
    const shared = await store.put(Buffer.from('features'), { kind: 'bars' }, { owner: child });
    await store.ref(shared.hash, other);
    expect(await store.ownedBy(child)).toEqual([own.hash, shared.hash].sort());

    expect(await store.removeOwner(child)).toBe(2);
    expect(await store.ownedBy(child)).toEqual([]);
    expect(await redis.exists(store.ownerKey(child))).toBe(0);
    const ownStat = await store.stat(own.hash);
    expect(ownStat).toMatchObject({ refs: 0 });
    expect(ownStat!.ttl).toBeGreaterThan(290);
    expect(await store.stat(shared.hash)).toMatchObject({ refs: 1, ttl: null });
    expect(await store.owners(shared.hash)).toEqual([other]);
    expect(await store.removeOwner(child)).toBe(0);
  });

  it('purge deletes at once what nobody else holds (a discarded child), keeps what another owner holds, and forgets it in usage()', async () => {
    const p = freshPrefix();
    const store = new BlobStore(redis, p, { ttlSeconds: 300 });
    const child = 'op_training_20260101_000000_0000abcd';
    const other = 'op_training_20260101_000000_0000ffff';
    const own = await store.put(Buffer.from('seed model'), { kind: 'model' }, { owner: child });
    const second = await store.put(Buffer.from('second seed model'), { kind: 'model' }, { owner: child });
    const shared = await store.put(Buffer.from('same bytes in two runs'), { kind: 'model' }, { owner: child });
    await store.ref(shared.hash, other);

    expect(await store.unref(second.hash, child, { purge: true })).toBe(true);
    expect(await redis.exists(store.blobKey(second.hash))).toBe(0);
    expect(await store.removeOwner(child, { purge: true })).toBe(2);
    expect(await redis.exists(store.blobKey(own.hash))).toBe(0);
    expect(await store.get(own.hash)).toBeNull();
    expect(await store.stat(shared.hash)).toMatchObject({ refs: 1, ttl: null });
    expect(await redis.hkeys(store.indexKey())).toEqual([shared.hash]);
    expect(await store.usage()).toMatchObject({ blobs: 1, bytes: 'same bytes in two runs'.length });
  });

  it('names: create-only between concurrent writers, replace moves the reference, delete releases it', async () => {
    const p = freshPrefix();
    const store = new BlobStore(redis, p, { ttlSeconds: 300 });
    const versions = await Promise.all(Array.from({ length: 8 }, (_, i) => store.put(Buffer.from(`name: v3_minimal\n# writer ${i}\n`), { kind: 'strategy' })));
    // Eight writers on their own connections race for one name: exactly one wins, every one learns which.
    const clients = versions.map(() => new Redis(process.env['REDIS_URL']!));
    try {
      const answers = await Promise.all(versions.map((v, i) => new BlobStore(clients[i]!, p).setNameIfAbsent('strategy', 'v3_minimal', v.hash)));
      const winners = answers.filter((a) => a.set);
      expect(winners).toHaveLength(1);
      expect(new Set(answers.map((a) => a.hash))).toEqual(new Set([winners[0]!.hash]));
    } finally {
      await Promise.all(clients.map((c) => c.quit()));
    }
    const first = (await store.getName('strategy', 'v3_minimal'))!;
    expect(await store.owners(first)).toEqual(['strategy:v3_minimal']);
    expect(await store.stat(first)).toMatchObject({ ttl: null, refs: 1 });

    const next = versions.find((v) => v.hash !== first)!.hash;
    expect(await store.setName('strategy', 'v3_minimal', next)).toBe(first);
    expect(await store.getName('strategy', 'v3_minimal')).toBe(next);
    expect(await store.stat(first)).toMatchObject({ refs: 0 });
    expect((await store.stat(first))!.ttl).toBeGreaterThan(290);
    expect(await store.stat(next)).toMatchObject({ refs: 1, ttl: null });
    // Same pointer again: nothing changes, the reference is not counted twice.
    expect(await store.setName('strategy', 'v3_minimal', next)).toBe(next);
    expect(await store.stat(next)).toMatchObject({ refs: 1 });

    await store.setName('strategy', 'a_first', first);
    expect(await store.listNames('strategy')).toEqual([
      { name: 'a_first', hash: first },
      { name: 'v3_minimal', hash: next },
    ]);
    expect(await store.listNames('model')).toEqual([]);
    await expect(store.setName('strategy', 'ghost', sha(Buffer.from('nothing')))).rejects.toBeInstanceOf(BlobNotFoundError);
    expect(await store.getName('strategy', 'ghost')).toBeNull();

    expect(await store.deleteName('strategy', 'v3_minimal')).toBe(true);
    expect(await store.deleteName('strategy', 'v3_minimal')).toBe(false);
    expect(await store.getName('strategy', 'v3_minimal')).toBeNull();
    expect(await store.stat(next)).toMatchObject({ refs: 0 });
    expect((await store.stat(next))!.ttl).toBeGreaterThan(290);
    await expect(store.setName('Bad NS', 'x', first)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('usage counts blobs and bytes per kind and forgets blobs that expired', async () => {
    const p = freshPrefix();
    const store = new BlobStore(redis, p, { chunkBytes: 64 });
    expect(await store.usage()).toEqual({ blobs: 0, bytes: 0, by_kind: {} });
    const a = await store.put(bytesOf(1000, 1), { kind: 'bars' });
    await store.put(bytesOf(200, 2), { kind: 'bars' });
    await store.put(bytesOf(50, 3), { kind: 'model' });
    expect(await store.usage()).toEqual({ blobs: 3, bytes: 1250, by_kind: { bars: { blobs: 2, bytes: 1200 }, model: { blobs: 1, bytes: 50 } } });
    // An expiry (here forced) sends the index no notice: usage finds it and prunes the entry.
    await redis.del(store.blobKey(a.hash));
    expect(await store.usage()).toEqual({ blobs: 2, bytes: 250, by_kind: { bars: { blobs: 1, bytes: 200 }, model: { blobs: 1, bytes: 50 } } });
    expect(await redis.hexists(store.indexKey(), a.hash)).toBe(0);
  });

  it('a writer killed mid-put leaves nothing readable, and its staging key expires', async () => {
    const p = freshPrefix();
    const writerRedis = new Redis(process.env['REDIS_URL']!, { maxRetriesPerRequest: 0 });
    const writer = new BlobStore(writerRedis, p, { chunkBytes: 1024, batchBytes: 1024, stagingTtlSeconds: 1 });
    const data = bytesOf(10 * 1024, 9);
    const hash = sha(data);
    let batches = 0;
    // The connection drops after three chunks reached staging: the writer can neither publish nor clean up.
    const err = await writer
      .put(
        data,
        { kind: 'csv' },
        {
          onProgress: () => {
            batches += 1;
            if (batches === 3) writerRedis.disconnect();
          },
        },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(batches).toBe(3);

    const reader = new BlobStore(redis, p);
    expect(await reader.get(hash)).toBeNull();
    expect(await reader.has(hash)).toBe(false);
    expect(await reader.usage()).toEqual({ blobs: 0, bytes: 0, by_kind: {} });
    const stages = await redis.keys(`${p}:{ops}:blob-stage:*`);
    expect(stages).toHaveLength(1);
    expect(await redis.hlen(stages[0]!)).toBe(3);
    const ttl = await redis.pttl(stages[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1000);
    await eventually(async () => ((await redis.exists(stages[0]!)) === 0 ? true : undefined), 'the staging key to expire', 5_000, 50);
    expect(await keysUnder(p)).toEqual([]);

    // The same content put again later is stored whole.
    const again = await new BlobStore(redis, p, { chunkBytes: 1024 }).put(data, { kind: 'csv' });
    expect(again).toEqual({ hash, size: data.byteLength, created: true });
    expect((await reader.get(hash))?.equals(data)).toBe(true);
  });

  it('a writer cut off in the middle of a batch on the wire leaves no staging key without a TTL', async () => {
    const p = freshPrefix();
    const url = new URL(process.env['REDIS_URL']!);
    const gate = await startGateProxy(url.hostname, Number(url.port || 6379));
    const writerRedis = new Redis(gate.url, { maxRetriesPerRequest: 0, connectionName: `gated_writer_${n}` });
    try {
      // One batch of four 1 KiB chunks; the writer freezes 1.5 chunks into it, as a process killed
      // while its socket was still sending would: the first HSET reached Redis, the EXPIRE never did.
      const writer = new BlobStore(writerRedis, p, { chunkBytes: 1024, batchBytes: 4096 });
      const data = bytesOf(4096, 13);
      const held = gate.holdAt('blob-stage:', 1536);
      const putting = writer.put(data, { kind: 'csv' }).catch((e: unknown) => e);
      await held;
      gate.cut();
      writerRedis.disconnect();
      expect(await putting).toBeInstanceOf(Error);
      // Once Redis has let the writer go, it has applied or dropped every byte the writer sent.
      const gone = async (): Promise<true | undefined> => (!String(await redis.client('LIST')).includes(`name=gated_writer_${n} `) ? true : undefined);
      await eventually(gone, 'Redis to drop the cut-off writer', 5_000, 20);
      // A transaction whose EXEC never came is discarded: not one chunk was applied, so nothing lingers.
      for (const key of await keysUnder(p)) expect(await redis.pttl(key)).toBeGreaterThan(0);
      expect(await keysUnder(p)).toEqual([]);
      expect(await new BlobStore(redis, p).get(sha(data))).toBeNull();
    } finally {
      writerRedis.disconnect();
      await gate.close();
    }
  });

  it('refuses to publish when the staging key lost chunks (it expired between writes) and leaves no blob', async () => {
    const p = freshPrefix();
    const store = new BlobStore(redis, p, { chunkBytes: 10, batchBytes: 10 });
    const data = randomBytes(40);
    // Stands in for a staging TTL that ran out between two writes: the first chunk vanishes after it was written.
    const err = await store
      .put(
        data,
        { kind: 'csv' },
        {
          onProgress: async (written) => {
            if (written !== 20) return;
            const [stage] = await redis.keys(`${p}:{ops}:blob-stage:*`);
            await redis.hdel(stage!, 'c:0');
          },
        },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobWriteError);
    expect((err as Error).message).toMatch(/the staging key held 3 of 4 chunks at publish/);
    expect(await store.has(sha(data))).toBe(false);
    expect(await keysUnder(p)).toEqual([]);
  });
});
