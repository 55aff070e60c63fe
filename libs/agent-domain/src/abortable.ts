import { CancelledError } from '@ktrdr/errors';

/** Throws CancelledError if the signal has fired; call between units of work. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError(reasonOf(signal));
}

function reasonOf(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  if (typeof r === 'string') return r;
  if (r instanceof Error && r.name !== 'AbortError') return r.message;
  return 'Operation cancelled';
}

/** A sleep that ends at once, with CancelledError, when the signal aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledError(reasonOf(signal)));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError(reasonOf(signal)));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
