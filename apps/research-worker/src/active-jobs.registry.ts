import { RedisKeys, isTerminal, type OperationStatus } from '@ktrdr/operations';
import type { Logger } from '@ktrdr/runtime';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { ThrottledLogger } from './throttled.logger.js';

interface ActiveJob {
  controller: AbortController;
  worker: Worker;
  /** The operations above it (a phase's cycle; a fold's phase child and cycle): a cancel message naming one aborts it. */
  ancestors: readonly string[];
  /** When the cancel that aborted it was requested (epoch ms, from the cancel message), for the latency metric. */
  cancelRequestedAt?: number;
}

/**
 * The phase jobs this process is running, by operation id (= job id). Two paths stop them:
 * the pub/sub cancel message (fast) and a short poll of the durable status (catches a missed
 * message within `pollMs`). Both end in BullMQ's `worker.cancelJob`, which fires the job's
 * AbortSignal; the local controller is aborted too in case the job's signal was never created.
 */
export class ActiveJobs {
  private readonly jobs = new Map<string, ActiveJob>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private readonly failures: ThrottledLogger;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly pollMs: number,
    private readonly log: Logger,
    failures?: ThrottledLogger,
  ) {
    this.failures = failures ?? new ThrottledLogger(log);
  }

  register(operationId: string, controller: AbortController, worker: Worker, ancestors: readonly string[] = []): void {
    this.jobs.set(operationId, { controller, worker, ancestors });
    if (!this.timer) {
      this.timer = setInterval(() => void this.recheck(), this.pollMs);
      this.timer.unref();
    }
  }

  unregister(operationId: string): void {
    this.jobs.delete(operationId);
    if (this.jobs.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  ids(): string[] {
    return [...this.jobs.keys()];
  }

  /** Aborts the job of `operationId` if this process holds it; returns whether it did. */
  abort(operationId: string, reason: string, requestedAt?: number): boolean {
    const job = this.jobs.get(operationId);
    if (!job || job.controller.signal.aborted) return false;
    job.cancelRequestedAt = requestedAt;
    job.worker.cancelJob(operationId, reason);
    job.controller.abort(reason);
    this.log.info({ operation_id: operationId, reason }, 'job aborted');
    return true;
  }

  /**
   * A cancel message names the cancelled root (cancelAndAnnounce): abort the job of that operation
   * and the jobs of its descendants. Returns how many this process aborted.
   */
  abortTree(rootId: string, reason: string, requestedAt?: number): number {
    let n = 0;
    for (const [id, job] of this.jobs) if ((id === rootId || job.ancestors.includes(rootId)) && this.abort(id, reason, requestedAt)) n++;
    return n;
  }

  cancelRequestedAt(operationId: string): number | null {
    return this.jobs.get(operationId)?.cancelRequestedAt ?? null;
  }

  abortAll(reason: string): void {
    for (const id of this.ids()) this.abort(id, reason);
  }

  /** Re-reads the durable status of every held job and aborts those that became terminal. */
  async recheck(): Promise<void> {
    if (this.polling || this.jobs.size === 0) return;
    this.polling = true;
    try {
      const ids = this.ids();
      const pipe = this.redis.pipeline();
      for (const id of ids) pipe.hget(this.keys.op(id), 'status');
      const replies = (await pipe.exec()) ?? [];
      replies.forEach(([err, status], i) => {
        if (!err && typeof status === 'string' && isTerminal(status as OperationStatus)) this.abort(ids[i]!, `Operation ${status}`);
      });
    } catch (e) {
      this.failures.warn('status-recheck', e, {}, 'durable status re-check failed; will retry');
    } finally {
      this.polling = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
