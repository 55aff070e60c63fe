import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LauncherConfig } from './launcher.config.js';
import { levelFilter, moreVerbose, sentenceFor } from './log.filter.js';
import type { ProcessSupervisor, SupervisedProcess } from './process.supervisor.js';
import { healthStatus, portInUse, waitUntil } from './readiness.probe.js';
import { LaunchError } from './redis.launcher.js';

export const WORKER_READY_LINE = 'research worker ready';
const READY_TIMEOUT_MS = 30_000;

/** The environment every child shares: ours, plus the resolved Redis and the demo defaults. */
export function childEnv(config: LauncherConfig, redisUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    REDIS_URL: redisUrl,
    KTRDR_STUB_DELAY_MS: config.stubDelayMs,
    LOG_LEVEL: config.logLevel,
  };
}

/** What the API process gets on top of the shared environment (also what its config check sees). */
export function apiEnv(config: LauncherConfig, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, KTRDR_API_PORT: String(config.apiPort), KTRDR_API_HOST: config.apiHost };
}

/** Which queues a launched worker takes: every one, or only the walk-forward folds. */
export type WorkerRole = 'all' | 'fold';

/**
 * What a worker process gets on top of the shared environment (also what its config check sees).
 * A fold-only worker opens no health port: the main worker has it, and two cannot share it.
 */
export function workerEnv(config: LauncherConfig, env: NodeJS.ProcessEnv, role: WorkerRole = 'all'): NodeJS.ProcessEnv {
  const own = role === 'fold' ? { KTRDR_WORKER_HEALTH_PORT: '0' } : {};
  return { ...env, ...own, KTRDR_WORKER_QUEUES: role, LOG_LEVEL: moreVerbose(config.logLevel, 'info') };
}

export function builtScript(config: LauncherConfig, rel: string): string {
  const script = join(config.root, rel);
  if (!existsSync(script)) throw new LaunchError(`${rel} is missing; run \`npm run build\` first (npm start does).`);
  return script;
}

/**
 * Decides, before anything is started, whether the API port holds a healthy API to reuse (true),
 * is free (false), or is taken by something else (a clear error rather than an EADDRINUSE crash).
 */
export async function apiAlreadyRunning(config: LauncherConfig): Promise<boolean> {
  const status = await healthStatus(config.apiProbeUrl);
  if (status === 200) return true;
  if (status === 503) {
    throw new LaunchError(`A ktrdr API on port ${config.apiPort} answers health 503 (its Redis is unreachable). Stop it or set KTRDR_API_PORT.`);
  }
  const host = new URL(config.apiProbeUrl).hostname.replace(/^\[|\]$/g, '');
  if (status !== null || (await portInUse(config.apiPort, host))) {
    throw new LaunchError(
      `Port ${config.apiPort} is in use by something that is not a ktrdr API${status !== null ? ` (GET /api/v1/health answered ${status})` : ''}. Free it or set KTRDR_API_PORT.`,
    );
  }
  return false;
}

/** Starts the API and waits for health 200. */
export async function startApi(config: LauncherConfig, supervisor: ProcessSupervisor, env: NodeJS.ProcessEnv): Promise<SupervisedProcess> {
  const script = builtScript(config, 'apps/api/dist/main.js');
  const proc = supervisor.start({
    name: 'api',
    command: process.execPath,
    args: [script],
    env: apiEnv(config, env),
    cwd: config.root,
    show: levelFilter(config.logLevel),
  });
  await waitUntil(
    `the API to answer ${config.apiProbeUrl}/api/v1/health with 200`,
    async () => (await healthStatus(config.apiProbeUrl, 1000)) === 200,
    READY_TIMEOUT_MS,
    proc,
  );
  return proc;
}

/**
 * One research worker: on every queue, or (`fold`, named `fold-worker-<n>`) on the fold queue only.
 * It logs its ready line at `info`, so it runs at `info` at least and the launcher hides the lines
 * below the level the user asked for.
 */
export async function startWorker(
  config: LauncherConfig,
  supervisor: ProcessSupervisor,
  env: NodeJS.ProcessEnv,
  role: WorkerRole = 'all',
  n = 1,
): Promise<SupervisedProcess> {
  const script = builtScript(config, 'apps/research-worker/dist/main.js');
  let ready = false;
  const proc = supervisor.start({
    name: role === 'all' ? 'worker' : `fold-worker-${n}`,
    command: process.execPath,
    args: [script],
    env: workerEnv(config, env, role),
    cwd: config.root,
    show: levelFilter(config.logLevel),
    rewrite: sentenceFor,
  });
  proc.onLine((line) => {
    if (line.includes(WORKER_READY_LINE)) ready = true;
  });
  await waitUntil('the worker to report ready', () => ready, READY_TIMEOUT_MS, proc);
  return proc;
}
