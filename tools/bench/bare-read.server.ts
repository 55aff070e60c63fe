import { OperationsStore } from '@ktrdr/operations';
import { Redis } from 'ioredis';
import { createServer } from 'node:http';

/**
 * The baseline of the API throughput benchmark, run as its own process like the API: node:http and
 * ioredis doing the same Redis reads as GET /agent/status and GET /operations/{id}, through the same
 * store code, with nothing else (no framework, no middleware, no logging). Prints its port.
 */
const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const store = new OperationsStore(redis, process.env['KTRDR_KEY_PREFIX'] ?? 'ktrdr');

const server = createServer((req, res) => {
  const reply = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const url = req.url ?? '';
  const op = /^\/api\/v1\/operations\/([^/?]+)$/.exec(url);
  const work = op
    ? store.get(op[1]!).then((data) => (data ? reply(200, { success: true, data }) : reply(404, { success: false })))
    : url === '/api/v1/agent/status'
      ? store.active('agent_research').then(async (active) => {
          if (active.length) return reply(200, { status: 'active', active_researches: active });
          reply(200, { status: 'idle', last_cycle: await store.lastFinished('agent_research'), active_researches: [] });
        })
      : Promise.resolve(reply(404, {}));
  work.catch(() => reply(500, {}));
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  redis.disconnect();
  process.exit(0);
});
