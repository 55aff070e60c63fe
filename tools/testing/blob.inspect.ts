import { BlobStore } from '@ktrdr/operations';
import type { Redis } from 'ioredis';

/**
 * The model and walk-forward blobs a stack's store holds for one strategy (their `strategy`
 * metadata), read straight from Redis: what a test checks was stored, released or purged.
 */
export async function storedModelsOf(stack: { redis: Redis; prefix: string }, strategy: string): Promise<{ hash: string; kind: string }[]> {
  const blobs = new BlobStore(stack.redis, stack.prefix);
  const out: { hash: string; kind: string }[] = [];
  for (const [hash, entry] of Object.entries(await stack.redis.hgetall(blobs.indexKey()))) {
    const kind = entry.split(' ')[1] ?? '';
    if (kind !== 'model' && kind !== 'walk-forward') continue;
    const stat = await blobs.stat(hash);
    if (stat && stat.meta['strategy'] === strategy) out.push({ hash, kind });
  }
  return out.sort((a, b) => (a.hash < b.hash ? -1 : 1));
}
