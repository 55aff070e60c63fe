import type { ConnectionOptions } from 'bullmq';
import { QUEUE_NAMES, jobIdFor, type JobOf, type QueueName } from './queue.contract.js';
import { createQueue, enqueue, type TypedQueue } from './queue.factory.js';

/** The queue of a contract name: how a producer reaches queues it did not necessarily make. */
export type QueueLookup = <Q extends QueueName>(name: Q) => TypedQueue<Q>;

/** One made queue per name of the contract (what the API's `@InjectQueue` registrations provide). */
export type QueueSet = { readonly [Q in QueueName]: TypedQueue<Q> };

/**
 * Typed producer for every queue of the contract; used by the API and by the orchestrator. It works
 * over queues made elsewhere (the API's, registered through BullModule and closed by @nestjs/bullmq)
 * or, through `QueueProducer.connect`, over queues it makes and owns itself (the worker's).
 */
export class QueueProducer {
  /**
   * @param lookup resolves a queue by name; it must return the same queue for the same name.
   * @param release what `close` does: closes the queues this producer owns. The default owns none,
   *   so queues lent by their maker are never closed twice.
   */
  constructor(
    private readonly lookup: QueueLookup,
    private readonly release: () => Promise<void> = async () => undefined,
  ) {}

  /**
   * Makes its own queues (each on first use, so the constructor does no I/O and a process opens a
   * connection only for the queues it touches) and closes them on `close`.
   */
  static connect(connection: ConnectionOptions, prefix: string): QueueProducer {
    const made = new Map<QueueName, TypedQueue<QueueName>>();
    const lookup: QueueLookup = <Q extends QueueName>(name: Q) => {
      let q = made.get(name);
      if (!q) {
        q = createQueue(name, connection, prefix) as unknown as TypedQueue<QueueName>;
        made.set(name, q);
      }
      return q as unknown as TypedQueue<Q>;
    };
    return new QueueProducer(lookup, async () => {
      await Promise.all([...made.values()].map((q) => q.close()));
    });
  }

  queue<Q extends QueueName>(name: Q): TypedQueue<Q> {
    return this.lookup(name);
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
    const entries = await Promise.all(QUEUE_NAMES.map(async (n) => [n, await this.queue(n).getJobCounts('waiting', 'active', 'delayed', 'failed')] as const));
    return Object.fromEntries(entries) as Record<QueueName, Record<string, number>>;
  }

  /** Closes the queues this producer owns (none when they were handed to it). */
  close(): Promise<void> {
    return this.release();
  }
}
