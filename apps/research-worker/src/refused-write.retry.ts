import { isTransientRedisFailure } from '@ktrdr/runtime';

export interface RetryPolicy {
  /** How long to keep trying, from the first refusal. */
  budgetMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

/**
 * How long a phase keeps retrying a write Redis refuses (out of memory, read-only, loading) or
 * cannot take (unreachable). Five minutes covers what fixes itself or what an operator fixes
 * while alerted: a failover, a restart, keys deleted or maxmemory raised. The delay grows to 2 s
 * and no further, so a record lands within about 2 s of Redis taking writes again. Past the
 * budget a phase gives up on that write (see PhaseRunner), which bounds how long a finished phase
 * holds its worker's concurrency slot for one outcome.
 */
export const RECORD_RETRY: RetryPolicy = { budgetMs: 5 * 60_000, firstDelayMs: 100, maxDelayMs: 2000 };

export interface RetryOptions {
  policy?: RetryPolicy;
  /**
   * Once aborted (the phase was cancelled or timed out, or the worker is stopping), one more
   * attempt is made and then the refusal is thrown: a stopping worker must not wait out the budget.
   */
  signal?: AbortSignal;
  /** Called on each refusal that will be retried (a throttled log line). */
  onRefused?: (error: unknown, attempt: number, elapsedMs: number) => void;
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `write` until it lands, retrying with a growing delay while the failure is transient
 * (isTransientRedisFailure). Any other error is thrown at once, and so is the transient one once
 * the budget is spent. `write` must be safe to repeat: the store's transitions are (a terminal
 * record refuses the second one, which is the answer the caller wants).
 */
export async function retryRefusedWrite<T>(write: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const policy = opts.policy ?? RECORD_RETRY;
  let delay = policy.firstDelayMs;
  let firstRefusal: number | null = null;
  for (let attempt = 1; ; attempt++) {
    const lastChance = opts.signal?.aborted === true;
    try {
      return await write();
    } catch (e) {
      if (!isTransientRedisFailure(e) || lastChance) throw e;
      const now = Date.now();
      firstRefusal ??= now;
      const elapsed = now - firstRefusal;
      if (elapsed + delay > policy.budgetMs) throw e;
      opts.onRefused?.(e, attempt, elapsed);
      await pause(delay, opts.signal);
      delay = Math.min(delay * 2, policy.maxDelayMs);
    }
  }
}
