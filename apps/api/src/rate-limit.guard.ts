import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { Request, Response } from 'express';

/**
 * The routes that start a cycle (and so can spend the LLM budget): trigger and resume. Matched by
 * path rather than by decorators so a route added in another controller is covered without editing it.
 */
const CYCLE_STARTING = /^\/api\/v1\/agent\/(trigger|resume(\/[^/]*)?)\/?$/;

export class RateLimitedError extends KtrdrError {
  constructor(limit: number, windowMs: number, retryAfterS: number) {
    super(ErrorCode.RateLimited, `Too many cycle-starting requests: at most ${limit} per ${windowMs / 1000}s per client; retry in ${retryAfterS}s`, {
      limit,
      window_ms: windowMs,
      retry_after_s: retryAfterS,
    });
  }
}

/**
 * @nestjs/throttler on POST trigger/resume only; every other route skips it. The refusal is a 429
 * with the error envelope and code RATE_LIMITED — distinct from the agent's `budget_exhausted`.
 * Counters live in this API process's memory (one limit per replica; docs/ARCHITECTURE.md).
 */
@Injectable()
export class CycleRateLimitGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    return !(req.method === 'POST' && CYCLE_STARTING.test(req.path));
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfterS = Math.max(1, Math.ceil(detail.timeToBlockExpire || detail.timeToExpire));
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retryAfterS));
    throw new RateLimitedError(detail.limit, detail.ttl, retryAfterS);
  }
}
