import { messageOf } from '@ktrdr/errors';
import type { Logger } from '@ktrdr/runtime';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

export interface HealthState {
  /** Rejects (or times out) when Redis is unreachable. */
  ping(): Promise<unknown>;
  /** What this process consumes and whether its BullMQ workers are running. */
  describe(): { queues: string[]; running: boolean; active_jobs: number };
}

const PING_TIMEOUT_MS = 1000;

/**
 * The worker's only HTTP surface (a health port at most): `GET /health` for compose and
 * orchestrators (200 when Redis answers and the workers run, else 503) and `GET /metrics` for
 * Prometheus. Plain node:http — two fixed routes do not need a framework in a process that has no other HTTP.
 */
export class HealthServer {
  private server: Server | null = null;

  constructor(
    private readonly state: HealthState,
    private readonly registry: Registry,
    private readonly log: Logger,
  ) {}

  /** Starts listening; returns the bound port. A port already in use is logged, not fatal (docs/ARCHITECTURE.md). */
  async listen(port: number, host: string): Promise<number | null> {
    const server = createServer((req, res) => void this.handle(req, res));
    return new Promise((resolve) => {
      server.once('error', (e) => {
        this.log.error({ err: messageOf(e), port }, 'worker health port not served');
        resolve(null);
      });
      server.listen(port, host, () => {
        this.server = server;
        const addr = server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return this.send(res, 405, 'application/json', JSON.stringify({ success: false, error: { code: 'BAD_REQUEST', message: 'GET only' } }));
    if (path === '/metrics') {
      try {
        return this.send(res, 200, this.registry.contentType, await this.registry.metrics());
      } catch (e) {
        return this.send(res, 500, 'text/plain', `metrics failed: ${messageOf(e)}`);
      }
    }
    if (path === '/health') {
      const about = this.state.describe();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          this.state.ping(),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`Redis PING timed out after ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS))),
        ]);
        const ok = about.running;
        return this.send(
          res,
          ok ? 200 : 503,
          'application/json',
          JSON.stringify({ status: ok ? 'healthy' : 'stopping', redis: { connected: true }, ...about }),
        );
      } catch (e) {
        return this.send(res, 503, 'application/json', JSON.stringify({ status: 'unhealthy', redis: { connected: false, error: messageOf(e) }, ...about }));
      } finally {
        clearTimeout(timer);
      }
    }
    return this.send(res, 404, 'application/json', JSON.stringify({ success: false, error: { code: 'ROUTE_NOT_FOUND', message: `No route ${path}` } }));
  }

  private send(res: ServerResponse, status: number, type: string, body: string): void {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
