import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { eventually, freePort, repoRoot, startStack, type Stack } from '../../../tools/testing/stack.harness';

const TOKEN = 'e2e-token-0123456789abcdef';
const UNKNOWN = 'op_training_20260101_000000_deadbeef';

let stack: Stack;
let existing: string;

async function call(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* non-JSON (metrics text, dashboard HTML) stays text */
  }
  return { status: res.status, headers: res.headers, body: parsed as Record<string, unknown> & string };
}
const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  // No worker: cycles stay pending, which is all these routes need.
  stack = await startStack({
    workers: [],
    apiEnv: { KTRDR_API_TOKEN: TOKEN, KTRDR_MAX_CONCURRENT_CYCLES: '100', KTRDR_RATE_LIMIT: '3', KTRDR_RATE_LIMIT_WINDOW_MS: '60000' },
  });
  const t = await call('POST', '/api/v1/agent/trigger', auth, { model: 'haiku' });
  expect(t.status).toBe(202);
  existing = t.body['operation_id'] as string;
});
afterAll(async () => {
  await stack?.stop();
});

function protectedRoutes(): Array<[string, string, unknown?]> {
  return [
    ['GET', '/api/v1/operations'],
    ['GET', `/api/v1/operations/${existing}`],
    ['GET', `/api/v1/operations/${existing}/children`],
    ['GET', `/api/v1/operations/${existing}/artifacts`],
    ['GET', `/api/v1/operations/${existing}/artifacts/strategy`],
    ['GET', `/api/v1/operations/${existing}/events`],
    ['DELETE', `/api/v1/operations/${existing}`, { reason: 'x' }],
    ['POST', '/api/v1/agent/trigger', {}],
    ['GET', '/api/v1/agent/status'],
    ['GET', '/api/v1/agent/budget'],
    ['DELETE', '/api/v1/agent/cancel'],
    ['DELETE', `/api/v1/agent/cancel/${existing}`],
    ['POST', `/api/v1/agent/resume/${existing}`, {}],
    ['GET', '/api/v1/data'],
    ['POST', '/api/v1/data/import', {}],
    ['GET', '/api/v1/strategies'],
    ['GET', '/api/v1/strategies/v3_minimal'],
    ['GET', '/api/v1/no-such-route'],
    ['GET', '/api/docs/openapi.json'],
    ['GET', '/admin/queues'],
  ];
}

describe('access control', () => {
  it('refuses every protected route without a token or with a wrong one: 401 with the envelope', async () => {
    for (const [method, path, body] of protectedRoutes()) {
      for (const headers of [
        {},
        { authorization: 'Bearer wrong-token-wrong-token' },
        { authorization: `Basic ${TOKEN}` },
        { authorization: `Bearer ${TOKEN}x` },
      ]) {
        const res = await call(method, path, headers, body);
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 401 });
        expect(res.body).toEqual({ success: false, error: { code: 'UNAUTHORIZED', message: expect.stringContaining('API token') } });
        expect(res.headers.get('www-authenticate')).toContain('Bearer');
      }
    }
    // The cycle survived every refused DELETE above.
    expect((await call('GET', `/api/v1/operations/${existing}`, auth)).body['data']).toMatchObject({ status: 'pending' });
  });

  it('says nothing about whether an operation exists', async () => {
    const known = await call('GET', `/api/v1/operations/${existing}`);
    const unknown = await call('GET', `/api/v1/operations/${UNKNOWN}`);
    const bogus = await call('DELETE', '/api/v1/operations/not-an-id');
    expect([known.status, unknown.status, bogus.status]).toEqual([401, 401, 401]);
    expect(unknown.body).toEqual(known.body);
    expect(bogus.body).toEqual(known.body);
  });

  it('serves every read with the token', async () => {
    for (const path of [
      '/api/v1/operations',
      `/api/v1/operations/${existing}`,
      `/api/v1/operations/${existing}/children`,
      '/api/v1/agent/status',
      '/api/v1/agent/budget',
      '/api/v1/data',
      '/api/v1/strategies',
      '/api/docs/openapi.json',
      '/admin/queues',
    ]) {
      expect({ path, status: (await call('GET', path, auth)).status }).toEqual({ path, status: 200 });
    }
    expect((await call('GET', `/api/v1/operations/${UNKNOWN}`, auth)).status).toBe(404);
  });

  it('lets a browser into the queue dashboard: ?access_token= once sets an /admin-only cookie', async () => {
    const signIn = await fetch(`${stack.apiUrl}/admin/queues?access_token=${TOKEN}`, { redirect: 'manual' });
    expect(signIn.status).toBe(303);
    // Redirected to the same page without the token in the address bar.
    expect(signIn.headers.get('location')).toBe('/admin/queues');
    const cookie = signIn.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^ktrdr_admin_token=[^;]+; Path=\/admin; HttpOnly; SameSite=Strict/);
    const jar = { cookie: cookie.split(';')[0]! };
    const page = await call('GET', '/admin/queues', jar);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html');
    // The board's own API calls ride on the cookie too.
    expect((await call('GET', '/admin/queues/api/queues', jar)).status).toBe(200);
    // The cookie opens /admin only, a wrong token in the URL sets nothing, and a forged cookie is refused.
    expect((await call('GET', '/api/v1/agent/status', jar)).status).toBe(401);
    const wrong = await fetch(`${stack.apiUrl}/admin/queues?access_token=wrong-token-wrong-token`, { redirect: 'manual' });
    expect([wrong.status, wrong.headers.get('set-cookie')]).toEqual([401, null]);
    expect((await call('GET', '/admin/queues', { cookie: 'ktrdr_admin_token=wrong-token-wrong-token' })).status).toBe(401);
  });

  it('keeps health and metrics open', async () => {
    const health = await call('GET', '/api/v1/health');
    expect(health.status).toBe(200);
    expect(health.body['workers']).toMatchObject({ research: { count: 0, workers: [] } });
    const metrics = await call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('agent_cycles_total');
    expect(metrics.body).toMatch(/agent_queue_jobs\{queue="research",state="waiting"\} \d+/);
    expect(metrics.body).toContain('process_cpu_seconds_total');
  });

  it('takes ?access_token= on the events stream only', async () => {
    const ac = new AbortController();
    const res = await fetch(`${stack.apiUrl}/api/v1/operations/${existing}/events?access_token=${TOKEN}`, { signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    ac.abort();
    await res.body?.cancel().catch(() => undefined);
    expect((await call('GET', `/api/v1/operations/${existing}/events?access_token=nope`)).status).toBe(401);
    expect((await call('GET', `/api/v1/operations/${existing}?access_token=${TOKEN}`)).status).toBe(401);
    expect((await call('GET', `/api/v1/agent/status?access_token=${TOKEN}`)).status).toBe(401);
  });

  it('answers `..` under /assets, raw or encoded, as a missing file (a NUL byte as a bad request): no 500 and no error line in the log', async () => {
    const { request } = await import('node:http');
    const url = new URL(stack.apiUrl);
    const get = (path: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, path }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
    for (const path of [
      '/assets/../../package.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/%2E%2E/api/v1/operations',
      '/assets/x%00.js',
    ]) {
      const status = await get(path);
      expect({ path, refused: [400, 401, 404].includes(status) }).toEqual({ path, refused: true });
    }
    expect(stack.api.output()).not.toContain('"level":50');
  });

  it('keeps the queue dashboard read-only: its writes are 403 DASHBOARD_READ_ONLY even with the token, and the queue is untouched', async () => {
    const pause = await call('PUT', '/admin/queues/api/queues/pause', auth, {});
    expect(pause.status).toBe(403);
    expect(pause.body).toMatchObject({
      success: false,
      error: { code: 'DASHBOARD_READ_ONLY', message: expect.stringContaining('KTRDR_DASHBOARD_ACTIONS=true') },
    });
    expect(await stack.redis.hget(`${stack.prefix}:bull:research:meta`, 'paused')).toBeNull();
  });

  it('counts a cycle the user cancels', async () => {
    const t = await call('POST', '/api/v1/agent/trigger', auth, {});
    expect(t.status).toBe(202);
    expect((await call('DELETE', `/api/v1/agent/cancel/${t.body['operation_id'] as string}`, auth)).status).toBe(200);
    expect((await call('GET', '/metrics')).body).toMatch(/agent_cycles_total\{outcome="cancelled"\} [1-9]/);
  });

  it('rate-limits cycle-starting routes with 429 RATE_LIMITED, distinct from budget_exhausted', async () => {
    // beforeAll and the previous test used 2 of the 3 triggers allowed per window.
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof call>> | null = null;
    for (let i = 0; i < 3; i++) {
      const r = await call('POST', '/api/v1/agent/trigger', auth, {});
      statuses.push(r.status);
      if (r.status === 429) refused = r;
    }
    expect(statuses).toEqual([202, 429, 429]);
    expect(refused!.body).toMatchObject({ success: false, error: { code: 'RATE_LIMITED', details: { limit: 3, window_ms: 60000 } } });
    expect(refused!.body['reason']).toBeUndefined();
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
    // Without KTRDR_TRUST_PROXY a forged client address does not buy a fresh window.
    expect((await call('POST', '/api/v1/agent/trigger', { ...auth, 'x-forwarded-for': '10.9.9.9' }, {})).status).toBe(429);
    // Reads are never limited.
    for (let i = 0; i < 10; i++) expect((await call('GET', '/api/v1/agent/status', auth)).status).toBe(200);
  });
});

describe('queue dashboard actions, when enabled on purpose, and the access log', () => {
  let open: Stack;
  beforeAll(async () => {
    open = await startStack({ workers: [], apiEnv: { KTRDR_API_TOKEN: TOKEN, KTRDR_DASHBOARD_ACTIONS: 'true', LOG_LEVEL: 'info' } });
  });
  afterAll(async () => {
    await open?.stop();
  });

  it('pauses and resumes the queues through the dashboard with KTRDR_DASHBOARD_ACTIONS=true', async () => {
    const put = (path: string) => fetch(`${open.apiUrl}${path}`, { method: 'PUT', headers: auth });
    expect((await put('/admin/queues/api/queues/pause')).status).toBe(200);
    expect(await open.redis.hget(`${open.prefix}:bull:research:meta`, 'paused')).toBe('1');
    expect((await put('/admin/queues/api/queues/resume')).status).toBe(200);
    expect(await open.redis.hget(`${open.prefix}:bull:research:meta`, 'paused')).toBeNull();
  });

  it('writes only an allow-list of request headers to the access log', async () => {
    const res = await fetch(`${open.apiUrl}/api/v1/agent/status`, {
      headers: { ...auth, cookie: 'session=cookie-secret-1234', 'x-api-key': 'other-service-key-5678', 'user-agent': 'access-log-probe' },
    });
    expect(res.status).toBe(200);
    // The line is written when the response has finished.
    const line = await eventually(
      () =>
        open.api
          .output()
          .split('\n')
          .find((l) => l.includes('access-log-probe')),
      'the access log line',
    );
    expect(JSON.parse(line)).toMatchObject({ req: { method: 'GET', url: '/api/v1/agent/status', headers: { 'user-agent': 'access-log-probe' } } });
    for (const secret of ['cookie-secret-1234', 'other-service-key-5678', TOKEN]) expect(open.api.output()).not.toContain(secret);
  });
});

describe('safe by default', () => {
  function boot(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, [join(repoRoot(), 'apps/api/dist/main.js')], {
      env: { PATH: process.env['PATH'], REDIS_URL: stack.redisUrl, KTRDR_KEY_PREFIX: stack.prefix, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
  }

  it('refuses to listen on a non-loopback address without a token, naming the variables', async () => {
    const r = await boot({ KTRDR_API_HOST: '0.0.0.0', KTRDR_API_PORT: String(await freePort()) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('KTRDR_API_TOKEN');
    expect(r.stderr).toContain('KTRDR_ALLOW_OPEN_API=true');
  });

  it('refuses a token too short to be one', async () => {
    const r = await boot({ KTRDR_API_TOKEN: 'short', KTRDR_API_PORT: String(await freePort()) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('KTRDR_API_TOKEN');
  });
});
