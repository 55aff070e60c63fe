/**
 * Watches a remote operation until it reaches a terminal status. The API has no push channel, so
 * this polls GET /operations/{id} (plus the cycle's active child) and sleeps between polls; an
 * AbortSignal (Ctrl+C) ends the watch at once, even mid-request or mid-sleep.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from './api.client.js';
import { ApiError, ClientErrorCode } from './api.error.js';
import type { OperationInfo } from './api.schemas.js';
import { activeChildId, isTerminal } from './output.format.js';
import type { ProgressSnapshot } from './progress.renderer.js';

export const DEFAULT_FOLLOW_INTERVAL_MS = 300;
/** Consecutive transient failures (API restarting, a timeout) tolerated before giving up. */
const MAX_TRANSIENT_FAILURES = 10;

export type FollowOutcome =
  | { kind: 'terminal'; operation: OperationInfo }
  | { kind: 'interrupted'; operation: OperationInfo | null };

export interface FollowOptions {
  signal: AbortSignal;
  intervalMs?: number;
  onUpdate?: (snapshot: ProgressSnapshot) => void;
}

export function followIntervalFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = Number(env['KTRDR_FOLLOW_INTERVAL_MS']);
  return Number.isFinite(raw) && raw >= 50 ? raw : DEFAULT_FOLLOW_INTERVAL_MS;
}

export async function followOperation(client: ApiClient, operationId: string, options: FollowOptions): Promise<FollowOutcome> {
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
