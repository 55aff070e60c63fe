import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { BlobStore, type BlobUsage } from '@ktrdr/operations';
import { eventually, freePort, repoRoot, startStack, type Stack } from '../../../tools/testing/stack.harness';

type Envelope = { success: boolean; error?: { code: string; message: string; details?: { errors?: Array<{ field: string; message: string }> } } };

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const UNKNOWN = 'op_training_20260101_000000_deadbeef';

async function raw(method: string, path: string, body: string, contentType = 'application/json') {
  const res = await fetch(`${stack.apiUrl}/api/v1${path}`, { method, headers: { 'content-type': contentType }, body });
  return { status: res.status, body: (await res.json()) as Envelope };
}

describe('API: health and docs', () => {
  it('GET /health is 200 with Redis and queue state', async () => {
    const res = await stack.request<{ status: string; redis: { connected: boolean }; queues: Record<string, unknown> }>('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body.redis.connected).toBe(true);
    expect(Object.keys(res.body.queues).sort()).toEqual(['assessment', 'backtest', 'design', 'fold', 'research', 'training']);
  });

  it('GET /health counts what the blob store holds, as BlobStore.usage() of the same prefix does, and the memory Redis uses', async () => {
    type HealthBody = { status: string; redis: { used_memory_bytes?: number }; store: BlobUsage | null };
    // One count serves health for a couple of seconds: wait until it agrees with the store itself.
    const settled = (what: string): Promise<{ status: number; body: HealthBody }> =>
      eventually(
        async () => {
          const res = await stack.request<HealthBody>('GET', '/health');
          return isDeepStrictEqual(res.body.store, await new BlobStore(stack.redis, stack.prefix).usage()) ? res : undefined;
        },
        what,
        10_000,
        100,
      );
    const before = (await settled('health to count the store')).body;
    // The shipped strategies were imported into the store as the API started.
    expect(before.store?.by_kind['strategy']?.blobs).toBeGreaterThan(0);
    expect(before.redis.used_memory_bytes).toEqual(expect.any(Number));

    const yaml = readFileSync(join(repoRoot(), 'strategies', 'v3_minimal.yaml'), 'utf8').replace(/^name: .*$/m, 'name: health_counts_me');
    expect((await stack.request('POST', '/strategies', { yaml })).status).toBe(201);

    const res = await settled('health to count the import');
    expect(res.status).toBe(200);
    const strategy = (u: BlobUsage | null) => u?.by_kind['strategy'] ?? { blobs: 0, bytes: 0 };
    expect(strategy(res.body.store)).toEqual({ blobs: strategy(before.store).blobs + 1, bytes: strategy(before.store).bytes + Buffer.byteLength(yaml) });
    expect(res.body.store).toMatchObject({ blobs: before.store!.blobs + 1, bytes: before.store!.bytes + Buffer.byteLength(yaml) });
  });

  it('serves the OpenAPI document at /api/docs', async () => {
    const res = await fetch(`${stack.apiUrl}/api/docs/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/operations', '/api/v1/operations/{id}', '/api/v1/agent/trigger', '/api/v1/health']),
    );
    expect((await fetch(`${stack.apiUrl}/api/docs`)).status).toBe(200);
  });
});

describe('API: bad input on every operations route is a 4xx with the envelope', () => {
  const cases: Array<[string, string, string, number, string]> = [
    ['GET', '/operations/' + UNKNOWN, '', 404, 'OPERATION_NOT_FOUND'],
    ['GET', '/operations/../../etc/passwd', '', 404, 'ROUTE_NOT_FOUND'],
    ['GET', '/operations/%00%ff', '', 400, 'BAD_REQUEST'],
    ['GET', '/operations/' + 'x'.repeat(5000), '', 404, 'OPERATION_NOT_FOUND'],
    ['GET', `/operations/${UNKNOWN}/children`, '', 404, 'OPERATION_NOT_FOUND'],
    ['DELETE', '/operations/' + UNKNOWN, '', 404, 'OPERATION_NOT_FOUND'],
    ['GET', '/operations?limit=0', '', 422, 'VALIDATION_FAILED'],
    ['GET', '/operations?limit=1001', '', 422, 'VALIDATION_FAILED'],
    ['GET', '/operations?limit=99999999999999999999', '', 422, 'VALIDATION_FAILED'],
    ['GET', '/operations?limit=abc', '', 422, 'VALIDATION_FAILED'],
    ['GET', '/operations?offset=-1', '', 422, 'VALIDATION_FAILED'],
    ['GET', '/operations?status=done', '', 422, 'VALIDATION_FAILED'],
    ['GET', '/operations?operation_type=x', '', 422, 'VALIDATION_FAILED'],
    ['GET', '/operations?active_only=maybe', '', 422, 'VALIDATION_FAILED'],
    ['GET', '/operations?limit=1&limit=2', '', 422, 'VALIDATION_FAILED'],
  ];

  it.each(cases.map(([m, p, b, s, c]) => [m, p.length > 80 ? `${p.slice(0, 40)}…(${p.length} chars)` : p, b, s, c, p] as const))(
    '%s %s → %d',
    async (method, _label, _body, status, code, path) => {
      const res = await stack.request<Envelope>(method, path);
      expect(res.status).toBe(status);
      expect(res.body.success).toBe(false);
      expect(res.body.error?.code).toBe(code);
      expect(res.body.error?.message).toBeTruthy();
    },
  );

  it('names every bad query field at once', async () => {
    const res = await stack.request<Envelope>('GET', '/operations?limit=5000&offset=-3&status=nope');
    expect(res.status).toBe(422);
    expect(res.body.error?.details?.errors?.map((e) => e.field).sort()).toEqual(['limit', 'offset', 'status']);
  });

  it('answers 404 "Operation not found: {id}"', async () => {
    const res = await stack.request<Envelope>('GET', `/operations/${UNKNOWN}`);
    expect(res.body.error?.message).toBe(`Operation not found: ${UNKNOWN}`);
  });

  describe('DELETE /operations/{id} bodies', () => {
    let id: string;
    beforeAll(async () => {
      const t = await stack.request<{ operation_id: string }>('POST', '/agent/trigger');
      id = t.body.operation_id;
    });
    afterAll(async () => {
      await stack.request('DELETE', `/agent/cancel/${id}`);
    });

    it.each([
      ['malformed JSON', '{"reason":', 400, 'MALFORMED_JSON'],
      ['wrong type', '{"reason": 42}', 422, 'VALIDATION_FAILED'],
      ['unknown field', '{"why": "x"}', 422, 'VALIDATION_FAILED'],
      ['array body', '[1,2]', 422, 'VALIDATION_FAILED'],
      ['oversized body', JSON.stringify({ reason: 'x'.repeat(200_000) }), 413, 'PAYLOAD_TOO_LARGE'],
    ])('%s → %d', async (_name, body, status, code) => {
      const res = await raw('DELETE', `/operations/${id}`, body);
      expect(res.status).toBe(status);
      expect(res.body.error?.code).toBe(code);
      // Nothing was corrupted: the cycle is still active.
      const op = await stack.request<{ data: { status: string } }>('GET', `/operations/${id}`);
      expect(['pending', 'running']).toContain(op.body.data.status);
    });
  });

  it('GET /operations lists with the documented summary fields and counts', async () => {
    const res = await stack.request<{ success: boolean; data: Array<Record<string, unknown>>; total_count: number; active_count: number }>(
      'GET',
      '/operations?limit=1000',
    );
    expect(res.status).toBe(200);
    expect(res.body.total_count).toBeGreaterThanOrEqual(1);
    expect(Object.keys(res.body.data[0]!).sort()).toEqual([
      'created_at',
      'current_step',
      'duration_seconds',
      'operation_id',
      'operation_type',
      'progress_percentage',
      'status',
    ]);
  });
});

describe('API: bad input on agent routes', () => {
  it.each([
    ['malformed JSON', '{bad', 400, 'MALFORMED_JSON'],
    ['bad model', '{"model":"gpt-4"}', 422, 'VALIDATION_FAILED'],
    ['wrong type', '{"bypass_gates":"yes"}', 422, 'VALIDATION_FAILED'],
    ['brief and strategy', '{"brief":"x","strategy":"v3_minimal"}', 422, 'VALIDATION_FAILED'],
    ['hostile strategy', '{"strategy":"../../etc/passwd"}', 422, 'VALIDATION_FAILED'],
    ['unknown strategy', '{"strategy":"does_not_exist"}', 422, 'STRATEGY_NOT_FOUND'],
    ['not an object', '"hello"', 422, 'VALIDATION_FAILED'],
    ['oversized', JSON.stringify({ brief: 'x'.repeat(300_000) }), 413, 'PAYLOAD_TOO_LARGE'],
  ])('POST /agent/trigger with %s → %d', async (_n, body, status, code) => {
    const res = await raw('POST', '/agent/trigger', body);
    expect(res.status).toBe(status);
    expect(res.body.error?.code).toBe(code);
  });

  it('refuses an oversized body sent in chunks (no Content-Length to judge it by) with 413', async () => {
    const chunk = new TextEncoder().encode(`{"brief":"${'x'.repeat(150_000)}`);
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(chunk);
        c.enqueue(new TextEncoder().encode('"}'));
        c.close();
      },
    });
    const res = await fetch(`${stack.apiUrl}/api/v1/agent/trigger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as Envelope).error?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('stops reading a chunked body of another content type soon after the route limit and closes the connection', async () => {
    const { connect } = await import('node:net');
    const url = new URL(stack.apiUrl);
    // A raw socket: what the server wrote stays readable even when it closes while we still send
    // (an HTTP client may then report only the broken pipe).
    const answer = await new Promise<{ response: string; sent: number; closedByServer: boolean }>((resolve) => {
      const socket = connect(Number(url.port), url.hostname);
      let response = '';
      let sent = 0;
      let done = false;
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
      socket.on('data', (d: Buffer) => (response += d.toString()));
      socket.on('error', () => undefined); // EPIPE / ECONNRESET once the server has closed: expected
      socket.on('close', () => resolve({ response, sent, closedByServer: !done }));
      // Keeps sending until the server closes: 64 MB would be more than any route's limit.
      const pump = (): void => {
        if (socket.destroyed) return;
        if (sent > 64 * 1024 * 1024) {
          done = true;
          return void socket.end('0\r\n\r\n');
        }
        sent += chunk.length;
        socket.write(frame, () => setImmediate(pump));
      };
      socket.on('connect', () => {
        socket.write(`POST /api/v1/agent/trigger HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n`);
        pump();
      });
    });
    expect(answer.closedByServer).toBe(true);
    // Stopped reading long before the import route's 50 MB limit (sockets buffer a few MB at most).
    expect(answer.sent).toBeLessThan(16 * 1024 * 1024);
    // What it answered before closing: the 413, saying it closes. (When the server's close meets
    // bytes still in flight, its TCP reset may make the client's kernel drop the unread answer, so
    // an empty answer can happen on a loaded machine; any answer that arrives must be this one.)
    if (answer.response !== '') {
      expect(answer.response).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer.response.toLowerCase()).toContain('connection: close');
    }
  });

  it('reads a body of another content type as no body: the route names what is missing', async () => {
    const res = await raw('POST', '/data/import', 'symbol=X', 'application/x-www-form-urlencoded');
    expect(res.status).toBe(422);
    expect(res.body.error?.code).toBe('VALIDATION_FAILED');
  });

  it('lists the valid models when the model is bad', async () => {
    const res = await raw('POST', '/agent/trigger', '{"model":"gpt-4"}');
    expect(res.body.error?.message).toContain('opus, sonnet, haiku');
  });

  it('answers an unknown strategy with "Strategy not found: {name}"', async () => {
    const res = await raw('POST', '/agent/trigger', '{"strategy":"does_not_exist"}');
    expect(res.body.error?.message).toBe('Strategy not found: does_not_exist');
  });

  it('DELETE /agent/cancel/{id}: unknown → 404 not_found, not a cycle → 422 not_research', async () => {
    const unknown = await stack.request<{ reason: string; success: boolean }>('DELETE', `/agent/cancel/${UNKNOWN}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ success: false, reason: 'not_found' });
    const t = await stack.request<{ operation_id: string }>('POST', '/agent/trigger', { bypass_gates: true });
    const parent = t.body.operation_id;
    const status = await waitForChild(parent);
    const notResearch = await stack.request<{ reason: string }>('DELETE', `/agent/cancel/${status}`);
    expect(notResearch.status).toBe(422);
    expect(notResearch.body.reason).toBe('not_research');
    expect((await stack.request('DELETE', `/agent/cancel/${parent}`)).status).toBe(200);
    // The record says which route cancelled it.
    const op = await stack.request<{ data: { cancelled_by: string | null } }>('GET', `/operations/${parent}`);
    expect(op.body.data.cancelled_by).toBe('DELETE /api/v1/agent/cancel/{id}');
  });

  it('DELETE /agent/cancel/{id}: an id that cannot be an operation id is 404 not_found like an unknown one', async () => {
    for (const bad of ['not-an-id', 'op_agent_research_1', 'x'.repeat(300)]) {
      const res = await stack.request<{ reason: string; success: boolean; error: { code: string } }>('DELETE', `/agent/cancel/${bad}`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ success: false, reason: 'not_found', error: { code: 'OPERATION_NOT_FOUND' } });
    }
  });
});

function waitForChild(parent: string): Promise<string> {
  return eventually(
    async () => {
      const s = await stack.request<{ child_operation_id: string | null; operation_id: string }>('GET', '/agent/status');
      return s.body.operation_id === parent && s.body.child_operation_id ? s.body.child_operation_id : undefined;
    },
    `a child of ${parent}`,
    10_000,
    20,
  );
}

describe('API without Redis', () => {
  it('health is 503 and data routes are 503 with the envelope, never 500', async () => {
    const { spawn } = await import('node:child_process');
    const { repoRoot } = await import('../../../tools/testing/stack.harness');
    const port = await freePort();
    const deadPort = await freePort();
    const child = spawn(process.execPath, [`${repoRoot()}/apps/api/dist/main.js`], {
      env: {
        PATH: process.env['PATH'],
        REDIS_URL: `redis://127.0.0.1:${deadPort}`,
        KTRDR_API_PORT: String(port),
        KTRDR_API_HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });
    try {
      // Polls until the API listens (any answer); what it answers is the test.
      const health = await eventually(() => fetch(`http://127.0.0.1:${port}/api/v1/health`).catch(() => undefined), 'the API to listen', 10_000, 100);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ success: false, redis: { connected: false } });
      const list = await fetch(`http://127.0.0.1:${port}/api/v1/operations`);
      expect(list.status).toBe(503);
      expect(await list.json()).toMatchObject({ success: false, error: { code: 'BACKEND_UNAVAILABLE' } });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses to boot with bad configuration, listing every bad variable', async () => {
    const { spawnSync } = await import('node:child_process');
    const { repoRoot } = await import('../../../tools/testing/stack.harness');
    const res = spawnSync(process.execPath, [`${repoRoot()}/apps/api/dist/main.js`], {
      env: { PATH: process.env['PATH'], REDIS_URL: 'not a url', KTRDR_API_PORT: 'eighty', KTRDR_MAX_CONCURRENT_CYCLES: '0' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('REDIS_URL');
    expect(res.stderr).toContain('KTRDR_API_PORT');
    expect(res.stderr).toContain('KTRDR_MAX_CONCURRENT_CYCLES');
  });
});
