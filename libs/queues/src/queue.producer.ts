import type { ConnectionOptions } from 'bullmq';
import { QUEUE_NAMES, type JobOf, type QueueName } from './queue.contract.js';
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
