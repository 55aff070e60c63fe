import { mkdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import { findOnPath, OVERCOMMIT_NOTE, OVERCOMMIT_WARNING, pingPort, REDIS_NOT_FOUND_HINT, redisServerArgs } from '../shared/redis.server.js';
import type { LauncherConfig } from './launcher.config.js';
import { redisLogLevel } from './log.filter.js';
import { say, type ProcessSupervisor, type SupervisedProcess } from './process.supervisor.js';
import { waitUntil } from './readiness.probe.js';

// Re-exported: the launcher's callers and tests have always imported them from here.
export { findOnPath, pingPort, REDIS_NOT_FOUND_HINT };

export class LaunchError extends Error {}

export interface RedisHandle {
  url: string;
  /** How the banner describes it. */
  description: string;
  /** Set when this launcher spawned it (and so must stop it). */
  process: SupervisedProcess | null;
}

/** A URL with its password replaced, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/** PINGs the Redis at `url` (auth, TLS and db index honoured by ioredis); rejects with the reason. */
export async function checkRedisUrl(url: string, timeoutMs = 3000): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: Error | undefined;
  redis.on('error', (e: Error) => (lastError = e));
  try {
    await redis.connect();
    const pong = await redis.ping();
    if (pong !== 'PONG') throw new Error(`unexpected PING reply ${pong}`);
  } catch (e) {
    throw new Error((lastError ?? (e as Error)).message);
  } finally {
    redis.disconnect();
  }
}

/**
 * REDIS_URL set: use it, after checking it answers. Otherwise reuse whatever answers PING on the
 * launcher port, or start `redis-server` there with AOF on and `noeviction` (BullMQ needs both).
 */
export async function ensureRedis(config: LauncherConfig, supervisor: ProcessSupervisor): Promise<RedisHandle> {
  if (config.redisUrl) {
    const shown = redactUrl(config.redisUrl);
    try {
      await checkRedisUrl(config.redisUrl);
    } catch (e) {
      throw new LaunchError(
        `REDIS_URL=${shown} does not answer: ${(e as Error).message}. Start Redis there, or unset REDIS_URL to let the launcher start one.`,
      );
    }
    return { url: config.redisUrl, description: `${shown} (from REDIS_URL)`, process: null };
  }

  const url = `redis://127.0.0.1:${config.redisPort}`;
  if (await pingPort(config.redisPort)) {
    return { url, description: `${url} (already running, reused; not stopped on exit)`, process: null };
  }
  const binary = findOnPath('redis-server');
  if (!binary) throw new LaunchError(REDIS_NOT_FOUND_HINT);

  mkdirSync(config.redisDir, { recursive: true });
  const proc = supervisor.start({
    name: 'redis',
    command: binary,
    args: redisServerArgs({ port: config.redisPort, dir: config.redisDir, logLevel: redisLogLevel(config.logLevel) }),
    env: process.env,
    cwd: config.root,
    show: explainOvercommit(),
  });
  await waitUntil(`redis-server to answer PING on port ${config.redisPort}`, () => pingPort(config.redisPort), 15_000, proc);
  return { url, description: `${url} (started here, data in ${config.redisDir})`, process: proc };
}

/** Hides redis-server's memory-overcommit warning and says once, in one line, what it means here. */
export function explainOvercommit(write: (line: string) => void = (l) => say(`[redis] ${l}`)): (line: string) => boolean {
  let explained = false;
  return (line) => {
    if (!OVERCOMMIT_WARNING.test(line)) return true;
    if (!explained) write(OVERCOMMIT_NOTE);
    explained = true;
    return false;
  };
}
