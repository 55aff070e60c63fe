import { throwIfAborted } from '@ktrdr/agent-domain';

// A signal that never fires, for callers that have nothing to cancel: the loops still yield.
const NEVER = new AbortController().signal;

/** Longest stretch of synchronous work before yielding (8 ms keeps a cancel within ~10 ms, STACK.md). */
const SLICE_MS = 8;
let sliceStart = performance.now();

/**
 * Yields to the event loop if this thread has worked for a slice since the last yield, then checks
 * the signal. The clock is shared by every loop in the pipeline, unlike agent-domain's
 * `cooperativeLoop` (one slice budget per loop, and no yield for a loop that ends inside its first
 * slice): the pipeline runs hundreds of short loops back to back (one per column, per indicator),
 * which would otherwise add up to 100+ ms without a yield (measured on 100k bars × 96 columns).
 */
export async function yieldIfDue(signal: AbortSignal = NEVER): Promise<void> {
  if (performance.now() - sliceStart >= SLICE_MS) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    sliceStart = performance.now();
  }
  throwIfAborted(signal);
}

/**
 * Calls `body(start, end)` over [0, length) in chunks of `chunk`, yielding between chunks when a
 * slice is used up, and stopping with CancelledError once `signal` aborts. Pick `chunk` so one call
 * of `body` takes well under a slice.
 */
export async function forEachChunk(length: number, body: (start: number, end: number) => void, signal?: AbortSignal, chunk = 1024): Promise<void> {
  throwIfAborted(signal ?? NEVER);
  for (let start = 0; start < length; start += chunk) {
    await yieldIfDue(signal);
    body(start, Math.min(length, start + chunk));
  }
}
