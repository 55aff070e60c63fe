import { cpus } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { ConfigProblem } from '@ktrdr/errors';
import { repoRoot } from '../shared/repo-root.js';

/**
 * What `npm start` needs to know, read once from argv and the environment. Anything the API or
 * the worker read themselves (KTRDR_KEY_PREFIX, KTRDR_MAX_CONCURRENT_CYCLES, ...) is passed through
 * untouched; they validate it and exit listing every bad variable.
 */
export interface LauncherConfig {
  root: string;
  demo: boolean;
  /** REDIS_URL as given; null means "start (or reuse) a local redis-server". */
  redisUrl: string | null;
  redisPort: number;
  redisDir: string;
  apiPort: number;
  /** Where the API listens: 127.0.0.1 unless KTRDR_API_HOST says otherwise (safe by default). */
  apiHost: string;
  /** Where the launcher itself reaches the API (0.0.0.0 / :: are probed on loopback). */
  apiProbeUrl: string;
  /** What the banner shows and the demo CLI uses. */
  apiPublicUrl: string;
  stubDelayMs: string;
  logLevel: string;
  /** Extra worker processes on the fold queue only, so a cycle's walk-forward folds use every core. */
  foldWorkers: number;
}

export const DEFAULT_REDIS_PORT = 6380;
export const DEFAULT_API_PORT = 8000;
export const DEFAULT_STUB_DELAY_MS = '3000';
export const DEFAULT_LOG_LEVEL = 'warn';

function port(env: NodeJS.ProcessEnv, name: string, def: number, problems: ConfigProblem[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    problems.push({ variable: name, message: 'expected a port number 1-65535', value: raw });
    return def;
  }
  return n;
}

function loopback(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The launcher's settings with defaults in place of bad values, and the problems found: the
 * launcher still checks the API's and the worker's settings with it, so every bad variable of
 * every process is reported at once.
 */
export function inspectLauncherConfig(argv: string[], env: NodeJS.ProcessEnv): { config: LauncherConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const known = new Set(['--demo', '--help', '-h']);
  for (const a of argv) if (!known.has(a)) problems.push({ variable: a, message: 'unknown argument (supported: --demo)' });

  const root = repoRoot();
  const redisPort = port(env, 'KTRDR_LAUNCH_REDIS_PORT', DEFAULT_REDIS_PORT, problems);
  const apiPort = port(env, 'KTRDR_API_PORT', DEFAULT_API_PORT, problems);
  // Each launcher-owned redis gets its own data directory, so two launchers on different ports
  // never write the same append-only file.
  const defaultDir = redisPort === DEFAULT_REDIS_PORT ? '.ktrdr/redis' : `.ktrdr/redis-${redisPort}`;
  const dirSetting = env['KTRDR_LAUNCH_REDIS_DIR'] || defaultDir;
  const redisDir = isAbsolute(dirSetting) ? dirSetting : resolve(root, dirSetting);

  // Loopback unless told otherwise: a laptop's `npm start` must not offer the API to the network.
  // Any other address needs KTRDR_API_TOKEN (or KTRDR_ALLOW_OPEN_API=true); the API checks that at boot.
  const host = env['KTRDR_API_HOST'] || '127.0.0.1';
  const probeHost = loopback(host);
  const publicHost = probeHost === '127.0.0.1' ? 'localhost' : probeHost;

  // One worker on every queue, plus one on the fold queue per further core: folds are CPU-bound,
  // one at a time per process, so this is what runs a cycle's folds side by side.
  const foldRaw = env['KTRDR_LAUNCH_FOLD_WORKERS'];
  let foldWorkers = Math.max(0, Math.min(8, cpus().length - 1));
  if (foldRaw !== undefined && foldRaw !== '') {
    const n = Number(foldRaw);
    if (Number.isInteger(n) && n >= 0 && n <= 16) foldWorkers = n;
    else problems.push({ variable: 'KTRDR_LAUNCH_FOLD_WORKERS', message: 'expected a whole number 0-16', value: foldRaw });
  }

  const config: LauncherConfig = {
    root,
    demo: argv.includes('--demo'),
    redisUrl: env['REDIS_URL'] || null,
    redisPort,
    redisDir,
    apiPort,
    apiHost: host,
    apiProbeUrl: `http://${probeHost}:${apiPort}`,
    apiPublicUrl: `http://${publicHost}:${apiPort}`,
    stubDelayMs: env['KTRDR_STUB_DELAY_MS'] || DEFAULT_STUB_DELAY_MS,
    logLevel: env['LOG_LEVEL'] || DEFAULT_LOG_LEVEL,
    foldWorkers,
  };
  return { config, problems };
}

export const USAGE = `Usage: npm start [-- --demo]

Starts what is missing for a local ktrdr: Redis (unless REDIS_URL is set), the API, one
research worker on all queues and one more on the walk-forward fold queue per further CPU core
(real research; offline designer and assessor unless ANTHROPIC_API_KEY is set). Ctrl+C stops
everything it started.

  --demo   after startup run one research cycle end to end with the CLI, then stop everything

Environment: REDIS_URL, KTRDR_LAUNCH_REDIS_PORT (6380), KTRDR_LAUNCH_REDIS_DIR (.ktrdr/redis),
KTRDR_API_PORT (8000), KTRDR_API_HOST (127.0.0.1; another address needs KTRDR_API_TOKEN),
KTRDR_WORKER_HEALTH_PORT (9464; 0 = off), KTRDR_LAUNCH_FOLD_WORKERS (CPU cores − 1), KTRDR_STUB_PHASES (none), KTRDR_STUB_DELAY_MS (3000 here, for stub phases),
LOG_LEVEL (warn here); see .env.example.`;
