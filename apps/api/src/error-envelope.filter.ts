import type { RefusalReason } from '@ktrdr/api-contract';
import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import { redisFailureKind, type Logger } from '@ktrdr/runtime';
import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HTTP_STATUS_BY_CODE } from './http-status.map.js';

export interface ErrorEnvelope {
  success: false;
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** Agent routes answer refusals with documented top-level fields. */
export class AgentRefusal extends KtrdrError {
  constructor(
    code: ErrorCode,
    readonly body: { reason: RefusalReason; message: string } & Record<string, unknown>,
  ) {
    super(code, String(body['message'] ?? code));
  }
}

/** What a user reads when Redis refuses a command for now (by Redis's own reply code) or cannot be reached. */
const REFUSAL_SENTENCES: Readonly<Record<string, string>> = {
  OOM: 'Redis refused the write: it is out of memory (maxmemory reached, and its policy evicts nothing). Free memory or raise maxmemory, then retry',
  READONLY: 'Redis refused the write: the server is a read-only replica',
  MISCONF: 'Redis refused the write: it cannot save to disk (MISCONF)',
  LOADING: 'Redis is loading its data set into memory: retry in a moment',
  BUSY: 'Redis is busy running a script: retry in a moment',
};
const UNREACHABLE_SENTENCES: ReadonlyArray<readonly [RegExp, string]> = [
  [/ECONNREFUSED/, 'connection refused'],
  [/ECONNRESET|EPIPE|Connection is closed|Socket closed/i, 'the connection was lost'],
  [/ETIMEDOUT|timed out/i, 'it did not answer in time'],
  [/ENOTFOUND|EAI_AGAIN/, 'its host name does not resolve'],
  [/EHOSTUNREACH|ENETUNREACH/, 'its host cannot be reached'],
  [/Stream isn't writeable|max retries per request/i, 'not connected (reconnecting)'],
];

/** The sentence for a backend failure (Redis down, full, read-only…), or null when the error is something else. */
export function backendFailure(e: unknown): string | null {
  const failure = redisFailureKind(e);
  if (failure.kind === 'refused') return REFUSAL_SENTENCES[failure.reply] ?? 'Redis cannot serve requests right now (its primary or cluster is down)';
  if (failure.kind === 'other') return null;
  const text = `${failure.code} ${(e as Error).message}`;
  const cause = UNREACHABLE_SENTENCES.find(([pattern]) => pattern.test(text))?.[1] ?? 'the connection failed';
  return `Redis is unreachable: ${cause}`;
}

/**
 * fastify's own refusals of a request it could not read (a body over the limit, a body cut short,
 * a bad Content-Length) carry an `FST_` code and a 4xx status; the static file servers' (the web
 * view's assets, the API docs' UI) carry a 4xx `statusCode` too: a `..` segment is 403, a NUL byte
 * 400, a missing file 404. All are the client's fault, never a 500, and a path the static server
 * refuses reads as a missing file, so probing says nothing about what lies outside its directory.
 */
function clientErrorStatus(e: unknown): number | null {
  const { code, statusCode } = (e ?? {}) as { code?: unknown; statusCode?: unknown };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return null;
  if (typeof code === 'string' && code.startsWith('FST_')) return statusCode;
  return statusCode === 403 ? 404 : statusCode;
}

export function toEnvelope(e: unknown): { status: number; body: ErrorEnvelope | Record<string, unknown> } {
  if (e instanceof AgentRefusal) {
    return { status: HTTP_STATUS_BY_CODE[e.code], body: { ...e.body, error: { code: e.code, message: e.message } } };
  }
  if (e instanceof KtrdrError) {
    const error = { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) };
    return { status: HTTP_STATUS_BY_CODE[e.code], body: { success: false, error } };
  }
  if (e instanceof HttpException) {
    const status = e.getStatus();
    const code =
      status === 404 ? ErrorCode.RouteNotFound : status === 413 ? ErrorCode.PayloadTooLarge : status < 500 ? ErrorCode.BadRequest : ErrorCode.Internal;
    return { status, body: { success: false, error: { code, message: e.message } } };
  }
  const clientStatus = clientErrorStatus(e);
  if (clientStatus) {
    const code = clientStatus === 413 ? ErrorCode.PayloadTooLarge : clientStatus === 404 ? ErrorCode.RouteNotFound : ErrorCode.BadRequest;
    const message = clientStatus === 404 ? 'No such file' : (e as Error).message;
    return { status: clientStatus, body: { success: false, error: { code, message } } };
  }
  const backend = backendFailure(e);
  if (backend) {
    return { status: HttpStatus.SERVICE_UNAVAILABLE, body: { success: false, error: { code: ErrorCode.BackendUnavailable, message: backend } } };
  }
  return { status: 500, body: { success: false, error: { code: ErrorCode.Internal, message: 'Internal server error' } } };
}

/** Maps every error to the one envelope and logs what is not the client's fault. */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = toEnvelope(exception);
    // Redis being down or full is the operator's condition, already named in the answer: one line
    // without a stack trace. Anything else unexpected keeps its stack for whoever debugs it.
    if (status === HttpStatus.SERVICE_UNAVAILABLE) this.log.warn({ err: (exception as Error).message, status }, 'request refused: backend unavailable');
    else if (status >= 500) this.log.error({ err: exception, status }, 'request failed');
    if (!reply.sent && !reply.raw.headersSent) void reply.status(status).send(body);
  }
}
