import {
  CYCLE_OPERATION_TYPE,
  DEFAULT_MODEL,
  currentChildId,
  initialCycleParameters,
  planResume,
  readCycleParameters,
  resolveModel,
  resumeSourceOf,
  type CycleParametersPatch,
} from '@ktrdr/agent-domain';
import { CancelSource, RefusalReason, type AgentStatus, type CycleCancelled } from '@ktrdr/api-contract';
import { BudgetExhaustedError, ErrorCode, KtrdrError } from '@ktrdr/errors';
import { AtCapacityError, BlobStore, BudgetLedger, OperationFinishedError, isOperationIdShape, type BudgetStatus, type OperationInfo } from '@ktrdr/operations';
import { StrategyStore } from '@ktrdr/strategies';
import { Injectable } from '@nestjs/common';
import type { ResumeRequest } from '@ktrdr/api-contract';
import type { TriggerBody } from './agent.dto.js';
import { Backend } from './backend.service.js';
import { AgentRefusal } from './error-envelope.filter.js';
import { missingResumeArtifact } from './resume-artifacts.service.js';

const CYCLE = CYCLE_OPERATION_TYPE as 'agent_research';
const seconds = (from: string | null, now: number): number => (from ? Math.max(0, (now - Date.parse(from)) / 1000) : 0);

function describe(op: OperationInfo, now: number) {
  const p = readCycleParameters(op.metadata.parameters);
  return {
    operation_id: op.operation_id,
    phase: p.phase,
    child_operation_id: currentChildId(p),
    strategy_name: p.strategy_name ?? null,
    duration_seconds: seconds(op.started_at ?? op.created_at, now),
    resumed_from: p.resumed_from ?? null,
  };
}

/** The agent API: trigger, status and cancel of research cycles. */
@Injectable()
export class AgentService {
  constructor(
    private readonly backend: Backend,
    private readonly strategies: StrategyStore,
    private readonly blobs: BlobStore,
  ) {}

  async trigger(body: TriggerBody) {
    const { config } = this.backend;
    const model = resolveModel(body.model ?? DEFAULT_MODEL, config.modelAliases)!;
    if (body.strategy) await this.requireStrategy(body.strategy);
    await this.assertBudget();
    const cycle = await this.createAndQueueCycle(
      initialCycleParameters({ model, brief: body.brief ?? null, strategy: body.strategy ?? null, bypass_gates: body.bypass_gates ?? false }),
    );
    return { triggered: true, operation_id: cycle.operation_id, model, message: 'Research cycle started' };
  }

  /**
   * Resumes a failed or cancelled cycle as a new cycle that reuses its finished phases and
   * starts at the first one that did not finish (or `from_phase`). Everything is checked before anything
   * starts — the cycle, the phase, the files the start phase reads, the budget — and the new parent is
   * created in one atomic step under the capacity limit, holding its reused keys; the orchestrator then
   * creates its first child exactly as for a trigger. The old cycle and its children are only read.
   */
  async resume(id: string, body: ResumeRequest) {
    const { store } = this.backend;
    const notFound = (): AgentRefusal =>
      new AgentRefusal(ErrorCode.OperationNotFound, {
        triggered: false,
        reason: RefusalReason.NotFound,
        operation_id: id.slice(0, 120),
        message: `Operation not found: ${id.slice(0, 120)}`,
      });
    // An id that cannot be an operation id is answered like an unknown one, without touching Redis.
    if (!isOperationIdShape(id)) throw notFound();
    const old = await store.get(id);
    if (!old) throw notFound();
    if (old.operation_type !== CYCLE) {
      throw new AgentRefusal(ErrorCode.NotResearch, {
        triggered: false,
        reason: RefusalReason.NotResearch,
        operation_id: id,
        message: `Operation ${id} (${old.operation_type}) is not a research cycle; only a research cycle can be resumed`,
      });
    }
    const decision = planResume(await resumeSourceOf(old, async (childId) => (await this.backend.store.get(childId))?.status), body.from_phase ?? null);
    if (!decision.ok && decision.kind === 'bad_from_phase') {
      throw new KtrdrError(ErrorCode.ValidationFailed, `Invalid body: from_phase: ${decision.message}`, {
        errors: [{ field: 'from_phase', message: decision.message }],
      });
    }
    const refuse = (message: string): AgentRefusal =>
      new AgentRefusal(ErrorCode.NotResumable, {
        triggered: false,
        reason: RefusalReason.NotResumable,
        operation_id: id,
        status: old.status,
        message: `Cannot resume ${id}: ${message}`,
      });
    if (!decision.ok) throw refuse(decision.message);
    const { plan } = decision;
    const gone = await missingResumeArtifact(plan.needs, this.strategies, this.blobs);
    if (gone) throw refuse(gone);
    const parameters = { ...plan.parameters };
    // A cycle started from a strategy before its first phase ran has a name but no path yet.
    if (plan.needs.strategy && typeof parameters['strategy_path'] !== 'string') parameters['strategy_path'] = this.strategies.pathOf(plan.needs.strategy);
    await this.assertBudget();
    const cycle = await this.createAndQueueCycle(parameters);
    return {
      triggered: true,
      operation_id: cycle.operation_id,
      resumed_from: id,
      start_phase: plan.start_phase,
      reused_phases: plan.reused_phases,
      message: 'Research cycle resumed',
    };
  }

  /** The old cycle and the status of each child its `*_op_id` keys name (by id: reused children may belong to an older cycle). */
  /** The new parent under the capacity limit (409 as for trigger), then its start job; a cycle that cannot be queued fails at once. */
  private async createAndQueueCycle(parameters: CycleParametersPatch): Promise<OperationInfo> {
    const { store, producer, config } = this.backend;
    let cycle: OperationInfo;
    try {
      cycle = await store.create({ type: CYCLE, capacity: config.maxConcurrentCycles, parameters });
    } catch (e) {
      if (!(e instanceof AtCapacityError)) throw e;
      throw this.capacityRefusal(e);
    }
    try {
      await producer.enqueue('research', { name: 'start', data: { parent_operation_id: cycle.operation_id } });
    } catch (e) {
      await store.fail(cycle.operation_id, `Could not queue the research cycle: ${(e as Error).message}`);
      throw e;
    }
    return cycle;
  }

  /** Today's LLM spend (UTC day) against KTRDR_DAILY_BUDGET_USD. */
  budget(): Promise<BudgetStatus> {
    return this.ledger.status();
  }

  /**
   * 429 `budget_exhausted` when today's LLM budget is spent: for trigger, and for any route
   * that starts a cycle. Workers enforce the same limit per Claude request through the ledger.
   */
  async assertBudget(): Promise<void> {
    const status = await this.ledger.status();
    if (!this.ledger.isExhausted(status)) return;
    const refusal = new BudgetExhaustedError({ date: status.date, spent_usd: status.spent_usd, limit_usd: status.limit_usd });
    throw new AgentRefusal(ErrorCode.BudgetExhausted, {
      triggered: false,
      reason: RefusalReason.BudgetExhausted,
      message: refusal.message,
      date: status.date,
      spent_usd: status.spent_usd,
      limit_usd: status.limit_usd,
      resets_at: `${new Date(Date.parse(status.date) + 86_400_000).toISOString().slice(0, 10)}T00:00:00Z`,
    });
  }

  private budgetLedger: BudgetLedger | null = null;
  /** Built on first use from the shared Redis connection (a field initializer could run before `backend` is set). */
  private get ledger(): BudgetLedger {
    this.budgetLedger ??= new BudgetLedger(this.backend.redis, this.backend.config.prefix, { limitUsd: this.backend.config.dailyBudgetUsd });
    return this.budgetLedger;
  }

  async status(): Promise<AgentStatus> {
    const { store, config } = this.backend;
    const now = Date.now();
    const active = await store.active(CYCLE);
    const capacity = { active: active.length, limit: config.maxConcurrentCycles };
    const oldest = active[0];
    if (oldest) {
      const d = describe(oldest, now);
      return {
        status: 'active',
        operation_id: d.operation_id,
        phase: d.phase,
        child_operation_id: d.child_operation_id,
        progress: oldest.progress,
        strategy_name: d.strategy_name,
        resumed_from: d.resumed_from,
        started_at: oldest.started_at ?? oldest.created_at,
        active_researches: active.map((op) => describe(op, now)),
        capacity,
      };
    }
    const last = await store.lastFinished(CYCLE);
    const lastParameters = last ? readCycleParameters(last.metadata.parameters) : null;
    return {
      status: 'idle',
      last_cycle: last
        ? {
            operation_id: last.operation_id,
            outcome: last.status,
            strategy_name: lastParameters?.strategy_name ?? null,
            completed_at: last.completed_at,
            error_message: last.error_message,
            resumed_from: lastParameters?.resumed_from ?? null,
          }
        : null,
      active_researches: [],
      capacity,
    };
  }

  /** Cancels the oldest active cycle (or `id`). */
  async cancel(id: string | null): Promise<CycleCancelled> {
    const { store } = this.backend;
    if (id === null) {
      // Another request may finish the oldest cycle between our read and our cancel: try the next.
      for (const op of await store.active(CYCLE)) {
        const done = await this.cancelCycle(op, CancelSource.AgentCancel).catch((e: unknown) => {
          if (e instanceof OperationFinishedError) return null;
          throw e;
        });
        if (done) return done;
      }
      throw new AgentRefusal(ErrorCode.NoActiveCycle, { success: false, reason: RefusalReason.NoActiveCycle, message: 'No active research cycle to cancel' });
    }
    // An id that cannot be an operation id is answered like an unknown one, without touching Redis (as the other routes).
    const op = isOperationIdShape(id) ? await store.get(id) : null;
    if (!op) {
      const shown = id.length > 120 ? `${id.slice(0, 120)}…` : id;
      throw new AgentRefusal(ErrorCode.OperationNotFound, {
        success: false,
        reason: RefusalReason.NotFound,
        operation_id: shown,
        message: `Operation not found: ${shown}`,
      });
    }
    if (op.operation_type !== CYCLE) {
      throw new AgentRefusal(ErrorCode.NotResearch, {
        success: false,
        reason: RefusalReason.NotResearch,
        operation_id: id,
        message: `Operation ${id} (${op.operation_type}) is not a research cycle; cancel it with DELETE /api/v1/operations/${id}`,
      });
    }
    try {
      return await this.cancelCycle(op, CancelSource.AgentCancelById);
    } catch (e) {
      if (!(e instanceof OperationFinishedError)) throw e;
      throw new AgentRefusal(ErrorCode.OperationFinished, {
        success: false,
        reason: RefusalReason.NotCancellable,
        operation_id: id,
        status: e.status,
        message: e.message,
      });
    }
  }

  /** `source` is recorded as the operation's `cancelled_by`: which route cancelled it. */
  private async cancelCycle(op: OperationInfo, source: CancelSource): Promise<CycleCancelled> {
    const out = await this.backend.cancel(op.operation_id, 'Cancelled by user', source);
    // The child of the phase the cycle was in when the cancel landed (read inside the same record).
    const child = currentChildId(readCycleParameters(out.operation.metadata.parameters));
    return {
      success: true as const,
      operation_id: op.operation_id,
      child_cancelled: child && out.children_cancelled.includes(child) ? child : (out.children_cancelled[0] ?? null),
      children_cancelled: out.children_cancelled,
      message: 'Research cycle cancelled',
    };
  }

  private capacityRefusal(e: AtCapacityError): AgentRefusal {
    const oldest = e.activeIds[0] ?? null;
    if (e.limit <= 1) {
      return new AgentRefusal(ErrorCode.ActiveCycleExists, {
        triggered: false,
        reason: RefusalReason.ActiveCycleExists,
        operation_id: oldest,
        message: `Active cycle exists: ${oldest}. Cancel it with: ktrdr agent cancel`,
      });
    }
    return new AgentRefusal(ErrorCode.AtCapacity, {
      triggered: false,
      reason: RefusalReason.AtCapacity,
      operation_id: oldest,
      active_count: e.activeIds.length,
      limit: e.limit,
      message: `At capacity: ${e.activeIds.length} of ${e.limit} research cycles active`,
    });
  }

  /**
   * The strategy must exist and pass the v3 schema before a cycle starts on it: not found →
   * 422 STRATEGY_NOT_FOUND (`Strategy not found: {name}`), invalid → 422 STRATEGY_INVALID naming
   * the file and its first errors, rather than a cycle that fails later in training.
   */
  private async requireStrategy(name: string): Promise<void> {
    await this.strategies.read(name);
  }
}
