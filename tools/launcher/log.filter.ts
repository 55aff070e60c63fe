/**
 * pino writes one JSON object per line with a numeric `level`. The launcher runs the worker at
 * `info` (so it can see "research worker ready") and shows only the lines at or above the level
 * the user asked for. Lines that are not pino JSON (Nest's own logger, stack traces) always pass.
 */
const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

export function levelNumber(name: string): number {
  return LEVELS[name] ?? LEVELS['info']!;
}

/** The more verbose of two level names (what a child must log at so both needs are met). */
export function moreVerbose(a: string, b: string): string {
  return levelNumber(a) <= levelNumber(b) ? a : b;
}

export function pinoLevel(line: string): number | null {
  if (!line.startsWith('{')) return null;
  try {
    const v = (JSON.parse(line) as { level?: unknown }).level;
    return typeof v === 'number' ? v : null;
  } catch {
    return null;
  }
}

/** A line predicate: show it unless it is a pino line below `minLevel`. */
export function levelFilter(minLevel: string): (line: string) => boolean {
  const min = levelNumber(minLevel);
  return (line) => {
    const level = pinoLevel(line);
    return level === null || level >= min;
  };
}

/** redis-server's --loglevel closest to ours. */
export function redisLogLevel(level: string): string {
  const n = levelNumber(level);
  if (n <= LEVELS['debug']!) return 'verbose';
  if (n <= LEVELS['info']!) return 'notice';
  return 'warning';
}

/**
 * A child's log line a person starting the stack should read as a sentence instead of a JSON
 * object: the worker's health port already taken (typically a worker from another `npm start`).
 * Null for every other line, which is shown as it came.
 */
export function sentenceFor(line: string): string | null {
  if (!line.startsWith('{')) return null;
  let entry: { msg?: unknown; err?: unknown; port?: unknown };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    return null;
  }
  if (entry.msg === 'worker health port not served' && typeof entry.err === 'string' && entry.err.includes('EADDRINUSE')) {
    const port = typeof entry.port === 'number' ? entry.port : 'of the worker health server';
    return `Port ${port} is taken (another worker?): this worker runs without GET /health and /metrics; set KTRDR_WORKER_HEALTH_PORT=0 or another port`;
  }
  return null;
}
