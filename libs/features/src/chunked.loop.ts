import { cooperativeLoop, throwIfAborted } from '@ktrdr/agent-domain';

// A signal that never fires, for callers that have nothing to cancel: the loop still yields.
const NEVER = new AbortController().signal;

/**
 * Calls `body(start, end)` over [0, length) in chunks, through `cooperativeLoop`: between slices
 * the event loop runs (a cancel message can arrive) and the signal is checked, so 100k+ bars never
 * hold the thread for long.
 */
export async function forEachChunk(length: number, body: (start: number, end: number) => void, signal?: AbortSignal, chunk = 1024): Promise<void> {
  const sig = signal ?? NEVER;
  throwIfAborted(sig);
  if (length <= 0) return;
  let start = 0;
  await cooperativeLoop(() => {
    const end = Math.min(length, start + chunk);
    body(start, end);
    start = end;
    return start < length;
  }, { signal: sig });
}
