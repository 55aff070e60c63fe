/**
 * Watches a remote operation until it reaches a terminal status. It listens to the API's live
 * events (GET /operations/{id}/events, Server-Sent Events): each `update` is drawn, `end` carries
 * the terminal state. Only when the API refuses to stream (404/405, not an event stream: an older
 * API, a proxy) does it poll GET /operations/{id} (plus the cycle's active child) instead. A stream
 * that drops (API restart) is re-opened, and the server then sends the current state again. An
 * AbortSignal (Ctrl+C) ends the watch at once, even mid-request, mid-stream or mid-sleep.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errorFromBody, type ApiClient, type EventStreamOpening } from './api.client.js';
import { ApiError, ClientErrorCode } from './api.error.js';
import { OperationEventSchema, type OperationInfo } from '@ktrdr/api-contract';
import { activeChildId, isTerminal } from './output.format.js';
import type { ProgressSnapshot } from './progress.renderer.js';
import { SseParser } from './sse.parser.js';

export const DEFAULT_FOLLOW_INTERVAL_MS = 300;
/** Consecutive transient failures (API restarting, a timeout) tolerated before giving up. */
const MAX_TRANSIENT_FAILURES = 10;

export type FollowOutcome = { kind: 'terminal'; operation: OperationInfo } | { kind: 'interrupted'; operation: OperationInfo | null };

export interface FollowOptions {
  signal: AbortSignal;
  /** Between polls, and before re-opening a dropped stream. */
  intervalMs?: number;
  onUpdate?: (snapshot: ProgressSnapshot) => void;
  /** A stream silent this long (no event, no heartbeat) counts as dropped. */
  streamIdleMs?: number;
}

/** Three of the server's 15 s heartbeats: a connection silent longer than this is dead. */
export const DEFAULT_STREAM_IDLE_MS = 45_000;

export function followIntervalFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = Number(env['KTRDR_FOLLOW_INTERVAL_MS']);
  return Number.isFinite(raw) && raw >= 50 ? raw : DEFAULT_FOLLOW_INTERVAL_MS;
}

export async function followOperation(client: ApiClient, operationId: string, options: FollowOptions): Promise<FollowOutcome> {
  const streamed = await followStream(client, operationId, options);
  return streamed.kind === 'fallback' ? pollOperation(client, operationId, options) : streamed;
}

type StreamOutcome = FollowOutcome | { kind: 'fallback' };

async function followStream(client: ApiClient, operationId: string, options: FollowOptions): Promise<StreamOutcome> {
  const { signal } = options;
  const intervalMs = options.intervalMs ?? DEFAULT_FOLLOW_INTERVAL_MS;
  let last: OperationInfo | null = null;
  let failures = 0;

  while (!signal.aborted) {
    let opening: EventStreamOpening;
    try {
      opening = await client.openEventStream(operationId, signal);
    } catch (error) {
      if (signal.aborted) break;
      // Nothing seen yet: polling reports the failure exactly as it always has (one clear line).
      if (last === null) return { kind: 'fallback' };
      if (!isTransient(error) || ++failures > MAX_TRANSIENT_FAILURES) throw error;
      if (!(await pause(intervalMs, signal))) break;
      continue;
    }
    if (opening.kind === 'refused') return { kind: 'fallback' };

    let read: 'end' | 'dropped' | 'aborted';
    try {
      read = await readStream(opening, signal, options.streamIdleMs ?? DEFAULT_STREAM_IDLE_MS, (event, snapshot) => {
        last = snapshot.op;
        failures = 0;
        // As when polling: the terminal state is drawn without a child.
        options.onUpdate?.(event === 'end' ? { op: snapshot.op, child: null } : snapshot);
      });
    } catch (error) {
      // An `error` event: Redis briefly unreachable behind the API is worth another try.
      if (last === null || !isTransient(error) || ++failures > MAX_TRANSIENT_FAILURES) throw error;
      if (!(await pause(intervalMs, signal))) break;
      continue;
    }
    if (read === 'end') return { kind: 'terminal', operation: last! };
    if (read === 'aborted' || signal.aborted) break;
    // Dropped (API restart, idle connection): re-open; the server starts with the current state.
    if (++failures > MAX_TRANSIENT_FAILURES) {
      throw new ApiError(ClientErrorCode.Unreachable, null, `lost the event stream of ${operationId} from ${client.baseUrl}`);
    }
    if (!(await pause(intervalMs, signal))) break;
  }
  return { kind: 'interrupted', operation: last };
}

/** Reads one opened stream to its end event, a drop, or the abort; an `error` event is thrown. */
async function readStream(
  opening: Extract<EventStreamOpening, { kind: 'stream' }>,
  signal: AbortSignal,
  idleMs: number,
  onEvent: (event: 'update' | 'end', snapshot: ProgressSnapshot) => void,
): Promise<'end' | 'dropped' | 'aborted'> {
  const reader = opening.body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  let idle: NodeJS.Timeout | null = null;
  const armIdle = (): void => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => opening.close(), idleMs);
  };
  try {
    armIdle();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return 'dropped';
      armIdle();
      for (const message of parser.push(decoder.decode(value, { stream: true }))) {
        if (message.event === 'error') throw streamError(message.data);
        if (message.event !== 'update' && message.event !== 'end') continue;
        const parsed = OperationEventSchema.safeParse(safeJson(message.data));
        if (!parsed.success) {
          throw new ApiError(
            ClientErrorCode.BadResponse,
            200,
            `unexpected event from the ktrdr API: ${parsed.error.issues[0]?.message ?? 'invalid shape'}`,
            message.data.slice(0, 500),
          );
        }
        onEvent(message.event, { op: parsed.data.operation, child: parsed.data.child });
        if (message.event === 'end') return 'end';
      }
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    return signal.aborted ? 'aborted' : 'dropped';
  } finally {
    if (idle) clearTimeout(idle);
    opening.close();
  }
}

/** The `error` event carries the API's error envelope; its code decides whether a retry can help. */
function streamError(data: string): ApiError {
  const body = safeJson(data);
  const code = (body as { error?: { code?: string } } | null)?.error?.code;
  const status = code === 'OPERATION_NOT_FOUND' ? 404 : code === 'BACKEND_UNAVAILABLE' ? 503 : 500;
  return errorFromBody(status, body);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Sleeps unless aborted; false when aborted. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** The fallback: polls GET /operations/{id} (and the cycle's active child) between sleeps. */
async function pollOperation(client: ApiClient, operationId: string, options: FollowOptions): Promise<FollowOutcome> {
  const { signal } = options;
  const intervalMs = options.intervalMs ?? DEFAULT_FOLLOW_INTERVAL_MS;
  let last: OperationInfo | null = null;
  let transientFailures = 0;

  while (!signal.aborted) {
    try {
      const op = await client.getOperation(operationId, signal);
      const child = isTerminal(op.status) ? null : await fetchChild(client, op, signal);
      last = op;
      transientFailures = 0;
      options.onUpdate?.({ op, child });
      if (isTerminal(op.status)) return { kind: 'terminal', operation: op };
    } catch (error) {
      if (signal.aborted) break;
      // Before the first answer an error is reported at once; later ones may be a restart in progress.
      if (!isTransient(error) || last === null || ++transientFailures > MAX_TRANSIENT_FAILURES) throw error;
    }
    try {
      await sleep(intervalMs, undefined, { signal });
    } catch {
      break; // aborted while sleeping
    }
  }
  return { kind: 'interrupted', operation: last };
}

async function fetchChild(client: ApiClient, op: OperationInfo, signal: AbortSignal): Promise<OperationInfo | null> {
  const childId = activeChildId(op);
  if (!childId) return null;
  try {
    return await client.getOperation(childId, signal);
  } catch (error) {
    // The child may be being created or cleaned up; the parent's own progress is still shown.
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

function isTransient(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  if (error.code === ClientErrorCode.Unreachable || error.code === ClientErrorCode.Timeout) return true;
  return error.status !== null && (error.status >= 500 || error.status === 429);
}
