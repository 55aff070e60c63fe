import type { ActivePhase } from '@ktrdr/agent-domain';
import { ErrorCode, WorkerError } from '@ktrdr/errors';

/** "30 minutes", "1 minute", "2.5 seconds", "300 ms": how a deadline reads in an error message. */
export function formatDuration(ms: number): string {
  const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return plural(ms / 3_600_000, 'hour');
  if (ms >= 60_000 && ms % 60_000 === 0) return plural(ms / 60_000, 'minute');
  if (ms >= 1000) return plural(Math.round(ms / 100) / 10, 'second');
  return `${ms} ms`;
}

/**
 * A phase ran past its deadline (`worker timeout after 30 minutes`). It is the abort reason
 * the worker's timer gives the phase's AbortSignal, so the failure path can tell it from a cancel
 * (whose reason is the cancel message) and from a shutdown.
 */
export class PhaseTimeoutError extends WorkerError {
  constructor(
    readonly phase: ActivePhase,
    readonly timeoutMs: number,
  ) {
    super(ErrorCode.PhaseTimeout, `worker timeout after ${formatDuration(timeoutMs)}`, { phase, timeout_ms: timeoutMs });
  }
}

/** Milliseconds left before a phase started at `startedAt` (ISO) passes its deadline; never negative. */
export function remainingMs(startedAt: string | null, timeoutMs: number, now = Date.now()): number {
  const started = startedAt ? Date.parse(startedAt) : now;
  return Math.max(0, (Number.isFinite(started) ? started : now) + timeoutMs - now);
}
