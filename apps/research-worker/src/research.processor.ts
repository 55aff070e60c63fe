import { QueueName, type ResearchJob } from '@ktrdr/queues';
import type { Logger } from '@ktrdr/runtime';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import type { Job } from 'bullmq';
import { CampaignDriver } from './campaign.driver.js';
import { Orchestrator } from './orchestrator.service.js';
import { Reconciler } from './reconciler.service.js';
import type { ThrottledLogger } from './throttled.logger.js';
import { WORKER_FAILURES, WORKER_LOGGER } from './worker.providers.js';

/**
 * Thin processor of the research queue: hands each event to the orchestrator, and each tick of the
 * reconcile job scheduler to the reconciler. Worker options (concurrency, lock, stalled handling)
 * come from the configuration: WorkerModule.forConfig applies them (processor.options.ts).
 */
@Processor(QueueName.Research)
export class ResearchProcessor extends WorkerHost {
  constructor(
    private readonly orchestrator: Orchestrator,
    private readonly campaigns: CampaignDriver,
    private readonly reconciler: Reconciler,
    @Inject(WORKER_LOGGER) private readonly log: Logger,
    @Inject(WORKER_FAILURES) private readonly failures: ThrottledLogger,
  ) {
    super();
  }

  async process(job: Job<ResearchJob['data'], unknown, ResearchJob['name']>): Promise<void> {
    const { data } = job;
    if (job.name === 'reconcile') return this.reconciler.runOnce();
    if (job.name === 'campaign-start' && 'campaign_operation_id' in data) return this.campaigns.start(data.campaign_operation_id);
    if (job.name === 'campaign-step' && 'campaign_operation_id' in data) return this.campaigns.step(data.campaign_operation_id);
    if (job.name === 'start' && 'parent_operation_id' in data) return this.orchestrator.start(data.parent_operation_id);
    if ('child_operation_id' in data) return this.orchestrator.childFinished(data.parent_operation_id, data.child_operation_id);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    this.log.warn(
      {
        queue: QueueName.Research,
        job_id: job?.id,
        operation_id: (job?.data as { parent_operation_id?: string } | undefined)?.parent_operation_id,
        err: err.message,
      },
      'job failed',
    );
  }

  /** BullMQ retries a refused fetch at once, so a Redis refusing writes makes this fire thousands of times a second. */
  @OnWorkerEvent('error')
  onError(err: Error): void {
    this.failures.error('worker', err, { queue: QueueName.Research }, 'worker error');
  }
}
