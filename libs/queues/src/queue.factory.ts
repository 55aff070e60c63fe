import { Queue, type ConnectionOptions, type JobsOptions, type QueueOptions } from 'bullmq';
import { jobIdFor, type JobDataOf, type JobNameOf, type JobOf, type QueueName } from './queue.contract.js';

/** BullMQ opens its own connections from this (workers need `maxRetriesPerRequest: null`). */
export function bullConnection(redisUrl: string): ConnectionOptions {
  return { url: redisUrl, maxRetriesPerRequest: null };
}

/**
 * A producer's connection (the API's queues): it never blocks, so unlike a worker's it may fail
 * fast — an enqueue or a count while Redis is down fails at once (the route answers 503) instead
 * of waiting for Redis to come back. BullMQ still waits for the first connection by itself.
 */
export function producerConnection(redisUrl: string): ConnectionOptions {
  return { url: redisUrl, maxRetriesPerRequest: 1, enableOfflineQueue: false };
}

/** BullMQ keys live beside the operation keys, under the same deployment prefix. */
export function bullPrefix(prefix: string): string {
  return `${prefix}:bull`;
}

export type TypedQueue<Q extends QueueName> = Queue<JobDataOf<Q>, unknown, JobNameOf<Q>>;

/**
 * Completed and failed jobs are pruned: the operation record, not the job, is the history.
 * Jobs are not retried by BullMQ; a lost worker is reported as a failure (docs/ARCHITECTURE.md).
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 1,
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 1000 },
};

/**
 * The options every queue of a deployment is made with, whoever makes it: `createQueue` here and the
 * `BullModule.forRootAsync` registrations of the API and the worker. One helper, so a producer and a
 * consumer cannot disagree on the key prefix or the job defaults. `prefix` is the deployment prefix.
 */
export function queueOptions(connection: ConnectionOptions, prefix: string): QueueOptions {
  return { connection, prefix: bullPrefix(prefix), defaultJobOptions: DEFAULT_JOB_OPTIONS };
}

export function createQueue<Q extends QueueName>(name: Q, connection: ConnectionOptions, prefix: string): TypedQueue<Q> {
  return new Queue<JobDataOf<Q>, unknown, JobNameOf<Q>>(name, queueOptions(connection, prefix));
}

/** Enqueue through the contract: the job id is derived, never made up at the call site. */
export async function enqueue<Q extends QueueName>(queue: TypedQueue<Q>, job: JobOf<Q>): Promise<string> {
  const q = queue as unknown as Queue;
  const added = await q.add(job.name, job.data, { jobId: jobIdFor(queue.name as Q, job) });
  return added.id ?? jobIdFor(queue.name as Q, job);
}
