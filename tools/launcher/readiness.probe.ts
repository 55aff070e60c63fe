import { connect } from 'node:net';
import { describeExit, type SupervisedProcess } from './process.supervisor.js';

export class NotReadyError extends Error {}

/**
 * Polls `check` until it is true. Rejects at the deadline, or as soon as `proc` exits (a process
 * that died while we waited for it is not going to become ready).
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  proc?: SupervisedProcess,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && !proc.running) {
      throw new NotReadyError(`${proc.name} exited (${describeExit(await proc.exited)}) before ${what}`);
    }
    if (await check()) return;
    if (Date.now() > deadline) throw new NotReadyError(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** HTTP status of GET {base}/api/v1/health, or null when nothing answers. */
export async function healthStatus(baseUrl: string, timeoutMs = 2000): Promise<number | null> {
  try {
    const res = await fetch(`${baseUrl}/api/v1/health`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer().catch(() => undefined);
    return res.status;
  } catch {
    return null;
  }
}

/** True when something accepts TCP connections on host:port. */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, host);
    const done = (v: boolean): void => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
