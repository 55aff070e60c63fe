import { spawn, spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from '../testing/stack.harness.js';
import { sleep } from './util.js';

export interface BenchRedis {
  url: string;
  /** True when the bench started its own redis-server (stopped by `stop`). */
  owned: boolean;
  stop(): Promise<void>;
}

/** REDIS_URL when set; otherwise a private redis-server on a free port, never the shared one on 6379. */
export async function ensureRedis(): Promise<BenchRedis> {
  const given = process.env['REDIS_URL'];
  if (given) return { url: given, owned: false, stop: async () => undefined };
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error('No Redis: set REDIS_URL or install redis-server (apt-get install -y redis-server)');
  }
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined); // refused until the server listens; the ping result says so
    const ok = await probe.connect().then(() => probe.ping()).then((r) => r === 'PONG', () => false);
    probe.disconnect();
    if (ok) {
      return {
        url,
        owned: true,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer on port ${port}`);
}
