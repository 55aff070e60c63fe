import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import type { Logger } from '@ktrdr/runtime';
import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
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
    const res = host.switchToHttp().getResponse<Response>();
    const { status, body } = toEnvelope(exception);
    if (status >= 500) this.log.error({ err: exception, status }, 'request failed');
    if (!res.headersSent) res.status(status).json(body);
  }
}
