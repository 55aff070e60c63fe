import type { ActivePhase } from '@ktrdr/agent-domain';
import { QUEUE_PHASE, QueueName, type FoldJob, type PhaseJob, type PhaseQueueName } from '@ktrdr/queues';
import type { Logger } from '@ktrdr/runtime';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { PhaseRunner, type FoldExecutor, type PhaseOutcome } from './phase.runner.js';
import type { ThrottledLogger } from './throttled.logger.js';
import { FOLD_EXECUTOR, WORKER_FAILURES, WORKER_LOGGER } from './worker.providers.js';

/**
 * Thin processor of a phase queue. `process` declares all three parameters — BullMQ only creates
 * the job's AbortSignal (fired by `worker.cancelJob`) for processors that take it, and
 * @nestjs/bullmq passes every argument through.
 */
@Injectable() // emits the constructor's parameter types, which the queue subclasses inherit
abstract class PhaseQueueProcessor extends WorkerHost {
  protected abstract readonly queue: PhaseQueueName;

  constructor(
    private readonly runner: PhaseRunner,
    @Inject(WORKER_LOGGER) private readonly log: Logger,
    @Inject(WORKER_FAILURES) private readonly failures: ThrottledLogger,
  ) {
    super();
  }

  get phase(): ActivePhase {
    return QUEUE_PHASE[this.queue];
  }

  process(job: Job<PhaseJob['data']>, _token?: string, signal?: AbortSignal): Promise<PhaseOutcome> {
    return this.runner.run(this.phase, job, this.worker, signal);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    this.log.warn({ queue: this.queue, operation_id: job?.id, err: err.message }, 'job failed');
  }

  /** BullMQ retries a refused fetch at once, so a Redis refusing writes makes this fire thousands of times a second. */
  @OnWorkerEvent('error')
  onError(err: Error): void {
    this.failures.error('worker', err, { queue: this.queue }, 'worker error');
  }
}

@Processor(QueueName.Design)
export class DesignProcessor extends PhaseQueueProcessor {
  protected readonly queue = QueueName.Design;
}

@Processor(QueueName.Training)
export class TrainingProcessor extends PhaseQueueProcessor {
  protected readonly queue = QueueName.Training;
}

@Processor(QueueName.Backtest)
export class BacktestProcessor extends PhaseQueueProcessor {
  protected readonly queue = QueueName.Backtest;
}

@Processor(QueueName.Assessment)
export class AssessmentProcessor extends PhaseQueueProcessor {
  protected readonly queue = QueueName.Assessment;
}

/** The walk-forward fold queue: one fold's training or prediction per job, under its phase child. */
@Processor(QueueName.Fold)
export class FoldProcessor extends WorkerHost {
  constructor(
    private readonly runner: PhaseRunner,
    @Inject(FOLD_EXECUTOR) private readonly executor: FoldExecutor,
    @Inject(WORKER_LOGGER) private readonly log: Logger,
    @Inject(WORKER_FAILURES) private readonly failures: ThrottledLogger,
  ) {
    super();
  }

  process(job: Job<FoldJob['data'], unknown, FoldJob['name']>, _token?: string, signal?: AbortSignal): Promise<PhaseOutcome> {
    return this.runner.runFold(job, this.worker, this.executor, signal);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    this.log.warn({ queue: QueueName.Fold, operation_id: job?.id, err: err.message }, 'job failed');
  }

  @OnWorkerEvent('error')
  onError(err: Error): void {
    this.failures.error('worker', err, { queue: QueueName.Fold }, 'worker error');
  }
}
