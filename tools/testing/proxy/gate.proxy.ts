import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of Redis that can freeze one connection at an exact point of what it sends:
 * `holdAt('blob-stage:', 1500)` forwards the first connection whose command stream reaches that
 * marker only up to 1,500 bytes past the marker's first byte, then forwards nothing more from it.
 * The writer is then stuck mid-command at a known place, so a test can kill it there — a
 * deterministic "kill -9 while the put is on the wire" instead of a race against a timer.
 * Replies still flow back; other connections (and new ones) pass untouched.
 */
export interface GateProxy {
  url: string;
  /** Arms the gate; resolves once a connection is held at the point. One hold per call. */
  holdAt(marker: string, after?: number): Promise<void>;
  /** Destroys the held connection on both sides: Redis sees the writer disconnect mid-command. */
  cut(): void;
  close(): Promise<void>;
}

interface Armed {
  marker: Buffer;
  after: number;
  held: () => void;
}

export async function startGateProxy(targetHost: string, targetPort: number): Promise<GateProxy> {
  const sockets = new Set<Socket>();
  let armed: Armed | null = null;
  let heldPair: [Socket, Socket] | null = null;

  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());

    let sent = 0;
    let tail = Buffer.alloc(0);
    /** Absolute stream offset this connection may forward up to (exclusive), once its marker was seen. */
    let limit = Infinity;
    let frozen = false;
    let onHeld: (() => void) | null = null;
    client.on('data', (chunk: Buffer) => {
      if (frozen) return;
      const start = sent;
      const gate = armed;
      if (limit === Infinity && gate) {
        // The marker may straddle two reads: search the previous read's tail with this one.
        const hay = Buffer.concat([tail, chunk]);
        const at = hay.indexOf(gate.marker);
        if (at >= 0) {
          limit = start - tail.length + at + gate.after;
          onHeld = gate.held;
          armed = null;
        } else {
          tail = hay.subarray(Math.max(0, hay.length - gate.marker.length + 1));
        }
      }
      if (start + chunk.length <= limit) {
        sent += chunk.length;
        if (!upstream.write(chunk)) {
          client.pause();
          upstream.once('drain', () => client.resume());
        }
        return;
      }
      const keep = Math.max(0, limit - start);
      if (keep > 0) upstream.write(chunk.subarray(0, keep));
      sent += keep;
      frozen = true;
      heldPair = [client, upstream];
      onHeld?.();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `redis://127.0.0.1:${port}`,
    holdAt(marker: string, after = 0): Promise<void> {
      return new Promise<void>((resolve) => {
        armed = { marker: Buffer.from(marker), after, held: resolve };
      });
    },
    cut() {
      const pair = heldPair;
      heldPair = null;
      for (const s of pair ?? []) s.destroy();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
