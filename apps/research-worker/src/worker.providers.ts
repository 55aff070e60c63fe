import { createLlmServices, type LlmServices } from '@ktrdr/llm';
import { MarketDataRepository } from '@ktrdr/market-data';
import { ArtifactStore, BlobStore, BudgetLedger, CampaignLedger, CancelChannel, OperationsStore } from '@ktrdr/operations';
import { QueueProducer, bullConnection, createQueue, type QueueLookup, type QueueName, type TypedQueue } from '@ktrdr/queues';
import { openRedis, type Logger } from '@ktrdr/runtime';
import { StrategyStore } from '@ktrdr/strategies';
import type { Provider } from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { ActiveJobs } from './active-jobs.registry.js';
import { ModelBlobs } from './executors/model.blobs.js';
import { WalkForwardFoldExecutor } from './executors/fold.executor.js';
import { QueuedFoldRunner } from './executors/fold.launcher.js';
import { phaseExecutors } from './executors/phase-executors.factory.js';
import type { ResearchDeps } from './executors/research.inputs.js';
import { recentResearch } from './executors/recent-research.reader.js';
import { CampaignDriver } from './campaign.driver.js';
import { campaignDesignContext } from './executors/campaign-design.context.js';
import { Orchestrator } from './orchestrator.service.js';
import { PhaseRunner } from './phase.runner.js';
import { Reconciler } from './reconciler.service.js';
import { ThrottledLogger } from './throttled.logger.js';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config.js';
import { WorkerMetrics } from './worker.metrics.js';

export const WORKER_LOGGER = Symbol('WORKER_LOGGER');
/** The process's command connection to Redis (store, telemetry, cancel announcements); closed by WorkerRuntime. */
export const WORKER_REDIS = Symbol('WORKER_REDIS');
/** Claude or the offline designer/assessor (LlmServices.mode says which). */
export const LLM_SERVICES = Symbol('LLM_SERVICES');
/** What this process's fold jobs run (executors/fold.executor.ts). */
export const FOLD_EXECUTOR = Symbol('FOLD_EXECUTOR');
/** The process's one ThrottledLogger: every repeated Redis failure, whichever path it comes from, goes through it. */
export const WORKER_FAILURES = Symbol('WORKER_FAILURES');

/**
 * QueueProducer.connect's lazily made queues, each with an error listener. A BullMQ queue without
 * one prints every connection error raw to stderr (a stack per reconnect attempt).
 */
export function listenedProducer(connection: ConnectionOptions, prefix: string, failures: ThrottledLogger): QueueProducer {
  const made = new Map<QueueName, TypedQueue<QueueName>>();
  const lookup: QueueLookup = <Q extends QueueName>(name: Q) => {
    let q = made.get(name);
    if (!q) {
      const queue = createQueue(name, connection, prefix);
      queue.on('error', (e: Error) => failures.warn('queue', e, { queue: name }, 'queue connection error'));
      q = queue as unknown as TypedQueue<QueueName>;
      made.set(name, q);
    }
    return q as unknown as TypedQueue<Q>;
  };
  return new QueueProducer(lookup, async () => {
    await Promise.all([...made.values()].map((q) => q.close()));
  });
}

/** Where this process finds strategies, market data and models: the store of record, whatever its host. */
function researchDeps(models: ModelBlobs, strategies: StrategyStore, marketData: MarketDataRepository): ResearchDeps {
  return { strategies, marketData, models };
}

/**
 * The worker's collaborators as factory providers: constructors stay free of I/O, and each piece is
 * built once from the validated configuration. BullMQ workers themselves are created by @nestjs/bullmq
 * from the processor classes (research.processor.ts, phase.processor.ts).
 */
export function workerProviders(config: WorkerConfig, logger: Logger, failures: ThrottledLogger = new ThrottledLogger(logger)): Provider[] {
  return [
    { provide: WORKER_CONFIG, useValue: config },
    { provide: WORKER_LOGGER, useValue: logger },
    { provide: WORKER_FAILURES, useValue: failures },
    {
      provide: WORKER_REDIS,
      inject: [WORKER_CONFIG, WORKER_FAILURES],
      useFactory: (c: WorkerConfig, f: ThrottledLogger): Redis => {
        const redis = openRedis(c.redisUrl, 'ktrdr-worker');
        redis.on('error', (e: Error) => f.warn('redis', e, { connection: 'ktrdr-worker' }, 'redis connection error'));
        return redis;
      },
    },
    { provide: OperationsStore, inject: [WORKER_REDIS, WORKER_CONFIG], useFactory: (r: Redis, c: WorkerConfig) => new OperationsStore(r, c.prefix) },
    // What one phase hands the next (strategies, assessments…) lives in Redis, so any worker on any host reads it.
    {
      provide: BlobStore,
      inject: [WORKER_REDIS, WORKER_CONFIG],
      useFactory: (r: Redis, c: WorkerConfig) => new BlobStore(r, c.prefix, { ttlSeconds: c.artifacts.ttlSeconds }),
    },
    // Trained models in that store: saved and loaded by the phases, released by the orchestrator, purged by the reconciler.
    { provide: ModelBlobs, inject: [BlobStore], useFactory: (blobs: BlobStore) => new ModelBlobs(blobs) },
    // One per process: the strategies directory is imported into the store once, at the first use.
    {
      provide: StrategyStore,
      inject: [BlobStore, WORKER_CONFIG, WORKER_LOGGER],
      useFactory: (blobs: BlobStore, c: WorkerConfig, log: Logger) =>
        new StrategyStore(c.strategiesDir, { blobs, warn: (fields, msg) => log.warn(fields, msg) }),
    },
    // Imported bars from the store (any host's imports), decoded once per blob for the phases and the folds alike; KTRDR_DATA_DIR is only read.
    {
      provide: MarketDataRepository,
      inject: [BlobStore, WORKER_CONFIG],
      useFactory: (blobs: BlobStore, c: WorkerConfig) => new MarketDataRepository({ dataDir: c.dataDir, blobs }),
    },
    // Owns its queues (closed by WorkerRuntime): it produces to every queue, not only the consumed ones BullModule registers.
    {
      provide: QueueProducer,
      inject: [WORKER_CONFIG, WORKER_FAILURES],
      useFactory: (c: WorkerConfig, f: ThrottledLogger) => listenedProducer(bullConnection(c.redisUrl), c.prefix, f),
    },
    { provide: CancelChannel, inject: [WORKER_CONFIG], useFactory: (c: WorkerConfig) => new CancelChannel(c.prefix) },
    {
      provide: ActiveJobs,
      inject: [WORKER_REDIS, OperationsStore, WORKER_CONFIG, WORKER_LOGGER, WORKER_FAILURES],
      useFactory: (r: Redis, store: OperationsStore, c: WorkerConfig, log: Logger, f: ThrottledLogger) => new ActiveJobs(r, store.keys, c.cancelPollMs, log, f),
    },
    { provide: WorkerMetrics, inject: [QueueProducer], useFactory: (producer: QueueProducer) => new WorkerMetrics(producer) },
    {
      provide: Orchestrator,
      inject: [OperationsStore, QueueProducer, CancelChannel, WORKER_REDIS, WORKER_CONFIG, WORKER_LOGGER, WorkerMetrics, ModelBlobs],
      useFactory: (
        store: OperationsStore,
        producer: QueueProducer,
        cancel: CancelChannel,
        r: Redis,
        c: WorkerConfig,
        log: Logger,
        metrics: WorkerMetrics,
        models: ModelBlobs,
      ) => new Orchestrator(store, producer, cancel, r, c.gates, c.strategiesDir, log, metrics, models),
    },
    {
      provide: LLM_SERVICES,
      inject: [WORKER_REDIS, WORKER_CONFIG, WORKER_LOGGER],
      useFactory: (r: Redis, c: WorkerConfig, log: Logger): LlmServices =>
        createLlmServices(c.llm, { spend: new BudgetLedger(r, c.prefix, { limitUsd: c.llm.dailyBudgetUsd }), logger: log }),
    },
    {
      provide: PhaseRunner,
      inject: [
        OperationsStore,
        QueueProducer,
        CancelChannel,
        ActiveJobs,
        WORKER_REDIS,
        WORKER_CONFIG,
        WORKER_LOGGER,
        WorkerMetrics,
        LLM_SERVICES,
        WORKER_FAILURES,
        StrategyStore,
        MarketDataRepository,
        ModelBlobs,
      ],
      useFactory: (
        store: OperationsStore,
        producer: QueueProducer,
        cancel: CancelChannel,
        active: ActiveJobs,
        r: Redis,
        c: WorkerConfig,
        log: Logger,
        metrics: WorkerMetrics,
        llm: LlmServices,
        f: ThrottledLogger,
        strategies: StrategyStore,
        marketData: MarketDataRepository,
        models: ModelBlobs,
      ) => {
        const research = researchDeps(models, strategies, marketData);
        const ledger = new CampaignLedger(r, c.prefix);
        const executors = phaseExecutors({
          stubPhases: c.stubPhases,
          stub: c.stub,
          research: { ...research, folds: new QueuedFoldRunner(store, producer, cancel, r) },
          llm,
          recent: () => recentResearch(store, research.strategies),
          campaign: (cycle, cycleId) => campaignDesignContext(store, ledger, research.strategies, cycle, cycleId),
          designSeed: c.designSeed,
        });
        const artifacts = new ArtifactStore(r, c.prefix, c.artifacts);
        return new PhaseRunner(store, producer, executors, active, artifacts, r, log, {
          timeouts: c.phaseTimeouts,
          metrics,
          heartbeatMs: c.jobLockMs,
          failures: f,
        });
      },
    },
    {
      provide: FOLD_EXECUTOR,
      inject: [ModelBlobs, StrategyStore, MarketDataRepository],
      useFactory: (models: ModelBlobs, strategies: StrategyStore, marketData: MarketDataRepository) =>
        new WalkForwardFoldExecutor(researchDeps(models, strategies, marketData)),
    },
    {
      provide: CampaignDriver,
      inject: [OperationsStore, QueueProducer, WORKER_REDIS, WORKER_CONFIG, WORKER_LOGGER, WorkerMetrics, StrategyStore],
      useFactory: (
        store: OperationsStore,
        producer: QueueProducer,
        r: Redis,
        c: WorkerConfig,
        log: Logger,
        metrics: WorkerMetrics,
        strategies: StrategyStore,
      ) =>
        new CampaignDriver(
          store,
          new CampaignLedger(r, c.prefix),
          new ArtifactStore(r, c.prefix, c.artifacts),
          producer,
          strategies,
          log,
          {
            maxConcurrentCycles: c.maxConcurrentCycles,
            thresholds: c.campaign,
            gates: c.gates,
          },
          metrics,
        ),
    },
    {
      provide: Reconciler,
      inject: [OperationsStore, QueueProducer, Orchestrator, CampaignDriver, WORKER_REDIS, WORKER_CONFIG, WORKER_LOGGER, WORKER_FAILURES, ModelBlobs],
      useFactory: (
        store: OperationsStore,
        producer: QueueProducer,
        orchestrator: Orchestrator,
        campaigns: CampaignDriver,
        r: Redis,
        c: WorkerConfig,
        log: Logger,
        f: ThrottledLogger,
        models: ModelBlobs,
      ) =>
        new Reconciler(store, producer, orchestrator, r, c.prefix, c.jobLockMs, c.reconcileIntervalMs, log, {
          timeouts: c.phaseTimeouts,
          failures: f,
          campaigns,
          models,
        }),
    },
  ];
}
