import { eventually, pause } from './wait';

describe('eventually', () => {
  it('returns the first value the probe gives, trying again while it gives undefined', async () => {
    let calls = 0;
    const v = await eventually(() => (++calls >= 3 ? `after ${calls}` : undefined), 'three tries', 1000, 1);
    expect(v).toBe('after 3');
    expect(calls).toBe(3);
  });

  it('accepts falsy values other than undefined as the answer', async () => {
    expect(await eventually(() => 0, 'zero', 100, 1)).toBe(0);
    expect(await eventually(async () => false, 'false', 100, 1)).toBe(false);
  });

  it('fails at the deadline naming what it waited for, a function being asked only then', async () => {
    let asked = 0;
    const what = (): string => `the answer (asked ${++asked})`;
    await expect(eventually(() => undefined, what, 30, 5)).rejects.toThrow('timed out waiting for the answer (asked 1)');
    await expect(eventually(() => undefined, 'a plain name', 10, 5)).rejects.toThrow('timed out waiting for a plain name');
  });

  it('ends at once on an error from the probe, without trying again', async () => {
    let calls = 0;
    const started = Date.now();
    const failing = eventually(
      () => {
        calls++;
        throw new Error('assertion inside the probe');
      },
      'never',
      5000,
      1,
    );
    await expect(failing).rejects.toThrow('assertion inside the probe');
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('pause', () => {
  it('resolves after at least the given time', async () => {
    const started = performance.now();
    await pause(25);
    // Timers may fire up to a millisecond early against performance.now()'s finer clock.
    expect(performance.now() - started).toBeGreaterThanOrEqual(24);
  });
});
