import {
  PHASE_TABLE,
  decideAfterChild,
  phaseOfOperationType,
  readCycleParameters,
  firstPhase,
  resumeFirstPhase,
  resumeNeedsModel,
  resumeSourceOf,
  type CycleAction,
  type ChildSnapshot,
  type CycleSnapshot,
  type GateThresholds,
} from '@ktrdr/agent-domain';
import { ErrorCode, WorkerError, messageOf } from '@ktrdr/errors';
import {
  OperationFinishedError,
  OperationNotFoundError,
  ParentMovedError,
  ParentNotRunningError,
  cancelAndAnnounce,
  newOperationId,
  type CancelChannel,
  type OperationInfo,
  type OperationsStore,
} from '@ktrdr/operations';
import { PHASE_QUEUE, type QueueProducer } from '@ktrdr/queues';
import type { Logger } from '@ktrdr/runtime';
import type { Redis } from 'ioredis';
import { join } from 'node:path';
import type { ModelBlobs } from './executors/model.blobs.js';
import type { WorkerMetrics } from './worker.metrics.js';

/** A record as the state machine reads it: the cycle's parameters parsed once, here. */
const snapshot = (op: OperationInfo): CycleSnapshot & ChildSnapshot => ({
  operation_id: op.operation_id,
  status: op.status,
  parameters: readCycleParameters(op.metadata.parameters),
  result_summary: op.result_summary,
  error_message: op.error_message,
  failure_code: op.failure_code,
});

/**
 * Drives research cycles: starts them and advances them when a child ends. It asks the pure
 * state machine (agent-domain) what to do and performs it against the store; every step is
 * atomic and idempotent, so duplicate events and concurrent orchestrators are harmless.
 */
export class Orchestrator {
  constructor(
    private readonly store: OperationsStore,
    private readonly producer: QueueProducer,
    private readonly cancelChannel: CancelChannel,
    private readonly publisher: Redis,
    private readonly gates: GateThresholds,
    private readonly strategiesDir: string,
    private readonly log: Logger,
    private readonly metrics?: WorkerMetrics,
    private readonly models?: ModelBlobs,
  ) {}

  async start(parentId: string): Promise<void> {
    const started = await this.store.start(parentId).catch((e: unknown) => {
      if (e instanceof OperationNotFoundError) return null;
      throw e;
    });
    if (!started?.applied) return; // unknown, already started, or cancelled before we got to it
    const parameters = readCycleParameters(started.operation.metadata.parameters);
    // A resumed cycle was created holding its reused phases' keys; it starts at its start phase.
    const resumed = resumeFirstPhase(parameters);
    if (resumed) return this.perform(started.operation, resumed);
    const name = parameters.strategy;
    await this.perform(started.operation, firstPhase({ strategy: name }, name ? join(this.strategiesDir, `${name}.yaml`) : null));
  }

  async childFinished(parentId: string, childId: string): Promise<void> {
    const [parent, child] = await Promise.all([this.store.get(parentId), this.store.get(childId)]);
    if (!parent || !child) return;
    const action = decideAfterChild(snapshot(parent), snapshot(child), this.gates);
    this.countGate(parent, child, action);
    await this.perform(parent, action);
    if (parent.parent_operation_id) await this.tellCampaign(parent.parent_operation_id, parentId);
  }

  /**
   * A campaign's cycle that has ended (now, or earlier by a cancel of its own) is the campaign's next
   * step: one job per cycle (its id is the cycle's), so a repeated notice is one step. Not queued,
   * the reconcile pass takes the step instead.
   */
  private async tellCampaign(campaignId: string, cycleId: string): Promise<void> {
    const cycle = await this.store.get(cycleId);
    if (!cycle || cycle.status === 'pending' || cycle.status === 'running') return;
    await this.producer
      .enqueue('research', { name: 'campaign-step', data: { campaign_operation_id: campaignId, cycle_operation_id: cycleId } })
      .catch((e: unknown) =>
        this.log.warn(
          { operation_id: campaignId, cycle_operation_id: cycleId, err: messageOf(e) },
          'campaign step not queued; the reconcile pass will take it',
        ),
      );
  }

  /** A completed training or backtest child of a running cycle meets its gate: pass, fail or bypassed. */
  private countGate(parent: OperationInfo, child: OperationInfo, action: CycleAction): void {
    const phase = phaseOfOperationType(child.operation_type);
    const gate = phase ? PHASE_TABLE[phase].gate : null;
    if (!this.metrics || !gate || child.status !== 'completed' || parent.status !== 'running' || action.kind === 'ignore') return;
    const bypassed = readCycleParameters(parent.metadata.parameters).bypass_gates;
    const failed = action.kind === 'fail' && action.error.code === ErrorCode.GateFailed;
    this.metrics.gateResults.inc({ gate, result: failed ? 'fail' : bypassed ? 'bypassed' : 'pass' });
  }

  private async perform(parent: OperationInfo, action: CycleAction): Promise<void> {
    const parentId = parent.operation_id;
    switch (action.kind) {
      case 'ignore':
        this.log.debug({ operation_id: parentId, why: action.why }, 'cycle event ignored');
        return;
      case 'start_phase':
        return this.startPhase(parent, action);
      case 'complete': {
        const out = await this.store.complete(parentId, action.result, { progress: action.progress, parameters: action.parameters });
        if (out.applied) {
          this.metrics?.cycleEnded('completed', parent.started_at);
          this.log.info({ operation_id: parentId, verdict: action.result['verdict'] }, 'research cycle completed');
          await this.releaseModels(parentId, out.operation);
        }
        return;
      }
      case 'fail': {
        const { error } = action;
        // The code is a field of the record (failure_code); the details stay beside the cycle's state.
        const out = await this.store.fail(parentId, error.message, { ...action.parameters, ...(error.details ? { failure: error.details } : {}) }, error.code);
        if (out.applied) {
          this.metrics?.cycleEnded('failed', parent.started_at);
          // A gate's refusal is a research outcome, not an operational problem: info, not warn.
          const level = error.code === ErrorCode.GateFailed ? 'info' : 'warn';
          this.log[level]({ operation_id: parentId, error: error.message, code: error.code }, 'research cycle failed');
          // Refused at the training gate, a resume trains again: the models are not kept for it.
          // Its children are read only when the cycle stored a model: a failure before training has none to keep.
          if (readCycleParameters(out.operation.metadata.parameters).model_path) {
            const source = await resumeSourceOf(out.operation, async (id) => (await this.store.get(id))?.status);
            if (!resumeNeedsModel(source)) await this.releaseModels(parentId, out.operation);
          }
        }
        return;
      }
      case 'cancel':
        try {
          await cancelAndAnnounce(this.store, this.cancelChannel, this.publisher, parentId, {
            reason: action.reason,
            childReason: 'Parent cancelled',
            source: 'orchestrator',
          });
          this.metrics?.cycleEnded('cancelled', parent.started_at);
          this.log.info({ operation_id: parentId, reason: action.reason }, 'research cycle cancelled after its child was');
        } catch (e) {
          if (!(e instanceof OperationFinishedError)) throw e;
        }
        return;
    }
  }

  /**
   * A cycle that ended where no resume can reuse its trained models (completed, or refused at the
   * training gate): its run (its own, or the one a resume reused) no longer needs holding and keeps
   * the store's retention TTL from now. Best effort: the cycle has already ended, and a model left
   * held only stays longer.
   */
  private async releaseModels(cycleId: string, cycle: OperationInfo): Promise<void> {
    const modelPath = readCycleParameters(cycle.metadata.parameters).model_path;
    if (!this.models || !modelPath) return;
    await this.models
      .release(modelPath)
      .catch((e: unknown) => this.log.warn({ operation_id: cycleId, model_path: modelPath, err: messageOf(e) }, 'models of a completed cycle not released'));
  }

  private async startPhase(parent: OperationInfo, action: Extract<CycleAction, { kind: 'start_phase' }>): Promise<void> {
    const row = PHASE_TABLE[action.phase];
    const childId = newOperationId(row.operationType);
    const parentId = parent.operation_id;
    try {
      // One atomic step: the child exists and the parent names it before any job can run it,
      // and only if the parent is still running and still in the phase we decided from.
      await this.store.create({
        id: childId,
        type: row.operationType,
        parentId,
        requireParentRunning: true,
        parentGuard: { parameter: 'phase', value: readCycleParameters(parent.metadata.parameters).phase },
        parameters: { phase: action.phase },
        parentParameters: { ...action.parameters, phase: action.phase, [row.childKey]: childId },
        parentProgress: action.progress,
      });
    } catch (e) {
      if (e instanceof ParentNotRunningError || e instanceof ParentMovedError) {
        this.log.debug({ operation_id: parentId, phase: action.phase, why: e.message }, 'phase not started');
        return;
      }
      throw e;
    }
    try {
      await this.producer.enqueue(PHASE_QUEUE[action.phase], { name: 'run', data: { operation_id: childId, parent_operation_id: parentId } });
    } catch (e) {
      const error = new WorkerError(ErrorCode.BackendUnavailable, `could not queue the ${action.phase} job: ${messageOf(e)}`);
      await this.store.fail(childId, error.message, undefined, error.code);
      await this.store.fail(
        parentId,
        `${row.label} failed: ${error.message}`,
        { failure: { phase: action.phase, cause_code: error.code } },
        ErrorCode.CycleFailed,
      );
      return;
    }
    this.log.info({ operation_id: parentId, child_operation_id: childId, phase: action.phase }, 'phase started');
  }
}
