import type { ConnectionOptions } from 'bullmq';
import { QUEUE_NAMES, jobIdFor, type JobOf, type QueueName } from './queue.contract.js';
import { createQueue, enqueue, type TypedQueue } from './queue.factory.js';

/** Typed producer for every queue of the contract; used by the API and by the orchestrator. */
export class QueueProducer {
  private readonly queues = new Map<QueueName, TypedQueue<QueueName>>();

  constructor(
    private readonly connection: ConnectionOptions,
    private readonly prefix: string,
  ) {}

  queue<Q extends QueueName>(name: Q): TypedQueue<Q> {
    let q = this.queues.get(name);
    if (!q) {
      q = createQueue(name, this.connection, this.prefix) as unknown as TypedQueue<QueueName>;
      this.queues.set(name, q);
    }
    return q as unknown as TypedQueue<Q>;
  }

  enqueue<Q extends QueueName>(name: Q, job: JobOf<Q>): Promise<string> {
    return enqueue(this.queue(name), job);
  }

  /**
   * Enqueue again after a loss. A job id that still names a finished (failed or completed) job
   * would make `add` a silent no-op, so that old job is removed first.
   */
  async requeue<Q extends QueueName>(name: Q, job: JobOf<Q>): Promise<string> {
    const existing = await this.queue(name).getJob(jobIdFor(name, job));
    if (existing) {
      const state = await existing.getState();
      if (state === 'completed' || state === 'failed') await existing.remove();
    }
    return this.enqueue(name, job);
  }

  /** Job counts per queue, for health and metrics. */
  async counts(): Promise<Record<QueueName, Record<string, number>>> {
    const entries = await Promise.all(
      QUEUE_NAMES.map(async (n) => [n, await this.queue(n).getJobCounts('waiting', 'active', 'delayed', 'failed')] as const),
    );
    return Object.fromEntries(entries) as Record<QueueName, Record<string, number>>;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
