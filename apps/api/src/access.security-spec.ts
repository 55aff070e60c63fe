import { request as httpRequest } from 'node:http';
import { spellingsOf } from '../../../tools/testing/request-target.corpus';
import { startStack, type Stack } from '../../../tools/testing/stack.harness';

/**
 * The access tier: the real API (built, its own process) with a token, probed with every spelling of
 * every route's request target, with no token, a wrong one and the right one. Access is decided on
 * the route the router matched, so no spelling of a protected route gets past without the token, and
 * no refused request changes a byte in Redis.
 */

const TOKEN = 'access-tier-token-0123456789abcdef';
const WRONG = ['', 'Bearer wrong-token-wrong-token-wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `Bearer%20${TOKEN}`];

let stack: Stack;
let cycle: string;
let port: number;

interface RawAnswer {
  status: number;
  body: string;
}

/** One request with `target` sent exactly as written (node:http does not normalise it). */
function raw(method: string, target: string, authorization?: string, body?: string): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { connection: 'close' };
    if (authorization) headers['authorization'] = authorization;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const req = httpRequest({ host: '127.0.0.1', port, method, path: target, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('no answer in 10 s')));
    // A broken answer is a finding, not a crash of the run: it is listed with its target.
    req.on('error', (e) => resolve({ status: -1, body: `${e.message}` }));
    req.end(body);
  });
}

/** Every key under the stack's prefix with its serialised value (DUMP covers every type). */
async function snapshot(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, keys] = await stack.redis.scan(cursor, 'MATCH', `${stack.prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) out.set(key, (await stack.redis.dumpBuffer(key))?.toString('base64') ?? '');
  } while (cursor !== '0');
  return out;
}

interface Route {
  method: string;
  path: string;
}

/** Every route of the OpenAPI document (so a route added later is in the corpus too), ids filled in. */
async function documentedRoutes(): Promise<Route[]> {
  const doc = JSON.parse((await raw('GET', '/api/docs/openapi.json', `Bearer ${TOKEN}`)).body) as { paths: Record<string, Record<string, unknown>> };
  const fill: Record<string, string> = { id: cycle, operation_id: cycle, name: 'v3_minimal' };
  const routes: Route[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    const path = template.replace(/\{(\w+)\}/g, (_m, p: string) => fill[p] ?? 'x');
    for (const method of Object.keys(methods)) routes.push({ method: method.toUpperCase(), path });
  }
  return routes;
}

/** Routes outside the OpenAPI document: the document itself and the queue dashboard with its API. */
const UNDOCUMENTED: Route[] = [
  { method: 'GET', path: '/api/docs' },
  { method: 'GET', path: '/api/docs/openapi.json' },
  { method: 'GET', path: '/admin/queues' },
  { method: 'GET', path: '/admin/queues/api/queues' },
  { method: 'GET', path: '/admin/queues/api/redis/stats' },
  { method: 'PUT', path: '/admin/queues/api/queues/pause' },
  { method: 'PUT', path: '/admin/queues/api/queues/research/obliterate' },
  { method: 'PUT', path: '/admin/queues/api/queues/research/clean/completed' },
  { method: 'PUT', path: '/admin/queues/api/queues/research/retry/failed' },
  { method: 'POST', path: '/admin/queues/api/queues/research/add' },
];

/** Answered without a token by design: probes, the scrape and the web view's static files. */
const OPEN = ['/api/v1/health', '/metrics', '/', '/history'];

let routes: Route[];

beforeAll(async () => {
  stack = await startStack({ workers: [], apiEnv: { KTRDR_API_TOKEN: TOKEN, KTRDR_RATE_LIMIT: '0' } });
  port = Number(new URL(stack.apiUrl).port);
  // A finished cycle to name in every id slot: its events stream ends at once, and nothing it could do is left.
  const t = await raw('POST', '/api/v1/agent/trigger', `Bearer ${TOKEN}`, '{}');
  cycle = (JSON.parse(t.body) as { operation_id: string }).operation_id;
  expect((await raw('DELETE', `/api/v1/agent/cancel/${cycle}`, `Bearer ${TOKEN}`)).status).toBe(200);
  routes = [...(await documentedRoutes()), ...UNDOCUMENTED].filter((r) => !OPEN.includes(r.path));
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

describe('access is decided on the route, whatever the request target looks like', () => {
  it('covers every documented route', () => {
    const paths = routes.map((r) => `${r.method} ${r.path.replace(cycle, '{id}')}`);
    // A sample the document must contain: if these disappear, the corpus stopped covering the API.
    for (const expected of ['POST /api/v1/agent/trigger', 'DELETE /api/v1/agent/cancel', 'GET /api/v1/operations/{id}/events', 'POST /api/v1/data/import']) {
      expect(paths).toContain(expected);
    }
    expect(routes.length).toBeGreaterThanOrEqual(25);
  });

  it('answers 401 to every spelling and method of every protected route without a valid token, and Redis does not change', async () => {
    const before = await snapshot();
    const leaks: string[] = [];
    let sent = 0;
    for (const route of routes) {
      for (const target of spellingsOf(route.path, stack.apiUrl)) {
        for (const method of [route.method, 'HEAD', 'OPTIONS']) {
          for (const authorization of WRONG) {
            const body = method === 'POST' || method === 'PUT' ? '{}' : undefined;
            const answer = await raw(method, target, authorization || undefined, body);
            sent++;
            if (answer.status !== 401) leaks.push(`${method} ${target} [${authorization || 'no token'}] → ${answer.status} ${answer.body.slice(0, 80)}`);
          }
        }
      }
    }
    expect(leaks).toEqual([]);
    expect(sent).toBeGreaterThan(5000);
    expect(await snapshot()).toEqual(before);
  }, 300_000);

  it('with the right token, no spelling of a read gets a 5xx, and the dashboard refuses every write', async () => {
    const before = await snapshot();
    const failures: string[] = [];
    for (const route of routes) {
      const reads = route.method === 'GET' ? [route.method, 'HEAD', 'OPTIONS'] : ['HEAD', 'OPTIONS'];
      for (const target of spellingsOf(route.path, stack.apiUrl)) {
        for (const method of reads) {
          const answer = await raw(method, target, `Bearer ${TOKEN}`);
          if (answer.status >= 500 || answer.status === 401) failures.push(`${method} ${target} → ${answer.status} ${answer.body.slice(0, 80)}`);
        }
        if (route.path.startsWith('/admin/') && route.method !== 'GET') {
          const answer = await raw(route.method, target, `Bearer ${TOKEN}`, '{}');
          if (answer.status !== 403 && answer.status !== 404) failures.push(`${route.method} ${target} → ${answer.status} (a dashboard write)`);
        }
      }
    }
    expect(failures).toEqual([]);
    // Canonical spellings reach their routes.
    expect((await raw('GET', `/api/v1/operations/${cycle}`, `Bearer ${TOKEN}`)).status).toBe(200);
    expect((await raw('GET', `/%61pi/v1/operations/${cycle}`, `Bearer ${TOKEN}`)).status).toBe(200);
    expect(JSON.parse((await raw('PUT', '/admin/queues/api/queues/pause', `Bearer ${TOKEN}`, '{}')).body)).toMatchObject({
      success: false,
      error: { code: 'DASHBOARD_READ_ONLY' },
    });
    expect(await snapshot()).toEqual(before);
  }, 300_000);

  it('keeps health, metrics and the web view open', async () => {
    for (const path of OPEN) expect({ path, status: (await raw('GET', path)).status }).toEqual({ path, status: 200 });
    expect((await raw('GET', '/%61pi/v1/health')).status).toBe(200);
  });

  it('answers a target it cannot decode with a 400 that does not echo it', async () => {
    const answer = await raw('GET', `/api/v1/%ff?access_token=${TOKEN}`);
    expect(answer.status).toBe(400);
    expect(answer.body).not.toContain(TOKEN);
    expect(answer.body).not.toContain('%ff');
  });
});
