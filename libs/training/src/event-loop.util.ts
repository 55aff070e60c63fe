/** Lets pending I/O and timers run (a cancel message, a lock renewal, a progress write) before the next stretch of compute. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
