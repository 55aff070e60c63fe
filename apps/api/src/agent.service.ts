import { CYCLE_OPERATION_TYPE, DEFAULT_MODEL, currentChildId, initialCycleParameters, resolveModel } from '@ktrdr/agent-domain';
import { BudgetExhaustedError, ErrorCode } from '@ktrdr/errors';
import { AtCapacityError, BudgetLedger, OperationFinishedError, type BudgetStatus, type OperationInfo } from '@ktrdr/operations';
import { StrategyStore } from '@ktrdr/strategies';
import { Injectable } from '@nestjs/common';
import type { TriggerBody } from './agent.dto.js';
import { Backend } from './backend.service.js';
import { AgentRefusal } from './error-envelope.filter.js';

const CYCLE = CYCLE_OPERATION_TYPE as 'agent_research';
const seconds = (from: string | null, now: number): number => (from ? Math.max(0, (now - Date.parse(from)) / 1000) : 0);

function describe(op: OperationInfo, now: number) {
  const p = op.metadata.parameters;
  return {
    operation_id: op.operation_id,
    phase: (p['phase'] as string | undefined) ?? 'idle',
    child_operation_id: currentChildId(p),
    strategy_name: (p['strategy_name'] as string | null | undefined) ?? null,
    duration_seconds: seconds(op.started_at ?? op.created_at, now),
  };
}

/** The agent API (SPEC §4): trigger, status and cancel of research cycles. */
@Injectable()
export class AgentService {
  constructor(
    private readonly backend: Backend,
    private readonly strategies: StrategyStore,
  ) {}

  async trigger(body: TriggerBody) {
    const { store, producer, config } = this.backend;
    const model = resolveModel(body.model ?? DEFAULT_MODEL)!;
    if (body.strategy) await this.requireStrategy(body.strategy);
    await this.assertBudget();
    let cycle: OperationInfo;
    try {
      cycle = await store.create({
        type: CYCLE,
        capacity: config.maxConcurrentCycles,
        parameters: initialCycleParameters({ model, brief: body.brief ?? null, strategy: body.strategy ?? null, bypass_gates: body.bypass_gates ?? false }),
      });
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
    return { triggered: true, operation_id: cycle.operation_id, model, message: 'Research cycle started' };
  }

  /** Today's LLM spend (UTC day) against KTRDR_DAILY_BUDGET_USD. */
  budget(): Promise<BudgetStatus> {
    return this.ledger.status();
  }

  /**
   * 429 `budget_exhausted` when today's LLM budget is spent (SPEC §4): for trigger, and for any route
   * that starts a cycle. Workers enforce the same limit per Claude request through the ledger.
   */
  async assertBudget(): Promise<void> {
    const status = await this.ledger.status();
    if (!this.ledger.isExhausted(status)) return;
    const refusal = new BudgetExhaustedError({ date: status.date, spent_usd: status.spent_usd, limit_usd: status.limit_usd });
    throw new AgentRefusal(ErrorCode.BudgetExhausted, {
      triggered: false,
      reason: 'budget_exhausted',
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

  async status() {
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
        started_at: oldest.started_at ?? oldest.created_at,
        active_researches: active.map((op) => describe(op, now)),
        capacity,
      };
    }
    const last = await store.lastFinished(CYCLE);
    return {
      status: 'idle',
      last_cycle: last
        ? {
            operation_id: last.operation_id,
            outcome: last.status,
            strategy_name: (last.metadata.parameters['strategy_name'] as string | null | undefined) ?? null,
            completed_at: last.completed_at,
            error_message: last.error_message,
          }
        : null,
      active_researches: [],
      capacity,
    };
  }

  /** Cancels the oldest active cycle (or `id`). */
  async cancel(id: string | null) {
    const { store } = this.backend;
    if (id === null) {
      // Another request may finish the oldest cycle between our read and our cancel: try the next.
      for (const op of await store.active(CYCLE)) {
        const done = await this.cancelCycle(op).catch((e: unknown) => {
          if (e instanceof OperationFinishedError) return null;
          throw e;
        });
        if (done) return done;
      }
      throw new AgentRefusal(ErrorCode.NoActiveCycle, { success: false, reason: 'no_active_cycle', message: 'No active research cycle to cancel' });
    }
    const op = await store.get(id);
    if (!op) throw new AgentRefusal(ErrorCode.OperationNotFound, { success: false, reason: 'not_found', operation_id: id, message: `Operation not found: ${id}` });
    if (op.operation_type !== CYCLE) {
      throw new AgentRefusal(ErrorCode.NotResearch, {
        success: false,
        reason: 'not_research',
        operation_id: id,
        message: `Operation ${id} (${op.operation_type}) is not a research cycle; cancel it with DELETE /api/v1/operations/${id}`,
      });
    }
    try {
      return await this.cancelCycle(op);
    } catch (e) {
      if (!(e instanceof OperationFinishedError)) throw e;
      throw new AgentRefusal(ErrorCode.OperationFinished, { success: false, reason: 'not_cancellable', operation_id: id, status: e.status, message: e.message });
    }
  }

  private async cancelCycle(op: OperationInfo) {
    const out = await this.backend.cancel(op.operation_id, 'Cancelled by user', 'DELETE /api/v1/agent/cancel');
    // The child of the phase the cycle was in when the cancel landed (read inside the same record).
    const child = currentChildId(out.operation.metadata.parameters);
    return {
      success: true,
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
        reason: 'active_cycle_exists',
        operation_id: oldest,
        message: `Active cycle exists: ${oldest}. Cancel it with: ktrdr agent cancel`,
      });
    }
    return new AgentRefusal(ErrorCode.AtCapacity, {
      triggered: false,
      reason: 'at_capacity',
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
