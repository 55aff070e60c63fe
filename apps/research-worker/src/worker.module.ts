import { hostname } from 'node:os';
import { QueueName, bullConnection, queueOptions, type QueueName as Queue } from '@ktrdr/queues';
import { createLogger, type Logger } from '@ktrdr/runtime';
import { BullModule, Processor, getQueueToken, type WorkerHost } from '@nestjs/bullmq';
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import type { Queue as BullQueue, WorkerOptions } from 'bullmq';
import { LoggerModule } from 'nestjs-pino';
import { AssessmentProcessor, BacktestProcessor, DesignProcessor, FoldProcessor, TrainingProcessor } from './phase.processor.js';
import { ResearchProcessor } from './research.processor.js';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config.js';
import { ThrottledLogger } from './throttled.logger.js';
import { WORKER_FAILURES, workerProviders } from './worker.providers.js';
import { QUEUE_PROCESSORS, WorkerRuntime } from './worker.runtime.js';

/** A provider for its side effect: the registered queues get their error listeners as soon as they exist. */
export const QUEUE_ERROR_LISTENERS = Symbol('QUEUE_ERROR_LISTENERS');

const PROCESSORS: Readonly<Record<Queue, Type<WorkerHost>>> = {
  [QueueName.Research]: ResearchProcessor,
  [QueueName.Design]: DesignProcessor,
  [QueueName.Training]: TrainingProcessor,
  [QueueName.Backtest]: BacktestProcessor,
  [QueueName.Assessment]: AssessmentProcessor,
  [QueueName.Fold]: FoldProcessor,
};

/**
 * BullMQ worker options from the validated configuration. Orchestrator steps are idempotent, so a
 * stalled one may run again; a phase job whose worker died is reported as "worker lost" instead of
 * being silently re-run. `autorun: false`: WorkerRuntime starts them once the cancel listener is up.
 */
export function workerOptions(queue: Queue, config: WorkerConfig): Omit<WorkerOptions, 'connection'> {
  const isResearch = queue === QueueName.Research;
  return {
    // Recorded on each job it takes (BullMQ's processedBy, shown by the queue dashboard): with workers
    // on several hosts, which one ran a fold is a question an operator asks.
    name: `${hostname()}:${process.pid}`,
    autorun: false,
    concurrency: isResearch ? config.orchestratorConcurrency : queue === QueueName.Fold ? config.foldConcurrency : config.phaseConcurrency,
    lockDuration: config.jobLockMs,
    stalledInterval: config.jobLockMs,
    maxStalledCount: isResearch ? 1 : 0,
  };
}

/**
 * Built from the configuration `main` already validated, so the environment is parsed once. Only the
 * processors of `KTRDR_WORKER_QUEUES` are registered: the same image runs as any role.
 */
@Module({})
export class WorkerModule {
  static forConfig(
    config: WorkerConfig,
    logger: Logger = createLogger('research-worker', config.logLevel),
    failures = new ThrottledLogger(logger),
  ): DynamicModule {
    const processors = config.queues.map((queue) => {
      const cls = PROCESSORS[queue];
      // Re-applied here (the classes carry a plain @Processor(queue)) because the options come from config.
      Processor(queue, workerOptions(queue, config))(cls);
      return cls;
    });
    return {
      module: WorkerModule,
      imports: [
        // nestjs-pino: Nest's own lines go through the same pino logger as ours (no HTTP here to log).
        LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true }),
        // The same queue options as the producers' (queueOptions, libs/queues), so both sides agree on the prefix.
        BullModule.forRootAsync({ useFactory: () => queueOptions(bullConnection(config.redisUrl), config.prefix) }),
        // Registering the consumed queues also brings in @nestjs/bullmq's explorer, which builds the workers.
        BullModule.registerQueue(...config.queues.map((name) => ({ name }))),
      ],
      providers: [
        ...workerProviders(config, logger, failures),
        {
          // The queues BullModule registers (only so its explorer builds the workers) connect on their
          // own; without an error listener BullMQ prints each of their connection errors raw to stderr.
          provide: QUEUE_ERROR_LISTENERS,
          inject: [WORKER_FAILURES, ...config.queues.map((name) => getQueueToken(name))],
          useFactory: (f: ThrottledLogger, ...queues: BullQueue[]) => {
            for (const q of queues) q.on('error', (e: Error) => f.warn('queue', e, { queue: q.name }, 'queue connection error'));
            return queues.length;
          },
        },
        ...processors,
        { provide: QUEUE_PROCESSORS, inject: processors, useFactory: (...hosts: WorkerHost[]) => hosts },
        WorkerRuntime,
      ],
      exports: [WORKER_CONFIG],
    };
  }
}
