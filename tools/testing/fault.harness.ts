import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, pingPort, redisServerArgs } from '../shared/redis.server.js';
import { repoRoot } from '../shared/repo-root.js';
import { eventually } from './wait/wait.js';

/**
 * Pieces for fault tests that break Redis under one process: a redis-server of the test's own (on a
 * free port, never the shared instance; killable, with extra arguments such as maxmemory settings)
 * and a built research worker on its own, whose output is kept with the time each line arrived.
 */

export interface OwnRedis {
  port: number;
  url: string;
  process: ChildProcess;
  exited: Promise<void>;
  /** SIGKILL (the default) or SIGTERM, and wait until it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startOwnRedis(extraArgs: string[] = [], timeoutMs = 10_000): Promise<OwnRedis> {
  const port = await freePort();
  const child = spawn('redis-server', [...redisServerArgs({ port }), ...extraArgs], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  await eventually(
    async () => {
      if (gone) throw new Error(`redis-server on port ${port} exited before answering PING (is redis-server installed?)`);
      return (await pingPort(port)) ? true : undefined;
    },
    `redis-server to answer PING on port ${port} (within ${timeoutMs} ms)`,
    timeoutMs,
    50,
  ).catch((e: unknown) => {
    child.kill('SIGKILL');
    throw e;
  });
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    process: child,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (!gone) child.kill(signal);
      await exited;
    },
  };
}

export interface OutputLine {
  /** When the test process received it (ms since the epoch). */
  at: number;
  text: string;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Every complete line so far, with its arrival time. */
  lines(): OutputLine[];
  output(): string;
  /** The exit code, or the signal's name when it died by one. */
  exited: Promise<number | string>;
  /** When it exited (ms since the epoch), once it has. */
  exitedAt(): number | null;
}

/** Starts the built worker (`npm run build` first) with stub phases and no health port, plus `env`. */
export function launchWorker(redisUrl: string, env: Record<string, string> = {}): WorkerProcess {
  const root = repoRoot();
  const child = spawn(process.execPath, [join(root, 'apps/research-worker/dist/main.js')], {
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      REDIS_URL: redisUrl,
      KTRDR_KEY_PREFIX: `f${process.pid}_${Math.random().toString(36).slice(2, 8)}`,
      KTRDR_STRATEGIES_DIR: join(root, 'strategies'),
      KTRDR_WORKER_HEALTH_PORT: '0',
      KTRDR_STUB_WORKERS: 'true',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: OutputLine[] = [];
  const partial = { stdout: '', stderr: '' };
  const keep = (stream: 'stdout' | 'stderr') => (d: Buffer) => {
    const text = partial[stream] + d.toString();
    const parts = text.split('\n');
    partial[stream] = parts.pop() ?? '';
    const at = Date.now();
    for (const line of parts) lines.push({ at, text: line });
  };
  child.stdout?.on('data', keep('stdout'));
  child.stderr?.on('data', keep('stderr'));
  let exitedAt: number | null = null;
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedAt = Date.now();
      for (const stream of ['stdout', 'stderr'] as const) if (partial[stream]) lines.push({ at: exitedAt, text: partial[stream] });
      resolve(code ?? signal ?? -1);
    }),
  );
  return {
    child,
    lines: () => lines,
    output: () => lines.map((l) => l.text).join('\n'),
    exited,
    exitedAt: () => exitedAt,
  };
}

/** The pino `msg` of each JSON line (null for a line that is not one of ours, e.g. a raw stack trace). */
export function logMessage(line: string): string | null {
  try {
    const parsed = JSON.parse(line) as { msg?: unknown };
    return typeof parsed.msg === 'string' ? parsed.msg : null;
  } catch {
    return null;
  }
}

/** Lines per second between `from` and `to`: the average, and the most in any one second of it. */
export function lineRate(lines: OutputLine[], from: number, to: number): { count: number; perSecond: number; maxInOneSecond: number } {
  const within = lines.filter((l) => l.at >= from && l.at <= to);
  const perBucket = new Map<number, number>();
  for (const l of within) {
    const bucket = Math.floor((l.at - from) / 1000);
    perBucket.set(bucket, (perBucket.get(bucket) ?? 0) + 1);
  }
  return { count: within.length, perSecond: within.length / Math.max(1, (to - from) / 1000), maxInOneSecond: Math.max(0, ...perBucket.values()) };
}
