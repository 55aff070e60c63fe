import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { eventually, freePort, pingPort, redisServerArgs, startStack, type Stack } from '../../../tools/testing/stack.harness';

/**
 * The real API against a Redis of its own that fills up (`maxmemory` under `noeviction`) and then
 * goes away: every route answers at once with 503 BACKEND_UNAVAILABLE and a sentence naming the
 * cause, a refused write leaves no record behind, and no stack trace reaches the log.
 */

type Answer = { status: number; body: { success?: boolean; error?: { code: string; message: string }; operation_id?: string } };

let port: number;
let redisProc: ChildProcess;
let admin: Redis;
let stack: Stack;
let cycle: string;

async function startRedis(): Promise<void> {
  redisProc = spawn('redis-server', [...redisServerArgs({ port }), '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  await eventually(async () => ((await pingPort(port)) ? true : undefined), 'redis-server to answer');
}

async function stopRedis(): Promise<void> {
  const exited = new Promise((r) => redisProc.once('exit', r));
  redisProc.kill('SIGKILL');
  await exited;
}

async function timed(method: string, path: string, body?: unknown): Promise<Answer & { ms: number }> {
  const t0 = performance.now();
  const res = await stack.request<Answer['body']>(method, path, body);
  return { ...res, ms: performance.now() - t0 };
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  admin = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: 1, lazyConnect: true });
  admin.on('error', () => undefined); // the Redis is killed on purpose below
  stack = await startStack({ workers: [], redisUrl: `redis://127.0.0.1:${port}`, apiEnv: { KTRDR_MAX_CONCURRENT_CYCLES: '10', KTRDR_RATE_LIMIT: '0' } });
  const t = await timed('POST', '/agent/trigger', {});
  cycle = t.body.operation_id!;
  expect((await timed('DELETE', `/agent/cancel/${cycle}`)).status).toBe(200);
});
afterAll(async () => {
  // The harness cleans its keys up through Redis: give it one back if a test left it dead.
  if (!(await pingPort(port))) await startRedis();
  await stack?.stop();
  admin?.disconnect();
  await stopRedis();
});

describe('a full Redis (maxmemory, noeviction)', () => {
  it('refuses trigger and resume with 503 naming the cause, writes nothing, and reads still answer', async () => {
    const before = (await timed('GET', '/operations?limit=1000')).body as { total_count?: number };
    await admin.config('SET', 'maxmemory', '1');
    try {
      for (const [method, path] of [
        ['POST', '/agent/trigger'],
        ['POST', `/agent/resume/${cycle}`],
      ] as const) {
        const res = await timed(method, path, {});
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 503 });
        expect(res.body).toMatchObject({ success: false, error: { code: 'BACKEND_UNAVAILABLE', message: expect.stringContaining('out of memory') } });
      }
      for (const path of ['/operations', `/operations/${cycle}`, '/agent/status', '/agent/budget'])
        expect({ path, status: (await timed('GET', path)).status }).toEqual({ path, status: 200 });
      expect(((await timed('GET', '/operations?limit=1000')).body as { total_count?: number }).total_count).toBe(before.total_count);
      // Health still answers 200 with the store counted: counting only reads the index (and prunes it).
      const health = await timed('GET', '/health');
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'healthy', store: { blobs: expect.any(Number), bytes: expect.any(Number), by_kind: expect.any(Object) } });
    } finally {
      await admin.config('SET', 'maxmemory', '0');
    }
    // Once Redis takes writes again, so does the API.
    const again = await timed('POST', '/agent/trigger', {});
    expect(again.status).toBe(202);
    expect((await timed('DELETE', `/agent/cancel/${again.body.operation_id!}`)).status).toBe(200);
  });
});

describe('an unreachable Redis', () => {
  it('answers every route that needs Redis with 503 at once, naming the cause, and logs no stack trace', async () => {
    await stopRedis();
    const routes: Array<[string, string, unknown?]> = [
      ['POST', '/agent/trigger', {}],
      ['POST', `/agent/resume/${cycle}`, {}],
      ['DELETE', '/agent/cancel'],
      ['DELETE', `/agent/cancel/${cycle}`],
      ['DELETE', `/operations/${cycle}`],
      ['GET', '/operations'],
      ['GET', `/operations/${cycle}`],
      ['GET', `/operations/${cycle}/children`],
      ['GET', `/operations/${cycle}/artifacts`],
      ['GET', `/operations/${cycle}/events`],
      ['GET', '/agent/status'],
      ['GET', '/agent/budget'],
    ];
    for (const [method, path, body] of routes) {
      const res = await timed(method, path, body);
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 503 });
      expect(res.body).toMatchObject({ success: false, error: { code: 'BACKEND_UNAVAILABLE', message: expect.stringMatching(/^Redis is unreachable: /) } });
      // "At once": no waiting for reconnect attempts (each used to add seconds).
      expect({ method, path, fast: res.ms < 1500 }).toEqual({ method, path, fast: true });
    }
    const health = await timed('GET', '/health');
    expect(health.status).toBe(503);
    // No store count, and no longer a wait for one, when Redis is gone.
    expect(health.body).not.toHaveProperty('store');
    expect(health.ms).toBeLessThan(1500);
    expect(stack.api.output()).not.toMatch(/"stack":/);
  });
});
