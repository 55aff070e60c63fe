import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import type { Logger } from '@ktrdr/runtime';
import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HTTP_STATUS_BY_CODE } from './http-status.map.js';

export interface ErrorEnvelope {
  success: false;
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** Agent routes answer refusals with documented top-level fields (SPEC §3 exception). */
export class AgentRefusal extends KtrdrError {
  constructor(
    code: ErrorCode,
    readonly body: Record<string, unknown>,
  ) {
    super(code, String(body['message'] ?? code));
  }
}

/** True for failures of the Redis connection itself (not of a command's arguments). */
function isBackendDown(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: string }).code;
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'].includes(code ?? '') ||
    /Connection is closed|Stream isn't writeable|max retries per request|Reached the max retries/i.test(e.message)
  );
}

/**
 * fastify's own refusals of a request it could not read (a body over the limit, a body cut short,
 * a bad Content-Length) carry an `FST_` code and a 4xx status: the client's fault, never a 500.
 */
function clientErrorStatusOfFastify(e: unknown): number | null {
  const { code, statusCode } = (e ?? {}) as { code?: unknown; statusCode?: unknown };
  return typeof code === 'string' && code.startsWith('FST_') && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 ? statusCode : null;
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
    const code = status === 404 ? ErrorCode.RouteNotFound : status === 413 ? ErrorCode.PayloadTooLarge : status < 500 ? ErrorCode.BadRequest : ErrorCode.Internal;
    return { status, body: { success: false, error: { code, message: e.message } } };
  }
  const fastifyStatus = clientErrorStatusOfFastify(e);
  if (fastifyStatus) {
    const code = fastifyStatus === 413 ? ErrorCode.PayloadTooLarge : ErrorCode.BadRequest;
    return { status: fastifyStatus, body: { success: false, error: { code, message: (e as Error).message } } };
  }
  if (isBackendDown(e)) {
    const message = `Redis is unreachable: ${(e as Error).message}`;
    return { status: HttpStatus.SERVICE_UNAVAILABLE, body: { success: false, error: { code: ErrorCode.BackendUnavailable, message } } };
  }
  return { status: 500, body: { success: false, error: { code: ErrorCode.Internal, message: 'Internal server error' } } };
}

/** Maps every error to the one envelope (SPEC §3) and logs what is not the client's fault. */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = toEnvelope(exception);
    if (status >= 500) this.log.error({ err: exception, status }, 'request failed');
    if (!reply.sent && !reply.raw.headersSent) void reply.status(status).send(body);
  }
}
