import type { Logger } from '@ktrdr/runtime';
import { handleShutdownSignals, type ShutdownHandle } from './shutdown.signals';

function recorder() {
  const msgs: string[] = [];
  const at = () => (_fields: unknown, msg: string) => msgs.push(msg);
  return { msgs, log: { info: at(), warn: at(), error: at() } as unknown as Logger };
}

/** `process.emit` runs the listeners without signalling the test process. */
const signal = (name: NodeJS.Signals) => process.emit(name, name);

describe('handleShutdownSignals', () => {
  let handle: ShutdownHandle | undefined;
  afterEach(() => {
    handle?.detach();
    jest.useRealTimers();
  });

  function setup(graceMs = 1000) {
    const { msgs, log } = recorder();
    const exits: number[] = [];
    const reraised: string[] = [];
    let flushed = 0;
    handle = handleShutdownSignals({
      graceMs,
      log,
      diagnose: () => 'Redis unreachable',
      beforeExit: () => flushed++,
      exit: (code) => exits.push(code),
      reraise: (s) => reraised.push(s),
    });
    return { msgs, exits, reraised, flushed: () => flushed };
  }

  it('closes the app and exits by the same signal once it closed', async () => {
    const s = setup();
    const close = jest.fn(async () => undefined);
    handle!.attach({ close });
    signal('SIGTERM');
    await new Promise((r) => setImmediate(r));
    expect(close).toHaveBeenCalledWith('SIGTERM');
    expect(s.reraised).toEqual(['SIGTERM']);
    expect(s.exits).toEqual([]);
    expect(s.msgs).toEqual(['worker stopping', 'worker stopped']);
    expect(s.flushed()).toBe(1);
  });

  it('exits with 1 after the grace when the close hangs, saying why', () => {
    jest.useFakeTimers();
    const s = setup(8000);
    handle!.attach({ close: () => new Promise(() => undefined) });
    signal('SIGTERM');
    jest.advanceTimersByTime(7999);
    expect(s.exits).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(s.exits).toEqual([1]);
    expect(s.msgs).toContain('worker stopping: Redis unreachable, exiting without closing cleanly after 8s');
  });

  it('exits at once on a second signal', () => {
    const s = setup(60_000);
    handle!.attach({ close: () => new Promise(() => undefined) });
    signal('SIGTERM');
    signal('SIGINT');
    expect(s.exits).toEqual([1]);
    expect(s.msgs).toContain('worker stopping: second SIGINT, exiting at once without closing cleanly');
  });

  it('keeps a signal that came during boot and closes the app as soon as it is attached', async () => {
    const s = setup();
    signal('SIGINT');
    const close = jest.fn(async () => undefined);
    handle!.attach({ close });
    await new Promise((r) => setImmediate(r));
    expect(close).toHaveBeenCalledWith('SIGINT');
    expect(s.reraised).toEqual(['SIGINT']);
  });
});
