import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { ApiConfig } from './api.config.js';
import { CycleRateLimitGuard } from './rate-limit.guard.js';

/**
 * The Nest side of access control: the rate limit on cycle-starting routes. The bearer token is
 * checked earlier, by express middleware (auth.middleware.ts), so it also covers the queue
 * dashboard and unknown paths.
 */
@Module({})
export class AuthModule {
  static forConfig(config: ApiConfig): DynamicModule {
    const { limit, windowMs } = config.rateLimit;
    return {
      module: AuthModule,
      imports: [ThrottlerModule.forRoot({ throttlers: [{ name: 'cycles', limit: Math.max(limit, 1), ttl: windowMs }], skipIf: () => limit === 0 })],
      providers: [{ provide: APP_GUARD, useClass: CycleRateLimitGuard }],
    };
  }
}
