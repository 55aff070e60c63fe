import 'reflect-metadata';
import { ArtifactStore, OperationsStore, type OperationInfo } from '@ktrdr/operations';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import { loadApiConfig } from './api.config';
import { EventsService } from './events.service';
import { createHttpApp } from './http.app';
import { eventually } from '../../../tools/testing/stack.harness';
import { readSseEvents, type SseEvent } from '../../../tools/testing/sse.reader';

/**
 * The artifact and event routes in-process (the real Nest app on a real Redis, over real HTTP), where
 * the event service's own counters can be read: a stream that ends or a client that leaves must
 * leave no listener, no open-stream entry and no subscription behind.
 */

const prefix = `it_api_ev_${process.pid}_${Date.now()}`;
let app: INestApplication;
let base: string;
let redis: Redis;
let store: OperationsStore;
let events: EventsService;

beforeAll(async () => {
  const config = loadApiConfig({
    REDIS_URL: process.env['REDIS_URL'],
    KTRDR_KEY_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    KTRDR_API_DOCS: 'false',
    KTRDR_SSE_HEARTBEAT_MS: '50',
    KTRDR_EVENTS_COALESCE_MS: '0',
    KTRDR_ARTIFACT_MAX_MB: '1',
  });
  app = await createHttpApp(config);
  await app.listen(0, '127.0.0.1');
  base = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/api/v1`;
  redis = new Redis(process.env['REDIS_URL']!);
  store = new OperationsStore(redis, prefix);
  events = app.get(EventsService);
});

afterAll(async () => {
  await app?.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

/** The response's events; `comments` counts its comment lines (heartbeats). */
const sse = (res: Response, comments: { count: number }) => readSseEvents(res.body as unknown as AsyncIterable<Uint8Array>, () => comments.count++);

/** Waits for a probe with this spec's short deadline and tight poll (the SSE heartbeat is 50 ms here). */
const until = <T>(probe: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> => eventually(probe, what, 5000, 10);

async function numsub(): Promise<number> {
  const reply = (await redis.call('PUBSUB', 'NUMSUB', store.keys.eventsChannel())) as [string, number];
  return Number(reply[1]);
}

const idle = { clients: 0, hub: { listeners: 0, ids: 0, subscribed: false } };

describe('GET /operations/{id}/artifacts[/{name}]', () => {
  let op: string;
  beforeAll(async () => {
    op = (await store.create({ type: 'backtesting' })).operation_id;
    const artifacts = new ArtifactStore(redis, prefix);
    await artifacts.putAll(op, { equity: { t: [1, 2], equity: [100, 101], benchmark: [100, 99], trades: [] }, strategy: { name: 's' } });
  });

  it('lists the names in catalogue order', async () => {
    const res = await fetch(`${base}/operations/${op}/artifacts`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, data: { operation_id: op, artifacts: ['strategy', 'equity'] } });
  });

  it('serves one artifact as JSON inside the envelope', async () => {
    const res = await fetch(`${base}/operations/${op}/artifacts/equity`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ success: true, data: { t: [1, 2], equity: [100, 101], benchmark: [100, 99], trades: [] } });
  });

  it('answers a known operation without it 404 Artifact not found, an unknown name 422, an unknown operation 404', async () => {
    const missing = await fetch(`${base}/operations/${op}/artifacts/history`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      success: false,
      error: { code: 'ARTIFACT_NOT_FOUND', message: 'Artifact not found: history', details: { operation_id: op, artifact: 'history' } },
    });

    const bad = await fetch(`${base}/operations/${op}/artifacts/weights`);
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: { errors: [{ field: 'name', message: 'expected one of strategy, history, equity, assessment, returns' }] } },
    });

    const unknown = 'op_training_20260101_000000_deadbeef';
    for (const path of [`/operations/${unknown}/artifacts`, `/operations/${unknown}/artifacts/history`, '/operations/not-an-id/artifacts']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^Operation not found: /);
    }
    const known = await fetch(`${base}/operations/${op}/artifacts`);
    expect(known.status).toBe(200);
  });
});

describe('GET /operations/{id}/events', () => {
  it('streams the state on connect, each change, heartbeats, and ends with the terminal state', async () => {
    const op = (await store.create({ type: 'training' })).operation_id;
    const res = await fetch(`${base}/operations/${op}/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const comments = { count: 0 };
    const seen: Array<{ event: string; status: string; step: string | null | undefined }> = [];
    const reader = (async () => {
      for await (const ev of sse(res, comments)) {
        const { operation } = JSON.parse(ev.data) as { operation: OperationInfo };
        seen.push({ event: ev.event, status: operation.status, step: operation.progress.current_step });
      }
    })();
    await until(() => (seen.length === 1 ? true : undefined), 'the first event');
    await store.start(op);
    await until(() => (seen.length === 2 ? true : undefined), 'running');
    // Heartbeats arrive while nothing changes.
    await until(() => (comments.count >= 3 ? true : undefined), 'heartbeats');
    await store.update(op, { progress: { percentage: 50, current_step: 'Epoch 5/10', steps_completed: 5, steps_total: 10 } });
    await until(() => (seen.length === 3 ? true : undefined), 'progress');
    await store.complete(op, { accuracy: 0.6 });
    await reader; // the server closes the stream after the end event
    expect(seen).toEqual([
      { event: 'update', status: 'pending', step: null },
      { event: 'update', status: 'running', step: null },
      { event: 'update', status: 'running', step: 'Epoch 5/10' },
      { event: 'end', status: 'completed', step: 'Epoch 5/10' },
    ]);
    await until(() => (JSON.stringify(events.stats()) === JSON.stringify(idle) ? true : undefined), 'the service back to idle');
    expect(await numsub()).toBe(0);
  });

  it('a client that disconnects mid-stream leaves no listener, stream or subscription behind', async () => {
    const op = (await store.create({ type: 'training' })).operation_id;
    expect(events.stats()).toEqual(idle);
    const clients = [new AbortController(), new AbortController(), new AbortController()];
    const responses = await Promise.all(clients.map((c) => fetch(`${base}/operations/${op}/events`, { signal: c.signal })));
    const firsts = responses.map((r) => sse(r, { count: 0 }).next());
    await Promise.all(firsts);
    expect(events.stats()).toEqual({ clients: 3, hub: { listeners: 3, ids: 1, subscribed: true } });
    expect(await numsub()).toBe(1);
    clients.forEach((c) => c.abort());
    await until(() => (JSON.stringify(events.stats()) === JSON.stringify(idle) ? true : undefined), 'the service back to idle');
    expect(await numsub()).toBe(0);
    // Changes after the clients left are harmless.
    await store.start(op);
    await store.cancel(op, { reason: 'r', childReason: 'c', source: 'test' });
  });

  it('an operation already terminal: one end event, then the stream closes', async () => {
    const op = (await store.create({ type: 'training' })).operation_id;
    await store.cancel(op, { reason: 'Cancelled by user', childReason: 'c', source: 'test' });
    const res = await fetch(`${base}/operations/${op}/events`);
    const all: SseEvent[] = [];
    for await (const ev of sse(res, { count: 0 })) all.push(ev);
    expect(all.map((e) => e.event)).toEqual(['end']);
    expect(JSON.parse(all[0]!.data)).toMatchObject({
      operation: { operation_id: op, status: 'cancelled', cancellation_reason: 'Cancelled by user' },
      child: null,
    });
  });

  it('an unknown or malformed id is a plain 404 envelope, not a stream', async () => {
    for (const id of ['op_training_20260101_000000_deadbeef', 'nope']) {
      const res = await fetch(`${base}/operations/${id}/events`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toMatchObject({ success: false, error: { code: 'OPERATION_NOT_FOUND', message: `Operation not found: ${id}` } });
    }
    expect(events.stats().clients).toBe(0);
  });
});
