import { Module, type DynamicModule } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { ApiConfig } from './api.config.js';

/**
 * The Nest side of access control: the rate limit's settings (ThrottlerModule is global; the guard
 * sits on the cycle-starting routes, rate-limit.guard.ts). The bearer token is checked earlier, by
 * a fastify onRequest hook (auth.hook.ts), so it also covers the queue dashboard and unknown paths.
 */
@Module({})
export class AuthModule {
  static forConfig(config: ApiConfig): DynamicModule {
    const { limit, windowMs } = config.rateLimit;
    return {
      module: AuthModule,
      imports: [ThrottlerModule.forRoot({ throttlers: [{ name: 'cycles', limit: Math.max(limit, 1), ttl: windowMs }], skipIf: () => limit === 0 })],
    };
  }
}
