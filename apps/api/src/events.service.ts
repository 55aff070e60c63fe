import { CYCLE_OPERATION_TYPE, currentChildId, readCycleParameters } from '@ktrdr/agent-domain';
import { OperationEventsHub, OperationWatch, type HubStats, type OperationInfo, type OperationSnapshot } from '@ktrdr/operations';
import { closeRedis, openRedis } from '@ktrdr/runtime';
import { Injectable, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Backend } from './backend.service.js';
import { toEnvelope } from './error-envelope.filter.js';

/** A client that stops reading gets this much buffered before it is dropped (coalescing keeps the normal rate low). */
const MAX_BUFFERED_BYTES = 1 << 20;

/** For a cycle, the child of its current phase (the same rule as GET /agent/status). */
function childIdOf(op: OperationInfo): string | null {
  return op.operation_type === CYCLE_OPERATION_TYPE ? currentChildId(readCycleParameters(op.metadata.parameters)) : null;
}

export interface EventsStats {
  /** Open event streams in this process. */
  clients: number;
  hub: HubStats;
}

/**
 * Live operation events as Server-Sent Events. The process holds one subscriber
 * connection (inside the hub) however many streams are open; each stream is an OperationWatch that
 * re-reads the record when a change notice names it, throttled, and writes each new state.
 */
@Injectable()
export class EventsService implements OnModuleDestroy, OnApplicationShutdown {
  private readonly subscriber: Redis;
  private readonly hub: OperationEventsHub;
  private readonly open = new Set<() => void>();

  constructor(private readonly backend: Backend) {
    // lazyConnect: an API nobody streams from never opens the extra connection.
    this.subscriber = openRedis(backend.config.redisUrl, 'ktrdr-api-events', { lazyConnect: true });
    this.subscriber.on('error', (e: Error) => backend.log.warn({ err: e.message }, 'events subscriber connection error'));
    this.hub = new OperationEventsHub(this.subscriber, backend.config.prefix);
  }

  stats(): EventsStats {
    return { clients: this.open.size, hub: this.hub.stats() };
  }

  /** Streams `operationId` on `res` until its terminal state, the client leaving, or shutdown. */
  async stream(operationId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { heartbeatMs, coalesceMs } = this.backend.config.events;
    req.socket.setTimeout(0);
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx and similar proxies buffer responses unless told not to.
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();

    let seq = 0;
    let closed = false;
    const write = (chunk: string): void => {
      if (closed) return;
      res.write(chunk);
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        this.backend.log.warn({ operation_id: operationId }, 'event stream client is not reading: dropped');
        close();
        res.destroy();
      }
    };
    const send = (event: string, data: unknown): void => write(`event: ${event}\nid: ${++seq}\ndata: ${JSON.stringify(data)}\n\n`);
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
    const watch = new OperationWatch(
      this.backend.store,
      this.hub,
      operationId,
      {
        onUpdate: (s: OperationSnapshot) => send('update', s),
        onEnd: (s: OperationSnapshot) => {
          send('end', s);
          close();
          res.end();
        },
        onError: (e: unknown) => {
          send('error', toEnvelope(e).body);
          close();
          res.end();
        },
      },
      { childIdOf, coalesceMs },
    );
    // One cleanup for every way a stream ends: terminal state, error, client gone, shutdown.
    const close = (): void => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      watch.stop();
      this.open.delete(shutdown);
    };
    const shutdown = (): void => {
      close();
      res.end();
    };
    this.open.add(shutdown);
    res.on('close', close);
    write(': connected\n\n');
    try {
      await watch.start();
    } catch (e) {
      this.backend.log.warn({ operation_id: operationId, err: e }, 'event stream could not start');
      if (!closed) {
        send('error', toEnvelope(e).body);
        shutdown();
      }
    }
  }

  /** Ends open streams before the HTTP server closes, or it would wait for them forever. */
  onModuleDestroy(): void {
    for (const shutdown of [...this.open]) shutdown();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.hub.close();
    if (this.subscriber.status === 'wait') this.subscriber.disconnect();
    else await closeRedis(this.subscriber);
  }
}
