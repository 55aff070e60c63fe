import { currentChildId, phaseOfOperationType, readCycleParameters } from '@ktrdr/agent-domain';
import { ErrorCode, WorkerError } from '@ktrdr/errors';
import { OperationStatus, type OperationInfo, type OperationsStore } from '@ktrdr/operations';
import { PHASE_QUEUE, type QueueProducer } from '@ktrdr/queues';
import type { Logger } from '@ktrdr/runtime';
import type { Redis } from 'ioredis';
import type { ActivePhase } from '@ktrdr/agent-domain';
import type { ModelBlobs } from './executors/model.blobs.js';
import type { CampaignDriver } from './campaign.driver.js';
import type { Orchestrator } from './orchestrator.service.js';
import { heartbeatKey } from './phase.runner.js';
import { PhaseTimeoutError } from './phase.timeout.js';
import { ThrottledLogger } from './throttled.logger.js';

/**
 * The worker holding a phase enforces its deadline itself; this pass only steps in a little later,
 * for a phase whose worker died or whose executor ignores its signal, so the two rarely race (and
 * if they do, both write the same failure and the store keeps the first).
 */
const DEADLINE_GRACE_MS = 2000;

export interface ReconcilerOptions {
  /** Deadline per phase in ms (the same KTRDR_PHASE_TIMEOUT_MS / KTRDR_PHASE_TIMEOUTS every worker reads). */
  timeouts?: Partial<Record<ActivePhase, number>>;
  /** Where repeated failures of the pass are logged (shared by the process); default: one over `log`. */
  failures?: ThrottledLogger;
  /** Takes a running campaign's step each pass (the orchestrator process's campaign driver). */
  campaigns?: Pick<CampaignDriver, 'step'>;
  /** Removes what a child whose worker died had stored (its models): nobody else will. */
  models?: Pick<ModelBlobs, 'discardRun'>;
}

/**
 * The periodic back-up of the event-driven path, run by the research queue's job scheduler (one
 * `reconcile` job per KTRDR_RECONCILE_INTERVAL_MS across all orchestrators). Events can be lost (a process killed between
 * writing a status and enqueueing the notice); this pass finds what they left behind:
 * - a running child past its deadline → the child fails "worker timeout after …" (PHASE_TIMEOUT);
 * - a running child whose heartbeat expired: its worker died → the child fails "worker lost";
 * - a pending child or cycle with no job: the job is queued again (ids make that idempotent);
 * - a running cycle whose current child already ended: the cycle is advanced.
 */
export class Reconciler {
  private busy = false;
  private readonly failures: ThrottledLogger;

  constructor(
    private readonly store: OperationsStore,
    private readonly producer: QueueProducer,
    private readonly orchestrator: Orchestrator,
    private readonly redis: Redis,
    _prefix: string, // kept for callers; liveness no longer reads BullMQ keys
    private readonly lockMs: number,
    _intervalMs: number, // the research queue's job scheduler runs the pass (worker.runtime.ts)
    private readonly log: Logger,
    private readonly opts: ReconcilerOptions = {},
  ) {
    this.failures = opts.failures ?? new ThrottledLogger(log);
  }

  async runOnce(now: number = Date.now()): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const op of await this.store.allActive()) await this.reconcile(op, now);
    } catch (e) {
      this.failures.warn('reconcile', e, {}, 'reconcile pass failed; will retry');
    } finally {
      this.busy = false;
    }
  }

  private async reconcile(op: OperationInfo, now: number): Promise<void> {
    const phase = phaseOfOperationType(op.operation_type);
    const age = now - Date.parse(op.started_at ?? op.created_at);
    if (op.operation_type === 'agent_campaign') {
      // Idempotent: a step that has nothing to do does nothing. Running it every pass is what carries
      // a campaign on after a crash, a missed notice or a cycle cancelled on its own.
      if (op.status === OperationStatus.Pending && age > this.lockMs) {
        await this.producer.requeue('research', { name: 'campaign-start', data: { campaign_operation_id: op.operation_id } });
      } else if (op.status === OperationStatus.Running && this.opts.campaigns) {
        await this.opts.campaigns
          .step(op.operation_id)
          .catch((e: unknown) => this.failures.warn('campaign-step', e, { operation_id: op.operation_id }, 'campaign step failed; will retry'));
      }
      return;
    }
    if (op.operation_type === 'agent_research') {
      if (op.status === OperationStatus.Pending && age > this.lockMs) {
        await this.producer.requeue('research', { name: 'start', data: { parent_operation_id: op.operation_id } });
      } else if (op.status === OperationStatus.Running) {
        const childId = currentChildId(readCycleParameters(op.metadata.parameters));
        const child = childId ? await this.store.get(childId) : null;
        if (child && child.status !== OperationStatus.Pending && child.status !== OperationStatus.Running) {
          await this.orchestrator.childFinished(op.operation_id, child.operation_id);
        }
      }
      return;
    }
    if (op.operation_type === 'training_fold' || op.operation_type === 'backtest_fold') return this.reconcileFold(op, age);
    if (!phase || !op.parent_operation_id) return;
    const queue = PHASE_QUEUE[phase];
    const timeoutMs = this.opts.timeouts?.[phase];
    if (op.status === OperationStatus.Running && timeoutMs !== undefined && age > timeoutMs + DEADLINE_GRACE_MS) {
      const timeout = new PhaseTimeoutError(phase, timeoutMs);
      const out = await this.store.fail(op.operation_id, timeout.message, { failure: { queue, ...timeout.details } }, timeout.code);
      if (out.applied) {
        this.log.warn({ operation_id: op.operation_id, parent_operation_id: op.parent_operation_id, queue }, 'phase past its deadline; child failed');
        await this.orchestrator.childFinished(op.parent_operation_id, op.operation_id);
      }
      return;
    }
    if (op.status === OperationStatus.Running && age > this.lockMs) {
      // The phase runner keeps this key alive while it works (our key, not BullMQ's private lock).
      if (await this.redis.exists(heartbeatKey(this.store, op.operation_id))) return;
      const seconds = Math.round(this.lockMs / 1000);
      const lost = new WorkerError(ErrorCode.WorkerLost, `worker lost: job stalled and was not resumed within ${seconds}s`);
      const out = await this.store.fail(op.operation_id, lost.message, { failure: { queue } }, lost.code);
      if (out.applied) {
        this.log.warn({ operation_id: op.operation_id, parent_operation_id: op.parent_operation_id, queue }, 'worker lost; child failed');
        await this.opts.models
          ?.discardRun(op.operation_id)
          .catch((e: unknown) => this.failures.warn('discard', e, { operation_id: op.operation_id }, 'models of a lost child not removed'));
        await this.orchestrator.childFinished(op.parent_operation_id, op.operation_id);
      }
    } else if (op.status === OperationStatus.Pending && age > this.lockMs) {
      await this.producer.requeue(queue, { name: 'run', data: { operation_id: op.operation_id, parent_operation_id: op.parent_operation_id } });
    }
  }

  /**
   * A walk-forward fold: its phase child waits on its record, so a fold whose worker died is failed
   * "worker lost" (the phase child then fails naming the fold), and a fold job lost before it was
   * picked up is queued again. The phase child's own deadline bounds the rest.
   */
  private async reconcileFold(op: OperationInfo, age: number): Promise<void> {
    const parentId = op.parent_operation_id;
    if (!parentId || age <= this.lockMs) return;
    if (op.status === OperationStatus.Running) {
      if (await this.redis.exists(heartbeatKey(this.store, op.operation_id))) return;
      const seconds = Math.round(this.lockMs / 1000);
      const lost = new WorkerError(ErrorCode.WorkerLost, `worker lost: job stalled and was not resumed within ${seconds}s`);
      const out = await this.store.fail(op.operation_id, lost.message, { failure: { queue: 'fold' } }, lost.code);
      if (out.applied) this.log.warn({ operation_id: op.operation_id, parent_operation_id: parentId }, 'worker lost; fold failed');
    } else if (op.status === OperationStatus.Pending) {
      const parent = await this.store.get(parentId);
      const cycleId = parent?.parent_operation_id;
      if (!cycleId) return;
      const name = op.operation_type === 'training_fold' ? 'train' : 'backtest';
      await this.producer.requeue('fold', { name, data: { operation_id: op.operation_id, parent_operation_id: parentId, cycle_operation_id: cycleId } });
    }
  }
}
