import { createLlmServices, type LlmServices } from '@ktrdr/llm';
import { MarketDataRepository } from '@ktrdr/market-data';
import { ArtifactStore, BudgetLedger, CancelChannel, OperationsStore } from '@ktrdr/operations';
import { QueueProducer, bullConnection } from '@ktrdr/queues';
import { openRedis, type Logger } from '@ktrdr/runtime';
import { StrategyStore } from '@ktrdr/strategies';
import type { Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ActiveJobs } from './active-jobs.registry.js';
import { phaseExecutors } from './executors/phase-executors.factory.js';
import { recentResearch } from './executors/recent-research.reader.js';
import { Orchestrator } from './orchestrator.service.js';
import { PhaseRunner } from './phase.runner.js';
import { Reconciler } from './reconciler.service.js';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config.js';
import { WorkerMetrics } from './worker.metrics.js';

export const WORKER_LOGGER = Symbol('WORKER_LOGGER');
/** The process's command connection to Redis (store, telemetry, cancel announcements); closed by WorkerRuntime. */
export const WORKER_REDIS = Symbol('WORKER_REDIS');
/** Claude or the offline designer/assessor (LlmServices.mode says which). */
export const LLM_SERVICES = Symbol('LLM_SERVICES');

/**
 * The worker's collaborators as factory providers: constructors stay free of I/O, and each piece is
 * built once from the validated configuration. BullMQ workers themselves are created by @nestjs/bullmq
 * from the processor classes (research.processor.ts, phase.processor.ts).
 */
export function workerProviders(config: WorkerConfig, logger: Logger): Provider[] {
  return [
    { provide: WORKER_CONFIG, useValue: config },
    { provide: WORKER_LOGGER, useValue: logger },
    {
      provide: WORKER_REDIS,
      inject: [WORKER_CONFIG, WORKER_LOGGER],
      useFactory: (c: WorkerConfig, log: Logger): Redis => {
        const redis = openRedis(c.redisUrl, 'ktrdr-worker');
        redis.on('error', (e: Error) => log.warn({ err: e.message }, 'redis connection error'));
        return redis;
      },
    },
    { provide: OperationsStore, inject: [WORKER_REDIS, WORKER_CONFIG], useFactory: (r: Redis, c: WorkerConfig) => new OperationsStore(r, c.prefix) },
    // Owns its queues (closed by WorkerRuntime): it produces to every queue, not only the consumed ones BullModule registers.
    { provide: QueueProducer, inject: [WORKER_CONFIG], useFactory: (c: WorkerConfig) => QueueProducer.connect(bullConnection(c.redisUrl), c.prefix) },
    { provide: CancelChannel, inject: [WORKER_CONFIG], useFactory: (c: WorkerConfig) => new CancelChannel(c.prefix) },
    {
      provide: ActiveJobs,
      inject: [WORKER_REDIS, OperationsStore, WORKER_CONFIG, WORKER_LOGGER],
      useFactory: (r: Redis, store: OperationsStore, c: WorkerConfig, log: Logger) => new ActiveJobs(r, store.keys, c.cancelPollMs, log),
    },
    { provide: WorkerMetrics, inject: [QueueProducer], useFactory: (producer: QueueProducer) => new WorkerMetrics(producer) },
    {
      provide: Orchestrator,
      inject: [OperationsStore, QueueProducer, CancelChannel, WORKER_REDIS, WORKER_CONFIG, WORKER_LOGGER, WorkerMetrics],
      useFactory: (store: OperationsStore, producer: QueueProducer, cancel: CancelChannel, r: Redis, c: WorkerConfig, log: Logger, metrics: WorkerMetrics) =>
        new Orchestrator(store, producer, cancel, r, c.gates, c.strategiesDir, log, metrics),
    },
    {
      provide: LLM_SERVICES,
      inject: [WORKER_REDIS, WORKER_CONFIG, WORKER_LOGGER],
      useFactory: (r: Redis, c: WorkerConfig, log: Logger): LlmServices =>
        createLlmServices(c.llm, { spend: new BudgetLedger(r, c.prefix, { limitUsd: c.llm.dailyBudgetUsd }), logger: log }),
    },
    {
      provide: PhaseRunner,
      inject: [OperationsStore, QueueProducer, ActiveJobs, WORKER_REDIS, WORKER_CONFIG, WORKER_LOGGER, WorkerMetrics, LLM_SERVICES],
      useFactory: (store: OperationsStore, producer: QueueProducer, active: ActiveJobs, r: Redis, c: WorkerConfig, log: Logger, metrics: WorkerMetrics, llm: LlmServices) => {
        const strategies = new StrategyStore(c.strategiesDir);
        const executors = phaseExecutors({
          stubPhases: c.stubPhases,
          stub: c.stub,
          research: { strategies, marketData: new MarketDataRepository(c.dataDir), modelsDir: c.modelsDir },
          llm,
          recent: () => recentResearch(store, strategies),
          designSeed: c.designSeed,
        });
        const artifacts = new ArtifactStore(r, c.prefix, c.artifacts);
        return new PhaseRunner(store, producer, executors, active, artifacts, r, log, { timeouts: c.phaseTimeouts, metrics, heartbeatMs: c.jobLockMs });
      },
    },
    {
      provide: Reconciler,
      inject: [OperationsStore, QueueProducer, Orchestrator, WORKER_REDIS, WORKER_CONFIG, WORKER_LOGGER],
      useFactory: (store: OperationsStore, producer: QueueProducer, orchestrator: Orchestrator, r: Redis, c: WorkerConfig, log: Logger) =>
        new Reconciler(store, producer, orchestrator, r, c.prefix, c.jobLockMs, c.reconcileIntervalMs, log, { timeouts: c.phaseTimeouts }),
    },
  ];
}
