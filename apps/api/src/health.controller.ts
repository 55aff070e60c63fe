import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Backend } from './backend.service.js';
import { backendFailure } from './error-envelope.filter.js';
import { ApiRefusal, ApiSuccess } from './openapi.decorators.js';
import { BlobStore, type BlobUsage } from '@ktrdr/operations';
import { QUEUE_NAMES } from '@ktrdr/queues';

const PING_TIMEOUT_MS = 1000;
/** How long one count of the blob store answers health checks (compose's healthcheck polls every few seconds). */
const STORE_USAGE_CACHE_MS = 2000;

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
  constructor(
    private readonly backend: Backend,
    private readonly blobs: BlobStore,
  ) {}

  private usage: { at: number; value: Promise<BlobUsage | null> } | null = null;

  /**
   * What the blob store holds, or null when its index cannot be read in time (a huge index, a Redis
   * that refuses EVAL): Redis answered the PING, so health stays 200 and says it could not count.
   * Counting scans the whole index, and health is open to anyone: one count serves every request
   * for STORE_USAGE_CACHE_MS, so a flood of health checks costs Redis one scan per interval.
   */
  private storeUsage(): Promise<BlobUsage | null> {
    const now = Date.now();
    if (this.usage && now - this.usage.at < STORE_USAGE_CACHE_MS) return this.usage.value;
    const value = withTimeout(this.blobs.usage(), PING_TIMEOUT_MS, 'blob store usage').catch(() => null);
    this.usage = { at: now, value };
    return value;
  }

  /** `INFO memory` used_memory (one cheap command); undefined when INFO is refused (a managed Redis may rename it) or slow. */
  private async usedMemory(): Promise<number | undefined> {
    try {
      const info = await withTimeout(this.backend.redis.info('memory'), PING_TIMEOUT_MS, 'Redis INFO');
      const m = /^used_memory:(\d+)\r?$/m.exec(info);
      return m ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Live workers per queue from BullMQ (`Queue.getWorkers`, i.e. the Redis connections its workers
   * name after their queue). A managed Redis that forbids CLIENT LIST yields `null` for a queue, not a 503.
   */
  private async liveWorkers(): Promise<Record<string, { count: number; workers: { name: string; addr: string; age_s: number }[] } | null>> {
    const entries = await Promise.all(
      QUEUE_NAMES.map(async (name) => {
        try {
          const list = await this.backend.producer.queue(name).getWorkers();
          const workers = list.map((w) => ({ name: String(w['name'] ?? ''), addr: String(w['addr'] ?? ''), age_s: Number(w['age'] ?? 0) }));
          return [name, { count: workers.length, workers }] as const;
        } catch {
          return [name, null] as const;
        }
      }),
    );
    return Object.fromEntries(entries);
  }

  @Get()
  @ApiOperation({ summary: '200 with Redis and queue state; 503 when Redis is unreachable' })
  @ApiSuccess(200, 'Health', 'Redis reachable: queue counts, live workers and what the blob store holds')
  @ApiRefusal(503, 'Health', 'Redis unreachable: `status: unhealthy` with the error envelope')
  async health(@Res({ passthrough: true }) res: FastifyReply) {
    const started = performance.now();
    try {
      await withTimeout(this.backend.redis.ping(), PING_TIMEOUT_MS, 'Redis PING');
      const latency_ms = Math.round((performance.now() - started) * 100) / 100;
      // Side by side, each with its own timeout: the store and the memory figure add no wait of their own.
      const [queues, workers, store, used_memory_bytes] = await Promise.all([
        withTimeout(this.backend.producer.counts(), PING_TIMEOUT_MS, 'queue counts'),
        withTimeout(this.liveWorkers(), PING_TIMEOUT_MS, 'worker list'),
        this.storeUsage(),
        this.usedMemory(),
      ]);
      return { success: true, status: 'healthy', redis: { connected: true, latency_ms, used_memory_bytes }, queues, workers, store };
    } catch (e) {
      res.status(503);
      // The same sentence the other routes answer with; the raw error stays beside it for the operator.
      const message = backendFailure(e) ?? `Redis is unreachable: ${(e as Error).message}`;
      return {
        success: false,
        status: 'unhealthy',
        redis: { connected: false, error: (e as Error).message },
        error: { code: 'BACKEND_UNAVAILABLE', message },
      };
    }
  }
}
