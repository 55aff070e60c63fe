import { Redis, type RedisOptions } from 'ioredis';

/**
 * One way to open Redis connections. `maxRetriesPerRequest: null` is what BullMQ workers require,
 * and it keeps commands queued (not failed) across a brief reconnect.
 */
export function openRedis(url: string, name: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false, ...extra });
}

/** For request paths that must fail fast (health, API reads) instead of waiting for Redis forever. */
export function openFailFastRedis(url: string, name: string): Redis {
  return openRedis(url, name, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
}

export async function closeRedis(...conns: Redis[]): Promise<void> {
  await Promise.all(conns.map((c) => c.quit().catch(() => c.disconnect())));
}

