import { eventually, startStack, type Stack } from '../../../tools/testing/stack.harness';

/**
 * Load and fuzz on the built API with a stub worker: sustained concurrent reads with
 * racing triggers and cancels must never produce a 5xx and must keep exactly one winner per race;
 * every documented route hit with random methods, ids, bodies and headers must never produce a 5xx.
 * KTRDR_LOAD_SECONDS shortens the 30 s load run for a quick local check.
 */

const LOAD_MS = Number(process.env['KTRDR_LOAD_SECONDS'] ?? 30) * 1000;
const READERS = 200;
const ACTORS = 50;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ apiEnv: { KTRDR_RATE_LIMIT: '0' }, workerEnv: { KTRDR_STUB_DELAY_MS: '150' } });
});
afterAll(async () => {
  await stack?.stop();
});

interface Hit {
  route: string;
  status: number;
  body: Record<string, unknown>;
}

async function hit(method: string, path: string, init: RequestInit = {}): Promise<Hit> {
  const res = await fetch(`${stack.apiUrl}${path}`, { method, ...init });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON: kept empty */
  }
  return { route: `${method} ${path}`, status: res.status, body };
}

/** A small seeded generator, so a failing fuzz case can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('load: 200 concurrent status reads with 50 concurrent triggers and cancels', () => {
  it(
    'no 5xx, one cycle at a time, at most one successful cancel per cycle',
    async () => {
      const deadline = Date.now() + LOAD_MS;
      const fiveHundreds: Hit[] = [];
      const started: string[] = [];
      const cancelWins = new Map<string, number>();
      let reads = 0;
      let lastId: string | null = null;
      const record = (h: Hit): Hit => {
        if (h.status >= 500) fiveHundreds.push(h);
        return h;
      };
      const reader = async (i: number): Promise<void> => {
        while (Date.now() < deadline) {
          if (i % 2 === 0 || !lastId) record(await hit('GET', '/api/v1/agent/status'));
          else record(await hit('GET', `/api/v1/operations/${lastId}`));
          reads++;
        }
      };
      const actor = async (i: number): Promise<void> => {
        while (Date.now() < deadline) {
          if (i % 2 === 0) {
            const t = record(await hit('POST', '/api/v1/agent/trigger', { headers: { 'content-type': 'application/json' }, body: '{}' }));
            if (t.status === 202) {
              started.push(t.body['operation_id'] as string);
              lastId = t.body['operation_id'] as string;
            } else expect([409]).toContain(t.status);
          } else {
            const c = record(await hit('DELETE', lastId && i % 4 === 1 ? `/api/v1/agent/cancel/${lastId}` : '/api/v1/agent/cancel'));
            if (c.status === 200) {
              const id = c.body['operation_id'] as string;
              cancelWins.set(id, (cancelWins.get(id) ?? 0) + 1);
            } else expect([404, 409]).toContain(c.status);
          }
        }
      };
      await Promise.all([...Array.from({ length: READERS }, (_, i) => reader(i)), ...Array.from({ length: ACTORS }, (_, i) => actor(i))]);

      expect(fiveHundreds.slice(0, 5)).toEqual([]);
      expect(reads).toBeGreaterThan(READERS);
      expect(started.length).toBeGreaterThan(1);
      // Exactly one winner per cancel race: no cycle was cancelled twice.
      for (const [id, wins] of cancelWins) expect({ id, wins }).toEqual({ id, wins: 1 });
      // Exactly one winner per trigger race (capacity 1): cycles never overlapped in time. Read once
      // every cycle the load started has ended (the last one may still be in its stub phases).
      type Cycle = { created_at: string; completed_at: string | null; status: string };
      const ops = await eventually(
        async () => {
          const read = await Promise.all(started.map(async (id) => (await hit('GET', `/api/v1/operations/${id}`)).body['data'] as Cycle));
          return read.every((op) => op.completed_at !== null) ? read : undefined;
        },
        'every cycle of the load to end',
        30_000,
        100,
      );
      ops.sort((a, b) => a.created_at.localeCompare(b.created_at));
      for (let i = 0; i + 1 < ops.length; i++) {
        expect(ops[i]!.completed_at).not.toBeNull();
        expect(Date.parse(ops[i]!.completed_at!)).toBeLessThanOrEqual(Date.parse(ops[i + 1]!.created_at));
      }
    },
    LOAD_MS + 60_000,
  );
});

describe('fuzz: every route with random methods, ids, bodies and headers', () => {
  it('never answers 5xx', async () => {
    const doc = (await hit('GET', '/api/docs/openapi.json')).body as { paths?: Record<string, unknown> };
    const paths = Object.keys(doc.paths ?? {});
    expect(paths.length).toBeGreaterThan(10);
    const rand = rng(20261127);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const ids = [
      'op_training_20260101_000000_deadbeef',
      'op_agent_research_20260101_000000_00000000',
      'x'.repeat(5000),
      '..%2F..%2Fetc%2Fpasswd',
      '%00',
      '%F0%9F%92%A9',
      'null',
      '-1',
      'op_agent_research_99999999_999999_zzzzzzzz',
      "'; DROP TABLE x; --",
      'strategy',
      'v3_minimal',
    ];
    const bodies: Array<string | undefined> = [
      undefined,
      '',
      '{',
      'null',
      '[]',
      '"x"',
      '12',
      '{"model": 5}',
      '{"brief": ' + JSON.stringify('y'.repeat(2000)) + '}',
      '{"strategy": "../../etc/passwd"}',
      '{"from_phase": "nope"}',
      '{"reason": {"a": [1,2,3]}}',
      '{"__proto__": {"polluted": true}}',
      '{"bypass_gates": "yes", "model": null}',
      JSON.stringify({ deep: JSON.parse('['.repeat(500) + ']'.repeat(500)) }),
      'z'.repeat(200_000),
    ];
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];
    const contentTypes = [
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      'text/csv',
    ];
    const failures: string[] = [];
    for (let n = 0; n < 700; n++) {
      const template = pick(paths);
      const path =
        template.replace(/\{[^}]+\}/g, () => pick(ids)) +
        (rand() < 0.3 ? `?limit=${pick(['-1', 'abc', '1e9', '5'])}&status=${pick(['running', 'x', ''])}&active_only=${pick(['true', 'maybe'])}` : '');
      const method = pick(methods);
      const body = method === 'GET' || method === 'HEAD' ? undefined : pick(bodies);
      const headers: Record<string, string> = { 'content-type': pick(contentTypes), accept: pick(['*/*', 'text/event-stream', 'application/xml']) };
      if (rand() < 0.2) headers['authorization'] = 'Bearer nonsense';
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), 5000);
      try {
        const res = await fetch(`${stack.apiUrl}${path}`, { method, headers, body, signal: ac.signal });
        if (res.status >= 500)
          failures.push(
            `${method} ${path.slice(0, 120)} [${headers['content-type']}] ${String(body).slice(0, 60)} → ${res.status} ${(await res.text()).slice(0, 200)}`,
          );
        else await res.body?.cancel();
      } catch (e) {
        // An event stream accepted and held open is a success; anything else is reported.
        if (!ac.signal.aborted) failures.push(`${method} ${path.slice(0, 120)} → ${(e as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    }
    expect(failures).toEqual([]);
    // The API is still healthy after all of it.
    expect((await hit('GET', '/api/v1/health')).status).toBe(200);
  });
});
