import { startPrivateRedis } from '../shared/redis.server.js';

export interface BenchRedis {
  url: string;
  /** True when the bench started its own redis-server (stopped by `stop`). */
  owned: boolean;
  stop(): Promise<void>;
}

/** REDIS_URL when set; otherwise a private redis-server on a free port (tools/shared/redis.server.ts), never the shared one on 6379. */
export async function ensureRedis(): Promise<BenchRedis> {
  const given = process.env['REDIS_URL'];
  if (given) return { url: given, owned: false, stop: async () => undefined };
  const started = await startPrivateRedis();
  if (!started) throw new Error('No Redis: set REDIS_URL or install redis-server (apt-get install -y redis-server)');
  return { ...started, owned: true };
}
