/**
 * The one place that knows how ktrdr starts a redis-server of its own: the jest global setup
 * (tools/testing/redis.global-setup.js), the bench (tools/bench/redis-server.ts) and the launcher
 * (tools/launcher/redis.launcher.ts) all use it. Throwaway servers (tests, bench) get a free port
 * and no persistence; the launcher's gets AOF and `noeviction` (BullMQ needs both) in its directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { connect, createServer } from 'node:net';
import { delimiter, join } from 'node:path';

export const REDIS_NOT_FOUND_HINT =
  'redis-server not found. Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis) or set REDIS_URL to a running Redis.';

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
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

export interface RedisServerSettings {
  port: number;
  /** Set: AOF on, data in this directory, `noeviction` (the launcher's durable Redis). Unset: nothing on disk. */
  dir?: string;
  /** redis-server's --loglevel (debug, verbose, notice, warning). */
  logLevel?: string;
}

/** redis-server's arguments: always loopback only, RDB snapshots off. */
export function redisServerArgs({ port, dir, logLevel }: RedisServerSettings): string[] {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', ''];
  if (dir) args.push('--dir', dir, '--appendonly', 'yes', '--maxmemory-policy', 'noeviction');
  else args.push('--appendonly', 'no');
  if (logLevel) args.push('--loglevel', logLevel);
  return args;
}

/**
 * redis-server warns at every start on hosts with `vm.overcommit_memory = 0` (most laptops and CI
 * machines). It matters for background saves under memory pressure in production, not for a
 * local stack; the launcher replaces the long warning with OVERCOMMIT_NOTE, once.
 */
export const OVERCOMMIT_WARNING = /WARNING Memory overcommit must be enabled/;
export const OVERCOMMIT_NOTE =
  'note: this machine has vm.overcommit_memory=0, so redis-server warns about background saves under low memory. Harmless for a local stack; on a production host run `sysctl vm.overcommit_memory=1` (see README, Troubleshooting).';

export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
}

/** Starts a throwaway redis-server on a free port and waits until it answers PING; null when redis-server is not installed. */
export async function startPrivateRedis(timeoutMs = 5000): Promise<PrivateRedis | null> {
  const binary = findOnPath('redis-server');
  if (!binary) return null;
  const port = await freePort();
  const child: ChildProcess = spawn(binary, redisServerArgs({ port }), { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  // Waits on the state itself (PING answered), backing off briefly between tries.
  while (!gone && Date.now() < deadline) {
    if (await pingPort(port)) {
      return {
        url: `redis://127.0.0.1:${port}`,
        stop: async () => {
          if (!gone) child.kill('SIGTERM');
          await exited;
        },
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer on port ${port} within ${timeoutMs} ms`);
}
