import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, pingPort, redisServerArgs } from '../shared/redis.server.js';
import { repoRoot } from '../shared/repo-root.js';
import { eventually, pause } from './wait/wait.js';

export { freePort, pingPort, redisServerArgs };

export { repoRoot };

// The workspace's one poll and one pause (see wait/wait.ts), here for the specs that import the harness.
export { eventually, pause };

/** A Redis of a test's own that keeps its data (AOF, every write synced): for kill-and-restart tests. */
export interface DurableRedis {
  url: string;
  /** SIGKILL, and wait for the exit: everything acknowledged is on disk. */
  kill(): Promise<void>;
  /** Start it again on the same port and directory, and wait until it answers. */
  start(): Promise<void>;
  /** Kill it (if running) and remove its directory. */
  remove(): Promise<void>;
}

export async function startDurableRedis(): Promise<DurableRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'ktrdr-aof-'));
  const port = await freePort();
  let proc: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    proc = spawn('redis-server', [...redisServerArgs({ port, dir }), '--appendfsync', 'always'], { stdio: 'ignore' });
    await eventually(async () => ((await pingPort(port)) ? true : undefined), 'redis up', 10_000, 50);
  };
  const kill = async (): Promise<void> => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, kill, start, remove: async () => (await kill(), rm(dir, { recursive: true, force: true })) };
}

/**
 * Starts the real, built processes (API and research workers) against a real Redis under a
 * private key prefix, for end-to-end tests and benchmarks. Run `npm run build` first.
 */

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<number | string>;
}

function launch(name: string, script: string, env: NodeJS.ProcessEnv, cwd?: string): ManagedProcess {
  const child = spawn(process.execPath, [script], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer): void => {
    out = (out + d.toString()).slice(-200_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { name, child, output: () => out, exited };
}

/** Waits for `check` while `proc` runs; fails at once if it exits first. Either failure carries its output. */
async function waitFor(what: string, proc: ManagedProcess, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  let exited = false;
  void proc.exited.then(() => (exited = true));
  await eventually(
    async () => {
      if (exited) throw new Error(`${proc.name} exited before ${what}:\n${proc.output()}`);
      return (await check()) ? true : undefined;
    },
    () => `${what}:\n${proc.output()}`,
    timeoutMs,
    50,
  );
}

export interface StackOptions {
  workerEnv?: Record<string, string>;
  apiEnv?: Record<string, string>;
  /** Queue lists, one worker process each (default: one worker on all queues). */
  workers?: string[];
  /** Redis for every process (default: REDIS_URL, i.e. the jest run's private Redis). */
  redisUrl?: string;
  /** Redis the workers use, when it differs (e.g. a TCP proxy a fault test can cut). */
  workerRedisUrl?: string;
}

export interface Stack {
  apiUrl: string;
  prefix: string;
  redisUrl: string;
  api: ManagedProcess;
  workers: ManagedProcess[];
  /** A Redis connection for assertions; closed by stop(). */
  redis: Redis;
  /** `cwd`: the process's working directory (default: the test's), e.g. an empty one of its own, as on another host. */
  startWorker(queues?: string, env?: Record<string, string>, cwd?: string): Promise<ManagedProcess>;
  /** Stops the API (SIGTERM, or SIGKILL when `hard`), starts a new one on the same port and waits for health. */
  restartApi(hard?: boolean): Promise<ManagedProcess>;
  request<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const root = repoRoot();
  const redisUrl = opts.redisUrl ?? process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const prefix = `t${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const workDir = await mkdtemp(join(tmpdir(), 'ktrdr-stack-'));
  const shipped = join(root, 'strategies');
  await cp(shipped, join(workDir, 'strategies'), { recursive: true, filter: (src) => src === shipped || (dirname(src) === shipped && /\.ya?ml$/.test(src)) });
  const base: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    REDIS_URL: redisUrl,
    KTRDR_KEY_PREFIX: prefix,
    // A directory of its own for what the processes write (strategies, assessments, models, imported
    // data), seeded with the shipped strategies: a test run leaves the checkout as it found it.
    KTRDR_STRATEGIES_DIR: join(workDir, 'strategies'),
    KTRDR_DATA_DIR: join(workDir, 'data'),
    LOG_LEVEL: 'info',
  };
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });

  const apiEnv: NodeJS.ProcessEnv = { ...base, LOG_LEVEL: 'warn', KTRDR_API_PORT: String(port), KTRDR_API_HOST: '127.0.0.1', ...opts.apiEnv };
  let api = launch('api', join(root, 'apps/api/dist/main.js'), apiEnv);
  const workers: ManagedProcess[] = [];
  const startWorker = async (queues = 'all', env: Record<string, string> = {}, cwd?: string): Promise<ManagedProcess> => {
    const w = launch(
      `worker[${queues}]`,
      join(root, 'apps/research-worker/dist/main.js'),
      {
        ...base,
        ...(opts.workerRedisUrl ? { REDIS_URL: opts.workerRedisUrl } : {}),
        KTRDR_WORKER_QUEUES: queues,
        KTRDR_STUB_WORKERS: 'true',
        KTRDR_STUB_DELAY_MS: '2000',
        // No health port unless a test asks for one: several workers share this machine.
        KTRDR_WORKER_HEALTH_PORT: '0',
        ...opts.workerEnv,
        ...env,
      },
      cwd,
    );
    workers.push(w);
    await waitFor('worker ready', w, () => w.output().includes('research worker ready'));
    return w;
  };

  const request = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${apiUrl}/api/v1${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* non-JSON bodies are returned as text so a test can show them */
    }
    return { status: res.status, body: parsed as T };
  };

  const stop = async (): Promise<void> => {
    const all = [api, ...workers];
    for (const p of all) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    const timeout = setTimeout(() => all.forEach((p) => p.child.kill('SIGKILL')), 10_000);
    await Promise.all(all.map((p) => p.exited));
    clearTimeout(timeout);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
    await rm(workDir, { recursive: true, force: true });
  };

  const apiHealthy = (): Promise<void> =>
    waitFor('API health', api, async () => {
      try {
        return (await fetch(`${apiUrl}/api/v1/health`)).status === 200;
      } catch {
        return false;
      }
    });
  const restartApi = async (hard = false): Promise<ManagedProcess> => {
    api.child.kill(hard ? 'SIGKILL' : 'SIGTERM');
    await api.exited;
    api = launch('api', join(root, 'apps/api/dist/main.js'), apiEnv);
    stack.api = api;
    await apiHealthy();
    return api;
  };
  const stack: Stack = { apiUrl, prefix, redisUrl, api, workers, redis, startWorker, restartApi, request, stop };
  try {
    await apiHealthy();
    for (const queues of opts.workers ?? ['all']) await startWorker(queues);
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
  return stack;
}
