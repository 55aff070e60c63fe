#!/usr/bin/env node
import { formatBanner } from './banner.format.js';
import { DemoRunner } from './demo.runner.js';
import { configReport } from '@ktrdr/errors';
import { checkServiceConfigs } from './config.check.js';
import { USAGE, inspectLauncherConfig, type LauncherConfig } from './launcher.config.js';
import { ProcessSupervisor, describeExit, say } from './process.supervisor.js';
import { ensureRedis } from './redis.launcher.js';
import { apiAlreadyRunning, childEnv, startApi, startWorker } from './services.launcher.js';

/**
 * `npm start`: the local dev stack in one command. Starts Redis (unless REDIS_URL is set), the API
 * (unless one already answers) and one research worker on all queues, prints where things are,
 * and on Ctrl+C stops what it started: worker and API first, Redis last. `--demo` runs one research
 * cycle through the CLI and then stops everything, exiting with the CLI's exit code.
 */

const STOP_GRACE_MS = 10_000;
/** Worker and API together (the worker still needs Redis while it stops), then Redis. */
/** Every process but Redis first (workers and the API together), then Redis, which they need until they are gone. */
function stopOrder(supervisor: ProcessSupervisor): string[][] {
  const names = supervisor.list().map((p) => p.name);
  return [names.filter((n) => n !== 'redis'), ['redis']];
}

/** What the worker will run, in words, from the same variables it reads (it validates them itself). */
function describeMode(env: NodeJS.ProcessEnv, stubDelayMs: string): string {
  const allStub = ['true', '1', 'yes'].includes((env['KTRDR_STUB_WORKERS'] ?? '').toLowerCase());
  const stubbed = allStub ? 'all' : (env['KTRDR_STUB_PHASES'] ?? '').trim();
  const llm = env['ANTHROPIC_API_KEY'] ? 'Claude designs and assesses' : 'offline designer and assessor (no ANTHROPIC_API_KEY)';
  if (stubbed === 'all') return `stub phases, ${stubDelayMs} ms each`;
  return stubbed ? `real research, ${llm}; stub phases: ${stubbed}` : `real research, ${llm}`;
}

/** "worker, api, then redis": what a stop will actually stop, in order. */
function stopList(supervisor: ProcessSupervisor): string {
  const running = new Set(
    supervisor
      .list()
      .filter((p) => p.running)
      .map((p) => p.name),
  );
  const stages = stopOrder(supervisor)
    .map((stage) => stage.filter((n) => running.has(n)).join(', '))
    .filter(Boolean);
  return stages.join(', then ');
}

/**
 * Every process's settings, checked before any process starts: the launcher's own, the API's and
 * the worker's, all reported at once in the same form. Exits 1 when any is bad.
 */
async function preflight(): Promise<LauncherConfig> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    say(USAGE);
    process.exit(0);
  }
  const { config, problems } = inspectLauncherConfig(process.argv.slice(2), process.env);
  const reports = problems.length ? [configReport('launcher', problems)] : [];
  try {
    reports.push(...(await checkServiceConfigs(config)));
  } catch (e) {
    reports.push(`[launcher] ${(e as Error).message}`); // a build output is missing
  }
  if (reports.length === 0) return config;
  say(reports.join('\n'), process.stderr);
  say('[launcher] nothing was started; fix the settings above and run it again.', process.stderr);
  if (problems.length) say(USAGE, process.stderr);
  process.exit(1);
}

async function main(): Promise<void> {
  const config = await preflight();

  let demo: DemoRunner | null = null;
  let stopping: Promise<void> | null = null;

  const shutdown = (code: number, message?: string): Promise<void> => {
    if (stopping) return stopping;
    if (message) say(message, code === 0 ? process.stdout : process.stderr);
    demo?.stop();
    stopping = supervisor
      .stopAll(stopOrder(supervisor), STOP_GRACE_MS)
      .catch((e: unknown) => say(`[launcher] error while stopping: ${(e as Error).message}`, process.stderr))
      .then(() => process.exit(code));
    return stopping;
  };

  const supervisor = new ProcessSupervisor((proc, exit) => {
    void shutdown(1, `[launcher] ${proc.name} (pid ${proc.pid}) exited unexpectedly (${describeExit(exit)}); stopping the rest`);
  });

  let firstSignalAt = 0;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      // `npm start` forwards the terminal's Ctrl+C, so one keypress arrives twice: a repeat never
      // escalates (stragglers are SIGKILLed after the grace period anyway) and within 1 s is silent.
      if (!stopping) {
        firstSignalAt = Date.now();
        void shutdown(0, `[launcher] ${sig} received; stopping ${stopList(supervisor) || 'nothing (nothing started yet)'}...`);
      } else if (Date.now() - firstSignalAt > 1000) {
        say(`[launcher] still stopping (anything left is killed ${STOP_GRACE_MS / 1000} s after the first signal)`);
      }
    });
  }
  // If whatever started us dies without passing a signal on (e.g. npm killed, its `sh -c` gone),
  // we are re-parented: stop everything rather than leave an orphaned stack behind.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void shutdown(1, `[launcher] parent process ${parent} exited; stopping everything`);
  }, 1000).unref();
  process.on('uncaughtException', (e) => void shutdown(1, `[launcher] internal error: ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => void shutdown(1, `[launcher] internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));

  const start = async (): Promise<void> => {
    const apiReused = await apiAlreadyRunning(config);
    const redis = await ensureRedis(config, supervisor);
    if (!redis.process) say(`[launcher] using Redis at ${redis.description}`);
    const env = childEnv(config, redis.url);
    if (apiReused) {
      say(
        `[launcher] an API already answers on ${config.apiProbeUrl}; reusing it (its REDIS_URL and KTRDR_KEY_PREFIX must match the worker's: ${redis.description})`,
      );
    } else {
      await startApi(config, supervisor, env);
    }
    await startWorker(config, supervisor, env);
    for (let n = 1; n <= config.foldWorkers; n++) await startWorker(config, supervisor, env, 'fold', n);
    say(formatBanner(config, { redisDescription: redis.description, apiReused, mode: describeMode(process.env, config.stubDelayMs) }));
    if (config.demo) {
      demo = new DemoRunner(config);
      const code = await demo.run();
      await shutdown(code, `[launcher] demo finished (CLI exit code ${code}); stopping everything`);
    }
  };

  start().catch((e: unknown) => {
    if (stopping) return; // a child died or a signal came in; shutdown already owns the exit
    void shutdown(1, `[launcher] ${(e as Error).message}`);
  });
}

void main();
