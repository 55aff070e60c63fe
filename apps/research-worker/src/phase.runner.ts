import {
  PHASE_RESULT_SCHEMAS,
  formatIssues,
  readCycleParameters,
  throwIfAborted,
  type ActivePhase,
  type ArtifactName,
  type PhaseContext,
  type PhaseExecutors,
  type ProgressView,
} from '@ktrdr/agent-domain';
import { CancelledError, ErrorCode, WorkerError, isKtrdrError, messageOf, type KtrdrError } from '@ktrdr/errors';
import { OperationNotFoundError, type OperationInfo, type OperationsStore } from '@ktrdr/operations';
import type { FoldJob, PhaseJob, QueueProducer } from '@ktrdr/queues';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ActiveJobs } from './active-jobs.registry.js';
import { PhaseTimeoutError, remainingMs } from './phase.timeout.js';
import { ProgressWriter } from './progress.writer.js';
import { describeRedisFailure, isTransientRedisFailure, type Logger } from '@ktrdr/runtime';
import { RECORD_RETRY, retryRefusedWrite, type RetryPolicy } from './refused-write.retry.js';
import { ThrottledLogger } from './throttled.logger.js';
import type { WorkerMetrics } from './worker.metrics.js';

export interface PhaseRunnerOptions {
  /** Deadline per phase in ms; absent: no deadline. */
  timeouts?: Partial<Record<ActivePhase, number>>;
  metrics?: WorkerMetrics;
  /**
   * How long a running phase's heartbeat key lives (refreshed every third of it). The reconciler
   * reads it to tell a live worker from a dead one (ours, not BullMQ's private lock key).
   */
  heartbeatMs?: number;
  /** Where repeated Redis failures are logged (shared by the process); default: one over `log`. */
  failures?: ThrottledLogger;
  /** How long a refused claim or outcome write is retried (default RECORD_RETRY). */
  recordRetry?: RetryPolicy;
}

/** The child-finished notice is retried for this long at most (the reconcile pass is its back-up). */
const NOTICE_RETRY: RetryPolicy = { ...RECORD_RETRY, budgetMs: 10_000 };

/** The liveness key of a running phase, beside its operation record (same `{ops}` hash tag). */
export function heartbeatKey(store: OperationsStore, operationId: string): string {
  return `${store.keys.base}hb:${operationId}`;
}

/** The executor's result, checked against the phase's schema at the edge (a drifted field fails here, by name). */
function checkedResult(phase: ActivePhase, result: unknown): Record<string, unknown> {
  const parsed = PHASE_RESULT_SCHEMAS[phase].safeParse(result);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  throw new WorkerError(ErrorCode.ExecutorFailed, `the ${phase} result is malformed: ${formatIssues(parsed.error.issues).slice(0, 3).join('; ')}`);
}

/** Where a phase's artifacts go: shared by every replica, so the API can serve them. */
export interface ArtifactSink {
  putAll(operationId: string, artifacts: Partial<Record<ArtifactName, unknown>>): Promise<void>;
  removeAll(operationId: string): Promise<void>;
}

export type PhaseOutcome = 'completed' | 'failed' | 'cancelled' | 'skipped';

/** What a fold job runs: the fold's own record says which fold and how (its metadata parameters). */
export interface FoldExecutor {
  execute(kind: FoldJob['name'], operation: OperationInfo, ctx: PhaseContext): Promise<{ result: unknown; discard?: () => Promise<void> }>;
}

/** One operation job as the runner sees it: a phase child or a fold. */
interface OperationSpec {
  id: string;
  parentId: string;
  /** Operations whose cancel message stops this job (its parent, and a fold's cycle). */
  ancestors: string[];
  /** The phase whose progress the cycle mirrors and whose deadline applies; null for a fold. */
  phase: ActivePhase | null;
  timeoutMs?: number;
  execute(
    signal: AbortSignal,
    report: (p: ProgressView) => void,
    operation: OperationInfo,
  ): Promise<{ result: unknown; artifacts?: Partial<Record<ArtifactName, unknown>>; discard?: () => Promise<void> }>;
  /** The result as it will be stored, or a thrown error naming what is wrong with it. */
  check(result: unknown): Record<string, unknown>;
  onCompleted?(result: Record<string, unknown>): void;
  /** After the outcome is recorded (the phase's notice to the orchestrator). */
  afterwards?(signal: AbortSignal): Promise<unknown>;
}

/**
 * Runs one phase job (and, through the same steps, one walk-forward fold job: runFold): claims the
 * child operation (pending → running), runs the phase executor
 * with an AbortSignal, records the outcome, and tells the orchestrator the child ended. A job
 * whose operation is already terminal (cancelled before pick-up) does nothing but that notice.
 */
export class PhaseRunner {
  private readonly failures: ThrottledLogger;

  constructor(
    private readonly store: OperationsStore,
    private readonly producer: QueueProducer,
    private readonly executors: PhaseExecutors,
    private readonly active: ActiveJobs,
    private readonly artifacts: ArtifactSink,
    private readonly telemetry: Redis,
    private readonly log: Logger,
    private readonly opts: PhaseRunnerOptions = {},
  ) {
    this.failures = opts.failures ?? new ThrottledLogger(log);
  }

  async run(phase: ActivePhase, job: Job<PhaseJob['data']>, worker: Worker, jobSignal?: AbortSignal): Promise<PhaseOutcome> {
    const { operation_id: id, parent_operation_id: parentId } = job.data;
    return this.runOperation(
      {
        id,
        parentId,
        ancestors: [parentId],
        phase,
        timeoutMs: this.opts.timeouts?.[phase],
        execute: async (signal, report) => {
          const parent = await this.store.get(parentId);
          throwIfAborted(signal);
          return this.executors[phase].execute(
            { operation_id: id, parent_operation_id: parentId, phase, cycle: readCycleParameters(parent?.metadata.parameters) },
            { signal, reportProgress: report },
          );
        },
        check: (result) => checkedResult(phase, result),
        onCompleted: (result) => this.opts.metrics?.llmUsage(result),
        // The orchestrator's notice. Retried briefly only: if it cannot be queued, the reconcile pass
        // advances the cycle from the records, so holding the job for it would gain nothing.
        afterwards: (signal) =>
          this.recorded(id, 'notice', () => this.notify(parentId, id), signal, NOTICE_RETRY).catch((e: unknown) =>
            this.failures.warn(
              'phase-notice',
              e,
              { operation_id: id, parent_operation_id: parentId },
              'child-finished notice not queued; the reconcile pass will advance the cycle',
            ),
          ),
      },
      worker,
      jobSignal,
    );
  }

  /**
   * Runs one walk-forward fold job: the same claim, heartbeat, cancel and outcome rules as a phase,
   * under its phase child (`parent_operation_id`) and cycle, whose cancel messages stop it too.
   * Nothing is told to the orchestrator: the phase child waits on the fold's record.
   */
  runFold(job: Job<FoldJob['data'], unknown, FoldJob['name']>, worker: Worker, executor: FoldExecutor, jobSignal?: AbortSignal): Promise<PhaseOutcome> {
    const { operation_id: id, parent_operation_id: parentId, cycle_operation_id: cycleId } = job.data;
    return this.runOperation(
      {
        id,
        parentId,
        ancestors: [parentId, cycleId],
        phase: null,
        execute: (signal, report, operation) => executor.execute(job.name, operation, { signal, reportProgress: report }),
        // The fold work parses its own result with the fold schema the phase child reads it with.
        check: (result) => result as Record<string, unknown>,
      },
      worker,
      jobSignal,
    );
  }

  private async runOperation(spec: OperationSpec, worker: Worker, jobSignal?: AbortSignal): Promise<PhaseOutcome> {
    const { id, parentId, phase } = spec;
    const controller = new AbortController();
    const forward = (): void => controller.abort(jobSignal?.reason);
    jobSignal?.addEventListener('abort', forward, { once: true });
    // Registered before the claim, so a cancel landing between claim and execute is not missed.
    this.active.register(id, controller, worker, spec.ancestors);
    const progress = new ProgressWriter(this.store, id, parentId, phase, this.failures);
    const record = <T>(what: string, write: () => Promise<T>, policy = this.opts.recordRetry): Promise<T> =>
      this.recorded(id, what, write, controller.signal, policy);
    let outcome: PhaseOutcome = 'skipped';
    let deadline: NodeJS.Timeout | undefined;
    let heartbeat: NodeJS.Timeout | undefined;
    let claimedAt: number | null = null;
    try {
      // The claim is atomic and refuses a terminal operation: a job picked up after its operation
      // was cancelled does nothing but tell the orchestrator.
      const claimed = await record('claim', () => this.store.start(id, { percentage: 0, current_step: 'Starting...', steps_completed: 0, steps_total: 0 }));
      if (claimed.applied) {
        claimedAt = performance.now();
        heartbeat = this.startHeartbeat(id);
        const timeoutMs = spec.timeoutMs;
        if (timeoutMs !== undefined && phase) {
          // The deadline aborts the same signal a cancel does, with a reason that says it was the clock.
          const timeout = new PhaseTimeoutError(phase, timeoutMs);
          deadline = setTimeout(
            () => {
              if (controller.signal.aborted) return;
              this.log.warn({ operation_id: id, parent_operation_id: parentId, phase, timeout_ms: timeoutMs }, 'phase deadline passed; stopping it');
              controller.abort(timeout);
            },
            remainingMs(claimed.operation.started_at, timeoutMs),
          );
        }
        const output = await spec.execute(controller.signal, (p) => progress.report(p), claimed.operation);
        await progress.flush();
        try {
          throwIfAborted(controller.signal);
          const result = spec.check(output.result);
          // The finished phase's outcome is worth waiting for: while Redis refuses it, it is retried
          // (the heartbeat goes on, so the phase does not read "worker lost"), and only past the
          // retry budget does the phase fail, saying why.
          const done = await record('result', async () => {
            // Artifacts go in before the completing write, so a reader who sees `completed` finds them.
            if (output.artifacts) await this.artifacts.putAll(id, output.artifacts);
            return this.store.complete(id, result, {
              progress: { percentage: 100, current_step: 'Done', steps_completed: 1, steps_total: 1 },
            });
          }).catch((e: unknown) => {
            throw isTransientRedisFailure(e) ? new WorkerError(ErrorCode.BackendUnavailable, `could not record the result: ${describeRedisFailure(e)}`) : e;
          });
          outcome = done.applied ? 'completed' : 'cancelled';
          if (done.applied) spec.onCompleted?.(result);
        } finally {
          // A child that did not complete (cancelled at the last moment, malformed result) keeps
          // nothing: no artifacts, no model or strategy files.
          if (outcome !== 'completed') await this.undo(id, output.discard);
        }
      }
    } catch (e) {
      if (e instanceof OperationNotFoundError && e.operationId === id) {
        this.log.warn({ operation_id: id }, 'job for an unknown operation ignored');
        return 'skipped';
      }
      await progress.flush();
      try {
        outcome = await this.recordFailure(id, e, controller.signal);
      } catch (writeError) {
        // Redis refused even the failure for the whole budget (or the worker is stopping). Left
        // running, the record is failed by the reconcile pass once the heartbeat below is gone.
        this.log.error({ operation_id: id, phase, err: messageOf(writeError), outcome: messageOf(e) }, 'phase outcome not recorded');
        throw writeError;
      }
    } finally {
      clearTimeout(deadline);
      clearInterval(heartbeat);
      jobSignal?.removeEventListener('abort', forward);
      this.active.unregister(id);
      if (heartbeat) await this.telemetry.del(heartbeatKey(this.store, id)).catch(() => undefined);
    }
    if (claimedAt !== null && phase) this.opts.metrics?.phaseDuration.observe({ phase }, (performance.now() - claimedAt) / 1000);
    await spec.afterwards?.(controller.signal);
    return outcome;
  }

  /**
   * One write of the phase's record, retried while Redis refuses it (retryRefusedWrite); each
   * refusal is logged through the throttled logger, and a write that lands after refusals says so.
   */
  private async recorded<T>(id: string, what: string, write: () => Promise<T>, signal: AbortSignal, policy?: RetryPolicy): Promise<T> {
    let refusedSince: number | null = null;
    const out = await retryRefusedWrite(write, {
      policy,
      signal,
      onRefused: (e) => {
        refusedSince ??= Date.now();
        this.failures.warn(`phase-${what}`, e, { operation_id: id }, `phase ${what} not recorded yet; retrying`);
      },
    });
    if (refusedSince !== null) this.log.info({ operation_id: id, refused_ms: Date.now() - refusedSince }, `phase ${what} recorded after Redis refused it`);
    return out;
  }

  private startHeartbeat(id: string): NodeJS.Timeout | undefined {
    const ttl = this.opts.heartbeatMs;
    if (!ttl) return undefined;
    const key = heartbeatKey(this.store, id);
    // SET is refused when Redis is out of memory; PEXPIRE is not (it adds nothing), so a phase whose
    // writes are refused still looks alive while it retries its outcome.
    const beat = (): void =>
      void this.telemetry
        .set(key, String(process.pid), 'PX', ttl)
        .catch(() => this.telemetry.pexpire(key, ttl))
        .catch((e: unknown) => this.failures.warn('heartbeat', e, { operation_id: id }, 'phase heartbeat not written'));
    beat();
    const timer = setInterval(beat, Math.max(50, Math.floor(ttl / 3)));
    timer.unref();
    return timer;
  }

  private async undo(id: string, discard?: () => Promise<void>): Promise<void> {
    await this.artifacts
      .removeAll(id)
      .catch((e: unknown) => this.log.warn({ operation_id: id, err: messageOf(e) }, 'artifacts of an unfinished child not removed'));
    await discard?.().catch((e: unknown) => this.log.warn({ operation_id: id, err: messageOf(e) }, 'files of an unfinished child not removed'));
  }

  private async recordFailure(id: string, error: unknown, signal: AbortSignal): Promise<PhaseOutcome> {
    // Checked first: a deadline aborts the signal too, and it is a failure, never a cancel.
    if (signal.reason instanceof PhaseTimeoutError) {
      this.log.warn({ operation_id: id, error: signal.reason.message, code: signal.reason.code }, 'phase timed out');
      return this.fail(id, signal.reason, signal);
    }
    if (signal.aborted || error instanceof CancelledError) {
      await this.recordComputeStopped(id);
      // Normally the store already says cancelled (the cancel wrote it first). If not, the abort
      // came from this process shutting down: report that rather than leaving it running.
      const why = typeof signal.reason === 'string' ? signal.reason : messageOf(error);
      return this.fail(id, new WorkerError(ErrorCode.WorkerStopped, `worker stopped during the phase: ${why}`), signal);
    }
    // Executors may throw typed errors (their code is kept); a Redis refusal says so; anything else is an executor failure.
    const typed = isKtrdrError(error)
      ? error
      : isTransientRedisFailure(error)
        ? new WorkerError(ErrorCode.BackendUnavailable, describeRedisFailure(error))
        : new WorkerError(ErrorCode.ExecutorFailed, messageOf(error));
    this.log.warn({ operation_id: id, error: typed.message, code: typed.code }, 'phase failed');
    return this.fail(id, typed, signal);
  }

  private async fail(id: string, error: KtrdrError, signal: AbortSignal): Promise<PhaseOutcome> {
    const out = await this.recorded(
      id,
      'failure',
      () => this.store.fail(id, error.message, error.details ? { failure: error.details } : undefined, error.code),
      signal,
    );
    return out.applied ? 'failed' : 'cancelled';
  }

  private async recordComputeStopped(id: string): Promise<void> {
    const requestedAt = this.active.cancelRequestedAt(id);
    if (requestedAt !== null) this.opts.metrics?.cancelLatency.observe(Math.max(0, Date.now() - requestedAt) / 1000);
    const key = this.store.keys.computeStopped();
    const entry = JSON.stringify({ operation_id: id, stopped_at: performance.timeOrigin + performance.now() });
    await this.telemetry
      .multi()
      .lpush(key, entry)
      .ltrim(key, 0, 4999)
      .exec()
      .catch(() => undefined);
  }

  private async notify(parentId: string, childId: string): Promise<void> {
    await this.producer.enqueue('research', { name: 'child-finished', data: { parent_operation_id: parentId, child_operation_id: childId } });
  }
}
