import { accessSync, constants, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { Redis } from 'ioredis';
import type { LauncherConfig } from './launcher.config.js';
import { redisLogLevel } from './log.filter.js';
import type { ProcessSupervisor, SupervisedProcess } from './process.supervisor.js';
import { waitUntil } from './readiness.probe.js';

export const REDIS_NOT_FOUND_HINT =
  'redis-server not found. Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis) or set REDIS_URL to a running Redis.';

export class LaunchError extends Error {}

export interface RedisHandle {
  url: string;
  /** How the banner describes it. */
  description: string;
  /** Set when this launcher spawned it (and so must stop it). */
  process: SupervisedProcess | null;
}

/** Sends PING on a raw socket; true on `+PONG`. A Redis still loading its AOF answers -LOADING (false). */
export function pingPort(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, host);
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => done(d.toString().startsWith('+PONG')));
    sock.once('error', () => done(false));
  });
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

export function findOnPath(command: string, path = process.env['PATH'] ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return null;
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
      throw new LaunchError(`REDIS_URL=${shown} does not answer: ${(e as Error).message}. Start Redis there, or unset REDIS_URL to let the launcher start one.`);
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
    args: [
      '--port', String(config.redisPort),
      '--bind', '127.0.0.1',
      '--dir', config.redisDir,
      '--appendonly', 'yes',
      '--save', '',
      '--maxmemory-policy', 'noeviction',
      '--loglevel', redisLogLevel(config.logLevel),
    ],
    env: process.env,
    cwd: config.root,
  });
  await waitUntil(`redis-server to answer PING on port ${config.redisPort}`, () => pingPort(config.redisPort), 15_000, proc);
  return { url, description: `${url} (started here, data in ${config.redisDir})`, process: proc };
}
