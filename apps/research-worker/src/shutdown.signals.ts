import type { Logger } from '@ktrdr/runtime';

/** What a stop closes: the Nest application context (its shutdown hooks run in `close`). */
export interface Closable {
  close(signal?: string): Promise<void>;
}

export interface ShutdownOptions {
  /** How long a stop may take in all, from the first signal to the exit (KTRDR_SHUTDOWN_GRACE_MS). */
  graceMs: number;
  log: Logger;
  /** Why a stop that ran out of time did not finish, for its last line (e.g. "Redis unreachable"); null: unknown. */
  diagnose?: () => string | null;
  /** Last words before any exit (e.g. print the throttled logger's pending summaries). */
  beforeExit?: () => void;
  signals?: NodeJS.Signals[];
  /** Injected by unit tests; default process.exit and re-raising the signal. */
  exit?: (code: number) => void;
  reraise?: (signal: NodeJS.Signals) => void;
}

export interface ShutdownHandle {
  /** The app to close on a signal; a signal that came while it was still starting closes it now. */
  attach(app: Closable): void;
  /** Removes the signal listeners (tests). */
  detach(): void;
}

/**
 * SIGTERM/SIGINT handling of the worker, instead of Nest's `enableShutdownHooks`, which waits for
 * its hooks without limit and ignores a second signal: with Redis gone, closing BullMQ workers and
 * queues never finishes, so a stopped worker used to keep running until killed.
 *
 * - The first signal closes the app (its hooks abort the running phases and record them stopped, best
 *   effort). Closed in time: "worker stopped", and the process exits by the same signal, as Nest did.
 * - Not closed within `graceMs` of the first signal: one line says why (e.g. Redis unreachable) and
 *   the process exits with code 1. Records it could not write are left to the reconcile pass.
 * - A second signal exits at once, with code 1.
 * A signal during boot is kept: the app is closed as soon as it is attached, and the grace runs from
 * the signal either way, so a worker that cannot even finish starting (no Redis) still stops in time.
 */
export function handleShutdownSignals(opts: ShutdownOptions): ShutdownHandle {
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const reraise = opts.reraise ?? ((signal: NodeJS.Signals) => process.kill(process.pid, signal));
  const { log } = opts;
  let app: Closable | null = null;
  let received: NodeJS.Signals | null = null;
  let receivedAt = 0;
  let closing = false;
  let finished = false;
  let graceTimer: NodeJS.Timeout | undefined;

  const seconds = (ms: number): string => `${Math.round(ms / 100) / 10}s`;
  const finish = (how: () => void): void => {
    if (finished) return;
    finished = true;
    clearTimeout(graceTimer);
    detach();
    opts.beforeExit?.();
    how();
  };
  const close = (target: Closable, signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    target.close(signal).then(
      () => {
        finish(() => {
          log.info({ signal, ms: Date.now() - receivedAt }, 'worker stopped');
          reraise(signal);
        });
      },
      (e: unknown) => {
        finish(() => {
          log.error({ signal, err: e instanceof Error ? e.message : String(e) }, 'worker stopping: shutdown failed; exiting');
          exit(1);
        });
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received) {
      finish(() => {
        log.warn({ signal, first_signal: received, ms: Date.now() - receivedAt }, `worker stopping: second ${signal}, exiting at once without closing cleanly`);
        exit(1);
      });
      return;
    }
    received = signal;
    receivedAt = Date.now();
    log.info({ signal, grace_ms: opts.graceMs }, 'worker stopping');
    // Not unref'd: whatever the app's close is waiting on, this line and this exit happen.
    graceTimer = setTimeout(() => {
      finish(() => {
        const why = opts.diagnose?.() ?? 'shutdown did not finish';
        log.warn({ signal, grace_ms: opts.graceMs }, `worker stopping: ${why}, exiting without closing cleanly after ${seconds(opts.graceMs)}`);
        exit(1);
      });
    }, opts.graceMs);
    if (app) close(app, signal);
  };
  const detach = (): void => {
    for (const s of signals) process.removeListener(s, onSignal);
  };
  for (const s of signals) process.on(s, onSignal);

  return {
    attach(target: Closable): void {
      app = target;
      if (received && !finished) close(target, received);
    },
    detach,
  };
}
