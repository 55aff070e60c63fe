import { ErrorCode } from '@ktrdr/errors';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient } from './api.client';
import { ApiError } from './api.error';
import { followOperation } from './follow.runner';
import type { ProgressSnapshot } from './progress.renderer';

/**
 * followOperation against a real HTTP server that plays the API: it records every request, so the
 * tests can tell a followed stream (one GET /events, no polling) from the polling fallback.
 */

const ID = 'op_agent_research_20260101_000000_0000abcd';
const CHILD = 'op_training_20260101_000001_0000abce';

function op(status: string, pct: number, step: string | null, params: Record<string, unknown> = {}, id = ID, type = 'agent_research') {
  return {
    operation_id: id,
    operation_type: type,
    status,
    parent_operation_id: id === ID ? null : ID,
    created_at: '2026-01-01T00:00:00.000Z',
    started_at: null,
    completed_at: null,
    progress: { percentage: pct, current_step: step, steps_completed: 0, steps_total: 0 },
    metadata: { parameters: params },
    result_summary: null,
    error_message: null,
  };
}

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

let server: Server;
let requests: string[];
let handler: Handler;
let client: ApiClient;

beforeEach(async () => {
  requests = [];
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res, requests.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  client = new ApiClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, timeoutMs: 5000 });
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function sse(res: ServerResponse): (event: string, data: unknown) => void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(': connected\n\n');
  return (event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const running = op('running', 20, 'Training model...', { phase: 'training', training_op_id: CHILD });
const child = op('running', 30, 'Epoch 3/10', {}, CHILD, 'training');
const done = op('completed', 100, 'Complete', { phase: 'assessing' });

describe('followOperation', () => {
  it('follows the event stream: every update drawn, the end is terminal, and nothing is polled', async () => {
    handler = (req, res) => {
      if (!req.url!.endsWith('/events')) return json(res, 500, {});
      const send = sse(res);
      send('update', { operation: running, child: null });
      setTimeout(() => send('update', { operation: running, child }), 20);
      setTimeout(() => {
        send('end', { operation: done, child });
        res.end();
      }, 40);
    };
    const seen: ProgressSnapshot[] = [];
    const out = await followOperation(client, ID, { signal: new AbortController().signal, intervalMs: 50, onUpdate: (s) => seen.push(s) });
    expect(out).toMatchObject({ kind: 'terminal', operation: { status: 'completed' } });
    expect(seen.map((s) => [s.op.progress.current_step, s.child?.progress.current_step ?? null])).toEqual([
      ['Training model...', null],
      ['Training model...', 'Epoch 3/10'],
      ['Complete', null],
    ]);
    expect(requests).toEqual([`GET /api/v1/operations/${ID}/events`]);
  });

  it.each([
    ['404', (res: ServerResponse) => json(res, 404, { success: false, error: { code: ErrorCode.RouteNotFound, message: 'Cannot GET' } })],
    ['405', (res: ServerResponse) => json(res, 405, {})],
    ['200 that is not an event stream', (res: ServerResponse) => json(res, 200, { hello: 'proxy' })],
  ])('falls back to polling when the stream is refused (%s)', async (_label, refuse) => {
    let polls = 0;
    handler = (req, res) => {
      if (req.url!.endsWith('/events')) return refuse(res);
      if (req.url!.includes(CHILD)) return json(res, 200, { success: true, data: child });
      polls++;
      json(res, 200, { success: true, data: polls < 3 ? running : done });
    };
    const seen: ProgressSnapshot[] = [];
    const out = await followOperation(client, ID, { signal: new AbortController().signal, intervalMs: 10, onUpdate: (s) => seen.push(s) });
    expect(out).toMatchObject({ kind: 'terminal', operation: { status: 'completed' } });
    expect(requests[0]).toBe(`GET /api/v1/operations/${ID}/events`);
    expect(requests.filter((r) => r === `GET /api/v1/operations/${ID}`)).toHaveLength(3);
    expect(seen.at(0)).toMatchObject({ op: { status: 'running' }, child: { operation_id: CHILD } });
    expect(seen.at(-1)).toMatchObject({ op: { status: 'completed' }, child: null });
  });

  it('an unknown operation reports the API message, as polling always did', async () => {
    const notFound = { success: false, error: { code: ErrorCode.OperationNotFound, message: `Operation not found: ${ID}` } };
    handler = (_req, res) => json(res, 404, notFound);
    const err = await followOperation(client, ID, { signal: new AbortController().signal, intervalMs: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 404, message: `Operation not found: ${ID}` });
  });

  it('re-opens a stream that dropped mid-way and continues from the state the server sends', async () => {
    handler = (req, res, n) => {
      const send = sse(res);
      if (n === 1) {
        send('update', { operation: running, child: null });
        setTimeout(() => res.destroy(), 20); // the API restarts
      } else {
        send('end', { operation: done, child: null });
        res.end();
      }
    };
    const out = await followOperation(client, ID, { signal: new AbortController().signal, intervalMs: 10 });
    expect(out).toMatchObject({ kind: 'terminal', operation: { status: 'completed' } });
    expect(requests).toEqual([`GET /api/v1/operations/${ID}/events`, `GET /api/v1/operations/${ID}/events`]);
  });

  it('a stream silent past the idle limit (no heartbeat) counts as dropped and is re-opened', async () => {
    handler = (_req, res, n) => {
      const send = sse(res);
      if (n === 1)
        send('update', { operation: running, child: null }); // then silence
      else {
        send('end', { operation: done, child: null });
        res.end();
      }
    };
    const out = await followOperation(client, ID, { signal: new AbortController().signal, intervalMs: 10, streamIdleMs: 100 });
    expect(out.kind).toBe('terminal');
    expect(requests).toHaveLength(2);
  });

  it('an error event ends the follow with the API message', async () => {
    handler = (_req, res) => {
      const send = sse(res);
      send('update', { operation: running, child: null });
      send('error', { success: false, error: { code: ErrorCode.OperationNotFound, message: `Operation not found: ${ID}` } });
      res.end();
    };
    const err = await followOperation(client, ID, { signal: new AbortController().signal, intervalMs: 10 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404, message: `Operation not found: ${ID}` });
  });

  it('Ctrl+C mid-stream ends at once with the last state seen', async () => {
    handler = (_req, res) => sse(res)('update', { operation: running, child: null });
    const controller = new AbortController();
    const out = await followOperation(client, ID, {
      signal: controller.signal,
      intervalMs: 10,
      onUpdate: () => setTimeout(() => controller.abort(), 10),
    });
    expect(out).toMatchObject({ kind: 'interrupted', operation: { status: 'running' } });
    expect(requests).toHaveLength(1);
  });
});
