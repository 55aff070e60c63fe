import { openSse, type SseEvent } from '../../../tools/testing/sse.reader';
import { PHASE_TABLE } from '@ktrdr/api-contract';
import { eventually, startStack, type Stack } from '../../../tools/testing/stack.harness';
import { triggerCycle } from '../../../tools/testing/stack.requests';

/**
 * Live events end to end: the built API and research worker as separate processes on a
 * real Redis, stub phases, read over HTTP exactly as the CLI and the web view read them.
 */

interface Op {
  operation_id: string;
  operation_type: string;
  status: string;
  metadata: { parameters: Record<string, unknown> };
}
interface Payload {
  operation: Op;
  child: Op | null;
}

const ACTIVE_PHASES = ['designing', 'training', 'backtesting', 'assessing'];
const CHILD_TYPE: Record<string, string> = { designing: 'agent_design', training: 'training', backtesting: 'backtesting', assessing: 'agent_assessment' };
/** The parent parameter that holds each phase's child id. */
const CHILD_KEY: Record<string, string> = Object.fromEntries(Object.entries(PHASE_TABLE).map(([phase, row]) => [phase, row.childKey]));

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ workerEnv: { KTRDR_STUB_DELAY_MS: '300' }, apiEnv: { KTRDR_SSE_HEARTBEAT_MS: '100' } });
}, 60_000);
afterAll(async () => stack?.stop());

const eventsUrl = (id: string): string => `${stack.apiUrl}/api/v1/operations/${id}/events`;

const trigger = (): Promise<string> => triggerCycle(stack);

async function numsub(): Promise<number> {
  const reply = (await stack.redis.call('PUBSUB', 'NUMSUB', `${stack.prefix}:{ops}:events`)) as [string, number];
  return Number(reply[1]);
}

function payload(ev: SseEvent): Payload {
  return JSON.parse(ev.data) as Payload;
}

function phaseOf(p: Payload): string {
  return String(p.operation.metadata.parameters['phase']);
}

/** Consecutive duplicates removed: [a, a, b, a] → [a, b, a]. */
function runs<T>(xs: T[]): T[] {
  return xs.filter((x, i) => i === 0 || x !== xs[i - 1]);
}

describe('GET /operations/{id}/events on real processes', () => {
  let completedCycle: string;

  it('a cycle: every phase in order with its child, heartbeats, then the terminal state, and the server closes', async () => {
    const id = await trigger();
    const stream = await openSse(eventsUrl(id));
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    const all: SseEvent[] = [];
    for await (const ev of stream.events) all.push(ev); // ends only when the server closes

    const names = all.map((e) => e.event);
    expect(names.at(-1)).toBe('end');
    expect(names.slice(0, -1).every((n) => n === 'update')).toBe(true);
    const updates = all.slice(0, -1).map(payload);
    expect(runs(updates.map(phaseOf).filter((p) => ACTIVE_PHASES.includes(p)))).toEqual(ACTIVE_PHASES);
    // While a phase runs, the event names the child of that phase.
    for (const u of updates) {
      if (!ACTIVE_PHASES.includes(phaseOf(u)) || u.operation.status !== 'running') continue;
      expect(u.child?.operation_type).toBe(CHILD_TYPE[phaseOf(u)]);
      expect(u.child?.operation_id).toBe(u.operation.metadata.parameters[CHILD_KEY[phaseOf(u)]!]);
    }
    // Each child's own progress shows up too, not only the parent's phase changes.
    expect(updates.some((u) => u.child?.status === 'running')).toBe(true);
    expect(payload(all.at(-1)!).operation).toMatchObject({ operation_id: id, status: 'completed' });
    expect(stream.comments()).toBeGreaterThanOrEqual(3);
    completedCycle = id;
  });

  it('an operation already terminal: its state as the end event, then the stream closes', async () => {
    const stream = await openSse(eventsUrl(completedCycle));
    const all: SseEvent[] = [];
    for await (const ev of stream.events) all.push(ev);
    expect(all.map((e) => e.event)).toEqual(['end']);
    expect(payload(all[0]!).operation).toMatchObject({ operation_id: completedCycle, status: 'completed' });
  });

  it('a cancel mid-stream ends it with cancelled, parent and child', async () => {
    const id = await trigger();
    const stream = await openSse(eventsUrl(id));
    const all: SseEvent[] = [];
    let cancelled = false;
    for await (const ev of stream.events) {
      all.push(ev);
      if (!cancelled && ev.event === 'update' && phaseOf(payload(ev)) === 'training') {
        cancelled = true;
        const res = await stack.request('DELETE', '/agent/cancel');
        expect(res.status).toBe(200);
      }
    }
    expect(cancelled).toBe(true);
    const last = all.at(-1)!;
    expect(last.event).toBe('end');
    expect(payload(last).operation).toMatchObject({ operation_id: id, status: 'cancelled' });
    expect(payload(last).child).toMatchObject({ operation_type: 'training', status: 'cancelled' });
  });

  it('clients that disconnect mid-stream leave no subscription behind', async () => {
    await eventually(async () => ((await numsub()) === 0 ? true : undefined), 'no subscription before the test');
    const id = await trigger();
    const controllers = [new AbortController(), new AbortController(), new AbortController()];
    const streams = await Promise.all(controllers.map((c) => openSse(eventsUrl(id), c.signal)));
    await Promise.all(streams.map((s) => s.events.next()));
    // Three clients, one subscriber connection in the API.
    expect(await numsub()).toBe(1);
    controllers.forEach((c) => c.abort());
    await eventually(async () => ((await numsub()) === 0 ? true : undefined), 'the subscription released after the clients left', 5000);
    // The API still serves new streams afterwards.
    const again = await openSse(eventsUrl(id));
    expect((await again.events.next()).value?.event).toMatch(/^(update|end)$/);
    await again.events.return(undefined);
    expect((await stack.request('DELETE', '/agent/cancel')).status).toBe(200);
  });

  it('an unknown operation is a 404 envelope, not a stream', async () => {
    const res = await stack.request<{ error: { code: string; message: string } }>('GET', '/operations/op_training_20260101_000000_deadbeef/events');
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({
      code: 'OPERATION_NOT_FOUND',
      message: 'Operation not found: op_training_20260101_000000_deadbeef',
      details: { operation_id: 'op_training_20260101_000000_deadbeef' },
    });
  });
});
