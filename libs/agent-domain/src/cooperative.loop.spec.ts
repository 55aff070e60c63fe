import { CancelledError } from '@ktrdr/errors';
import { burnCpu, cooperativeLoop } from './cooperative.loop';

describe('cooperativeLoop', () => {
  it('runs steps until one returns false and reports how many ran', async () => {
    let n = 0;
    const steps = await cooperativeLoop(() => ++n < 50_000, { signal: new AbortController().signal });
    expect(steps).toBe(50_000);
  });

  it('yields between slices so timers and messages still run during CPU work', async () => {
    const ac = new AbortController();
    let timerFired = false;
    setTimeout(() => (timerFired = true), 5);
    const end = performance.now() + 60;
    await cooperativeLoop(() => performance.now() < end, { signal: ac.signal, sliceMs: 4 });
    expect(timerFired).toBe(true);
  });

  it('stops with CancelledError when aborted from the event loop mid-work, running no further step', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort('Cancelled by user'), 10);
    let stepsAfterAbort = 0;
    const run = cooperativeLoop(
      () => {
        if (ac.signal.aborted) stepsAfterAbort++;
        return true; // would run forever without the abort
      },
      { signal: ac.signal, sliceMs: 2 },
    );
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    await expect(run).rejects.toThrow('Cancelled by user');
    expect(stepsAfterAbort).toBe(0); // the abort is seen only between slices, never inside one
  });

  it('burnCpu ends early when aborted', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    await expect(burnCpu(60_000, ac.signal)).rejects.toBeInstanceOf(CancelledError);
  });
});
