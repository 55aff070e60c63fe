import Anthropic from '@anthropic-ai/sdk';
import { CancelledError, ErrorCode, LlmError, isKtrdrError, type KtrdrError } from '@ktrdr/errors';

/** The API's error type when the body did not say (a proxy's HTML page, an empty body). */
const TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/** An error type is an identifier; anything else in that field is not trusted into a message. */
const SAFE_TYPE = /^[a-z][a-z0-9_]{0,63}$/;

/** ECONNREFUSED & co. anywhere in the cause chain (fetch wraps them in `TypeError: fetch failed`). */
function networkCode(error: unknown, depth = 0): string | null {
  if (!error || typeof error !== 'object' || depth > 5) return null;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z_]+$|^UND_ERR/.test(code)) return code;
  const inner = (error as { cause?: unknown }).cause ?? null;
  const fromCause = networkCode(inner, depth + 1);
  if (fromCause) return fromCause;
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors))
    for (const e of errors) {
      const c = networkCode(e, depth + 1);
      if (c) return c;
    }
  return null;
}

const NETWORK_REASON: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  UND_ERR_SOCKET: 'connection closed by the server',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  CERT_HAS_EXPIRED: 'TLS certificate error',
};

/**
 * Turns whatever a Claude request threw into a typed error whose message a user can act on. The
 * text comes from the error's class, HTTP status and API error type only: the SDK's `message` is
 * the raw response body, and nothing here reads headers, so the key can never leak into it.
 * An abort of `signal` (a cancel) is a CancelledError whatever the SDK threw on its way out.
 */
export function toClaudeError(error: unknown, signal: AbortSignal, timeoutMs: number): KtrdrError {
  if (signal.aborted || error instanceof Anthropic.APIUserAbortError) return new CancelledError(cancelReason(signal));
  if (isKtrdrError(error)) return error;
  if (error instanceof Anthropic.APIConnectionTimeoutError) {
    return new LlmError(ErrorCode.LlmApiError, `Claude API error: request timed out after ${formatSeconds(timeoutMs)}`, { reason: 'timeout' });
  }
  if (error instanceof Anthropic.APIConnectionError) {
    const code = networkCode(error.cause);
    const reason = (code && NETWORK_REASON[code]) ?? (code ? `connection failed (${code})` : 'connection failed');
    return new LlmError(ErrorCode.LlmApiError, `Claude API error: ${reason}`, { reason: 'connection', network_code: code });
  }
  if (error instanceof Anthropic.APIError && typeof error.status === 'number') {
    const type = typeof error.type === 'string' && SAFE_TYPE.test(error.type) ? error.type : (TYPE_BY_STATUS[error.status] ?? 'http_error');
    return new LlmError(ErrorCode.LlmApiError, `Claude API error: ${type} (HTTP ${error.status})`, {
      status: error.status,
      type,
      request_id: error.requestID ?? null,
    });
  }
  // Not from the SDK (a bug of ours or of a dependency): name its class, not its text, which could
  // quote a request.
  const name = error instanceof Error ? error.name : typeof error;
  return new LlmError(ErrorCode.LlmApiError, `Claude API error: unexpected ${name}`, { reason: 'unexpected' });
}

function cancelReason(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  if (typeof r === 'string') return r;
  if (r instanceof Error && r.name !== 'AbortError') return r.message;
  return 'Operation cancelled';
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
}
