import type { ListEnvelope, OperationInfo } from './api.types';
import { tokenGate } from './token.gate';

export const API_BASE = '/api/v1';

/**
 * An answer other than 2xx, worded as the API worded it: `error.message` of the envelope, or the
 * top-level `message` of an agent refusal, with the refusal's `reason` kept (top-level, or in the
 * envelope's `details` as the campaign routes send it).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null,
    readonly reason: string | null,
    readonly body: Record<string, unknown> | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function errorFrom(status: number, body: unknown, fallback: string): ApiError {
  const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : null;
  const envelope = b?.['error'] && typeof b['error'] === 'object' ? (b['error'] as Record<string, unknown>) : null;
  const message = (typeof b?.['message'] === 'string' && b['message']) || (typeof envelope?.['message'] === 'string' && envelope['message']) || fallback;
  // Agent refusals carry `reason` at the top; the campaign routes' envelope carries it in `error.details`.
  const details = envelope?.['details'] && typeof envelope['details'] === 'object' ? (envelope['details'] as Record<string, unknown>) : null;
  const reason = typeof b?.['reason'] === 'string' ? b['reason'] : typeof details?.['reason'] === 'string' ? details['reason'] : null;
  const code = typeof envelope?.['code'] === 'string' ? envelope['code'] : null;
  return new ApiError(status, message, code, reason, b);
}

/** One REST call: JSON in and out, the bearer token when there is one, and the token prompt on 401. */
export async function api<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  for (;;) {
    const token = tokenGate.token();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers['authorization'] = `Bearer ${token}`;
    let res: Response;
    try {
      res = await fetch(`${API_BASE}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (e) {
      if (signal?.aborted) throw e;
      throw new ApiError(0, `The ktrdr API could not be reached (${(e as Error).message})`, null, null, null);
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (res.status === 401) {
      await tokenGate.request(token);
      continue;
    }
    if (!res.ok) throw errorFrom(res.status, parsed, `HTTP ${res.status} ${res.statusText}`.trim());
    return parsed as T;
  }
}

export const getOperation = (id: string, signal?: AbortSignal) =>
  api<{ data: OperationInfo }>('GET', `/operations/${encodeURIComponent(id)}`, undefined, signal).then((r) => r.data);

export const getChildren = (id: string, signal?: AbortSignal) =>
  api<ListEnvelope<OperationInfo>>('GET', `/operations/${encodeURIComponent(id)}/children`, undefined, signal).then((r) => r.data);

/** An artifact, or null when the operation has none by that name (404). */
export async function getArtifact<T>(id: string, name: string, signal?: AbortSignal): Promise<T | null> {
  try {
    const r = await api<{ data: T }>('GET', `/operations/${encodeURIComponent(id)}/artifacts/${name}`, undefined, signal);
    return r.data;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/** The URL of an operation's event stream; EventSource cannot send headers, so the token rides in the query. */
export function eventsUrl(id: string): string {
  const token = tokenGate.token();
  const q = token ? `?access_token=${encodeURIComponent(token)}` : '';
  return `${API_BASE}/operations/${encodeURIComponent(id)}/events${q}`;
}
