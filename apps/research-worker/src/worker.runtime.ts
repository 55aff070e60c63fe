import { ACTIVE_PHASES } from '@ktrdr/agent-domain';
import type { LlmServices } from '@ktrdr/llm';
import { CancelChannel } from '@ktrdr/operations';
import { QueueProducer, RECONCILE_SCHEDULER_ID } from '@ktrdr/queues';
import { closeRedis, openRedis, type Logger } from '@ktrdr/runtime';
import type { WorkerHost as BullWorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ActiveJobs } from './active-jobs.registry.js';
import { HealthServer } from './health.server.js';
import { Reconciler } from './reconciler.service.js';
import type { ThrottledLogger } from './throttled.logger.js';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config.js';
import { WorkerMetrics } from './worker.metrics.js';
import { LLM_SERVICES, WORKER_FAILURES, WORKER_LOGGER, WORKER_REDIS } from './worker.providers.js';

/** The processors this process hosts (only those of KTRDR_WORKER_QUEUES are registered). */
export const QUEUE_PROCESSORS = Symbol('QUEUE_PROCESSORS');
/**
 * Shares of KTRDR_SHUTDOWN_GRACE_MS (counted from the start of the stop): the workers' close, which
 * waits for the aborted phases to record "worker stopped", gets the first half; closing the
 * connections must be done by 80%. The rest is slack before shutdown.signals.ts exits anyway.
 */
const CLOSE_WORKERS_SHARE = 0.5;
const CLOSE_CONNECTIONS_SHARE = 0.8;
const FORCED_CLOSE_MS = 500;

/** Resolves with `work`'s value, or with 'timeout' after `ms` (the timer does not keep the process up). */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([work, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), Math.max(0, ms)).unref())]);
}

/**
 * Everything around the processors: the cancel listener, the reconcile job scheduler, the health
 * port, and the stop. The processors' BullMQ workers are created by @nestjs/bullmq with
 * `autorun: false`; they start here, after the cancel listener is up. On SIGTERM the running
 * phases are aborted first (recorded as failed "worker stopped…"), then the workers close within a
 * deadline — so a stopped worker never leaves an operation running, and a dead Redis cannot hang it
 * (shutdown.signals.ts bounds the whole stop, @nestjs/bullmq's own closing included).
 */
@Injectable()
export class WorkerRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private subscriber: Redis | null = null;
  private unsubscribe: (() => Promise<void>) | null = null;
  private health: HealthServer | null = null;
  private stopping = false;
  private stopStartedAt = 0;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(WORKER_LOGGER) private readonly log: Logger,
    @Inject(WORKER_REDIS) private readonly redis: Redis,
    @Inject(WORKER_FAILURES) private readonly failures: ThrottledLogger,
    @Inject(QUEUE_PROCESSORS) private readonly processors: BullWorkerHost[],
    @Inject(LLM_SERVICES) private readonly llm: LlmServices,
    private readonly active: ActiveJobs,
    private readonly cancel: CancelChannel,
    private readonly producer: QueueProducer,
    private readonly reconciler: Reconciler,
    private readonly metrics: WorkerMetrics,
  ) {}

  private get workers() {
    return this.processors.map((p) => p.worker);
  }

  async onApplicationBootstrap(): Promise<void> {
    const { config, log } = this;
    this.subscriber = openRedis(config.redisUrl, 'ktrdr-worker-cancel');
    // Without a listener ioredis prints "[ioredis] Unhandled error event" for every reconnect attempt.
    this.subscriber.on('error', (e: Error) => this.failures.warn('redis', e, { connection: 'ktrdr-worker-cancel' }, 'redis connection error'));
    this.unsubscribe = await this.cancel.subscribe(
      this.subscriber,
      (msg) => msg.operation_ids.forEach((id) => this.active.abortTree(id, msg.reason, msg.requested_at)),
      () => void this.active.recheck(),
    );
    for (const w of this.workers) void w.run().catch((e: unknown) => this.failures.error('worker-run', e, { queue: w.name }, 'worker stopped running'));
    if (config.queues.includes('research')) {
      // One schedule in Redis however many orchestrator replicas upsert it (replaces a timer per process).
      await this.producer
        .queue('research')
        .upsertJobScheduler(
          RECONCILE_SCHEDULER_ID,
          { every: config.reconcileIntervalMs },
          { name: 'reconcile', data: {}, opts: { removeOnComplete: true, removeOnFail: true } },
        );
      void this.reconciler.runOnce();
    }
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
    let healthPort: number | null = null;
    if (config.health.port > 0) {
      this.health = new HealthServer(
        {
          ping: () => this.redis.ping(),
          describe: () => ({
            queues: config.queues,
            running: !this.stopping && this.workers.every((w) => w.isRunning()),
            active_jobs: this.active.ids().length,
          }),
        },
        this.metrics.registry,
        log,
      );
      healthPort = await this.health.listen(config.health.port, config.health.host);
    }
    const phases = Object.fromEntries(
      ACTIVE_PHASES.map((p) => [p, config.stubPhases.includes(p) ? 'stub' : p === 'designing' || p === 'assessing' ? this.llm.mode : 'real']),
    );
    log.info(
      {
        queues: config.queues,
        phases,
        health_port: healthPort,
        phase_timeouts_ms: config.phaseTimeouts,
        stub_delay_ms: config.stubPhases.length ? config.stub.delayMs : undefined,
      },
      'research worker ready',
    );
  }

  /** Before @nestjs/bullmq closes the workers (which waits for running jobs): abort the running phases. */
  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.stopStartedAt = Date.now();
    this.stopping = true;
    this.log.info({ signal, active_jobs: this.active.ids().length }, 'aborting running phases');
    await this.health?.close();
    this.active.abortAll(`received ${signal ?? 'shutdown'}`);
    // Closing waits for Redis; with Redis gone it would wait forever, so it gets a deadline.
    const closeMs = this.config.shutdownGraceMs * CLOSE_WORKERS_SHARE;
    if ((await withDeadline(Promise.all(this.workers.map((w) => w.close())), closeMs)) === 'timeout') {
      this.log.warn({ ms: Math.round(closeMs) }, 'graceful stop timed out; forcing');
      await withDeadline(Promise.all(this.workers.map((w) => w.close(true).catch(() => undefined))), FORCED_CLOSE_MS);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const graceful = (async () => {
      await this.unsubscribe?.();
      await this.producer.close();
      await closeRedis(this.redis, ...(this.subscriber ? [this.subscriber] : []));
    })();
    const left = this.stopStartedAt + this.config.shutdownGraceMs * CLOSE_CONNECTIONS_SHARE - Date.now();
    if ((await withDeadline(graceful, left)) === 'timeout') {
      this.redis.disconnect();
      this.subscriber?.disconnect();
    }
    this.active.stop();
  }
}
