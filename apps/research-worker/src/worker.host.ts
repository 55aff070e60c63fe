import { ACTIVE_PHASES } from '@ktrdr/agent-domain';
import { createLlmServices } from '@ktrdr/llm';
import { MarketDataRepository } from '@ktrdr/market-data';
import { ArtifactStore, BudgetLedger, CancelChannel, OperationsStore } from '@ktrdr/operations';
import { StrategyStore } from '@ktrdr/strategies';
import { QUEUE_PHASE, QueueProducer, bullConnection, bullPrefix, type QueueName } from '@ktrdr/queues';
import { closeRedis, openRedis, type Logger } from '@ktrdr/runtime';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Worker, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import { ActiveJobs } from './active-jobs.registry.js';
import { Orchestrator } from './orchestrator.service.js';
import { phaseProcessor } from './phase.processor.js';
import { PhaseRunner } from './phase.runner.js';
import { Reconciler } from './reconciler.service.js';
import { phaseExecutors } from './executors/phase-executors.factory.js';
import { recentResearch } from './executors/recent-research.reader.js';
import { researchProcessor } from './research.processor.js';
import { HealthServer } from './health.server.js';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config.js';
import { WorkerMetrics } from './worker.metrics.js';

export const WORKER_LOGGER = Symbol('WORKER_LOGGER');
const SHUTDOWN_DEADLINE_MS = 5000;

/**
 * Owns this process's BullMQ workers (one per configured queue), the cancel listener and, where
 * the research queue is consumed, the reconciler. Closing aborts running phase jobs (they are
 * reported as failed "worker stopped…"), so a stopped worker never leaves an operation running.
 */
@Injectable()
export class WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly store: OperationsStore;
  private readonly producer: QueueProducer;
  private readonly active: ActiveJobs;
  private readonly workers: Worker[] = [];
  private reconciler: Reconciler | null = null;
  private health: HealthServer | null = null;
  private stopping = false;
  private unsubscribe: (() => Promise<void>) | null = null;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(WORKER_LOGGER) private readonly log: Logger,
  ) {
    this.redis = openRedis(config.redisUrl, 'ktrdr-worker');
    this.subscriber = openRedis(config.redisUrl, 'ktrdr-worker-cancel');
    this.store = new OperationsStore(this.redis, config.prefix);
    this.producer = new QueueProducer(bullConnection(config.redisUrl), config.prefix);
    this.active = new ActiveJobs(this.redis, this.store.keys, config.cancelPollMs, log);
  }

  async onApplicationBootstrap(): Promise<void> {
    const { config, log } = this;
    const strategies = new StrategyStore(config.strategiesDir);
    const llm = createLlmServices(config.llm, { spend: new BudgetLedger(this.redis, config.prefix, { limitUsd: config.llm.dailyBudgetUsd }), logger: log });
    const executors = phaseExecutors({
      stubPhases: config.stubPhases,
      stub: config.stub,
      research: { strategies, marketData: new MarketDataRepository(config.dataDir), modelsDir: config.modelsDir },
      llm,
      recent: () => recentResearch(this.store, strategies),
      designSeed: config.designSeed,
    });
    const artifacts = new ArtifactStore(this.redis, config.prefix, config.artifacts);
    const cancel = new CancelChannel(config.prefix);
    const metrics = new WorkerMetrics(this.producer);
    const orchestrator = new Orchestrator(this.store, this.producer, cancel, this.redis, config.gates, config.strategiesDir, log, metrics);
    const runner = new PhaseRunner(this.store, this.producer, executors, this.active, artifacts, this.redis, log, {
      timeouts: config.phaseTimeouts,
      metrics,
      heartbeatMs: config.jobLockMs,
    });

    this.unsubscribe = await cancel.subscribe(
      this.subscriber,
      (msg) => msg.operation_ids.forEach((id) => this.active.abortTree(id, msg.reason, msg.requested_at)),
      () => void this.active.recheck(),
    );

    for (const name of config.queues) {
      let worker: Worker | undefined;
      const processor = (
        name === 'research' ? researchProcessor(orchestrator) : phaseProcessor(runner, QUEUE_PHASE[name], () => worker!)
      ) as Processor;
      worker = this.createWorker(name, processor);
      this.workers.push(worker);
    }
    if (config.queues.includes('research')) {
      this.reconciler = new Reconciler(this.store, this.producer, orchestrator, this.redis, config.prefix, config.jobLockMs, config.reconcileIntervalMs, log, {
        timeouts: config.phaseTimeouts,
      });
      this.reconciler.start();
      void this.reconciler.runOnce();
    }
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
    let healthPort: number | null = null;
    if (config.health.port > 0) {
      this.health = new HealthServer(
        {
          ping: () => this.redis.ping(),
          describe: () => ({ queues: config.queues, running: !this.stopping && this.workers.every((w) => w.isRunning()), active_jobs: this.active.ids().length }),
        },
        metrics.registry,
        log,
      );
      healthPort = await this.health.listen(config.health.port, config.health.host);
    }
    const phases = Object.fromEntries(ACTIVE_PHASES.map((p) => [p, config.stubPhases.includes(p) ? 'stub' : p === 'designing' || p === 'assessing' ? llm.mode : 'real']));
    log.info({ queues: config.queues, phases, health_port: healthPort, phase_timeouts_ms: config.phaseTimeouts, stub_delay_ms: config.stubPhases.length ? config.stub.delayMs : undefined }, 'research worker ready');
  }

  private createWorker(name: QueueName, processor: Processor): Worker {
    const { config } = this;
    const isResearch = name === 'research';
    const worker = new Worker(name, processor, {
      connection: bullConnection(config.redisUrl),
      prefix: bullPrefix(config.prefix),
      concurrency: isResearch ? config.orchestratorConcurrency : config.phaseConcurrency,
      lockDuration: config.jobLockMs,
      stalledInterval: config.jobLockMs,
      // Orchestrator steps are idempotent, so a stalled one may run again; a phase job whose
      // worker died is reported as "worker lost" instead of being silently re-run.
      maxStalledCount: isResearch ? 1 : 0,
    });
    worker.on('failed', (job, err) => this.log.warn({ queue: name, jobId: job?.id, err: err.message }, 'job failed'));
    worker.on('error', (err) => this.log.error({ queue: name, err: err.message }, 'worker error'));
    return worker;
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    this.log.info({ signal }, 'research worker stopping');
    this.stopping = true;
    await this.health?.close();
    this.reconciler?.stop();
    this.active.abortAll(`received ${signal ?? 'shutdown'}`);
    // Closing waits for Redis; with Redis gone it would wait forever, so it gets a deadline.
    const graceful = (async () => {
      await Promise.all(this.workers.map((w) => w.close()));
      await this.unsubscribe?.();
      await this.producer.close();
      await closeRedis(this.redis, this.subscriber);
    })();
    const deadline = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), SHUTDOWN_DEADLINE_MS).unref());
    if ((await Promise.race([graceful, deadline])) === 'timeout') {
      this.log.warn({ ms: SHUTDOWN_DEADLINE_MS }, 'graceful stop timed out; forcing');
      await Promise.all(this.workers.map((w) => w.close(true).catch(() => undefined)));
      this.redis.disconnect();
      this.subscriber.disconnect();
    }
    this.active.stop();
  }
}
