import { throwIfAborted } from './abortable.js';

export interface CooperativeLoopOptions {
  signal: AbortSignal;
  /** Longest stretch of synchronous work before yielding to the event loop. */
  sliceMs?: number;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs CPU-bound work in short slices so the process stays responsive: between slices it yields
 * to the event loop (where a cancel message or a timer can run) and checks the abort signal.
 * With 8 ms slices a cancel stops the work within about one slice; with multi-second slices it
 * would take seconds (measured in STACK.md). `step` returns false to finish early.
 */
export async function cooperativeLoop(step: () => boolean, opts: CooperativeLoopOptions): Promise<number> {
  const sliceMs = opts.sliceMs ?? 8;
  let steps = 0;
  for (;;) {
    throwIfAborted(opts.signal);
    const sliceEnd = performance.now() + sliceMs;
    do {
      steps++;
      if (!step()) return steps;
    } while (performance.now() < sliceEnd);
    await yieldToEventLoop();
  }
}

/** Keeps one core busy for `ms` of wall time, interruptibly (stub mode's stand-in for training). */
export async function burnCpu(ms: number, signal: AbortSignal): Promise<void> {
  const end = performance.now() + ms;
  let sink = 0;
  await cooperativeLoop(
    () => {
      for (let i = 0; i < 1000; i++) sink += Math.sqrt(i + sink) % 7;
      return performance.now() < end;
    },
    { signal },
  );
  if (Number.isNaN(sink)) throw new Error('unreachable: keeps the loop from being optimised away');
}
