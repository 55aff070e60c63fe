import { Redis, type RedisOptions } from 'ioredis';

/**
 * One way to open Redis connections. `maxRetriesPerRequest: null` is what BullMQ workers require,
 * and it keeps commands queued (not failed) across a brief reconnect.
 */
export function openRedis(url: string, name: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false, ...extra });
}

/**
 * For request paths that must fail fast (the API's routes, health) instead of waiting for Redis.
 * Once connected, a command sent while the connection is down fails at once instead of waiting in
 * the offline queue for reconnect attempts: with a few commands per route, each waiting for the
 * next attempt, a route took ten seconds and more to say that Redis was gone. Before the first
 * connection commands wait for it as usual, so the connection is usable as soon as it is made.
 */
export function openFailFastRedis(url: string, name: string): Redis {
  const redis = openRedis(url, name, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  redis.once('ready', () => {
    redis.options.enableOfflineQueue = false;
  });
  return redis;
}

export async function closeRedis(...conns: Redis[]): Promise<void> {
  await Promise.all(conns.map((c) => c.quit().catch(() => c.disconnect())));
}
