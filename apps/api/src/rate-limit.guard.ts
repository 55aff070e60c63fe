import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';

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
 * @nestjs/throttler on the routes that start a cycle (and so can spend the LLM budget): trigger and
 * resume carry it with `@UseGuards`. Route-scoped rather than global so the read paths, which are
 * most of the traffic, run no guard at all. The refusal is a 429 with the error envelope and code
 * RATE_LIMITED — distinct from the agent's `budget_exhausted`. Counters live in this API process's
 * memory (one limit per replica; docs/ARCHITECTURE.md).
 */
@Injectable()
export class CycleRateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfterS = Math.max(1, Math.ceil(detail.timeToBlockExpire || detail.timeToExpire));
    void context.switchToHttp().getResponse<FastifyReply>().header('Retry-After', String(retryAfterS));
    throw new RateLimitedError(detail.limit, detail.ttl, retryAfterS);
  }
}
