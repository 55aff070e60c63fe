import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Backend } from './backend.service.js';

const PING_TIMEOUT_MS = 1000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly backend: Backend) {}

  @Get()
  @ApiOperation({ summary: '200 with Redis and queue state; 503 when Redis is unreachable' })
  async health(@Res({ passthrough: true }) res: Response) {
    const started = performance.now();
    try {
      await withTimeout(this.backend.redis.ping(), PING_TIMEOUT_MS, 'Redis PING');
      const latency_ms = Math.round((performance.now() - started) * 100) / 100;
      const queues = await withTimeout(this.backend.producer.counts(), PING_TIMEOUT_MS, 'queue counts');
      return { success: true, status: 'healthy', redis: { connected: true, latency_ms }, queues };
    } catch (e) {
      res.status(503);
      const message = `Redis is unreachable: ${(e as Error).message}`;
      return {
        success: false,
        status: 'unhealthy',
        redis: { connected: false, error: (e as Error).message },
        error: { code: 'BACKEND_UNAVAILABLE', message },
      };
    }
  }
}
