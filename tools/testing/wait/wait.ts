/**
 * The two ways a test may wait, for every spec in the workspace: `eventually` polls for a state,
 * `pause` lets time pass when the passing time is itself what a test checks.
 *
 * This folder is an Nx project of its own that imports nothing, so a lib's spec can import it
 * (`../../../tools/testing/wait/wait`) without a dependency cycle: the `tools` project depends on
 * libs such as operations, so a lib spec importing anything else under tools/ would close a loop.
 * tools/testing/stack.harness.ts and stack.requests.ts re-export both, for the app specs and the
 * bench. Only test code may import this: lint refuses a relative import into another project
 * everywhere except in spec files and in tools/testing's own helpers.
 */

/**
 * Polls `probe` until it returns a value (not undefined), waiting `everyMs` between tries; fails
 * at the deadline naming `what` (a function is called then, e.g. to add a process's output). An
 * error thrown by the probe ends the wait at once: an assertion inside the probe fails the test.
 */
export async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string | (() => string),
  timeoutMs = 15_000,
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A pause that is itself what a spec tests ("nothing happens for N ms", "Redis stays down for N
 * ms"); never a way to wait for a state, which is what `eventually` is for. Each call site says
 * in a comment why the wait is the test.
 */
export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
