import { throwIfAborted, type PhaseContext, type PhaseExecutor, type PhaseInput, type PhaseOutput } from '@ktrdr/agent-domain';
import type { RecentStrategy, StrategyDesigner } from '@ktrdr/llm';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { cycleString, type ResearchDeps } from './research.inputs.js';

export interface DesignDeps extends ResearchDeps {
  designer: StrategyDesigner;
  recent(): Promise<RecentStrategy[]>;
  /** Fixed seed for the offline designer; null derives one from the operation id (a new idea per cycle). */
  seed: number | null;
}

/**
 * The design phase: Claude (forced `save_strategy_config` tool) or the offline designer
 * proposes a strategy from the catalogue, the available data and recent verdicts; it is validated
 * with the trainer's schema and saved under a safe, unique name in the strategies directory.
 */
export class DesignExecutor implements PhaseExecutor<'designing'> {
  readonly phase = 'designing' as const;

  constructor(private readonly deps: DesignDeps) {}

  async execute(input: PhaseInput, ctx: PhaseContext): Promise<PhaseOutput<'designing'>> {
    const { signal } = ctx;
    const { designer } = this.deps;
    ctx.reportProgress({ percentage: 5, current_step: 'Reading available data and recent strategies', steps_completed: 0, steps_total: 2 });
    const [datasets, recent] = await Promise.all([this.deps.marketData.list(), this.deps.recent()]);
    const availableData = datasets.filter((d) => !d.error).map(({ symbol, timeframe, start, end }) => ({ symbol, timeframe, start, end }));
    const brief = input.cycle.brief;
    const model = cycleString(input.cycle, 'model', 'design');

    const who = designer.kind === 'claude' ? `Claude (${model})` : 'offline designer';
    ctx.reportProgress({ percentage: 20, current_step: `Designing with ${who}`, steps_completed: 1, steps_total: 2 });
    const outcome = await designer.design(
      { model, brief, availableData, recent, seed: this.deps.seed ?? seedOf(input.operation_id) },
      { signal, logContext: { operation_id: input.operation_id } },
    );
    throwIfAborted(signal);
    const saved = await this.deps.strategies.saveNew(outcome.config.name, outcome.config);
    return {
      result: {
        strategy_name: saved.name,
        strategy_path: saved.path,
        designer: outcome.source,
        model: outcome.model,
        input_tokens: outcome.usage.input_tokens,
        output_tokens: outcome.usage.output_tokens,
        cost_usd: outcome.cost_usd,
      },
      artifacts: { strategy: { ...outcome.config, name: saved.name } },
      discard: () => rm(saved.path, { force: true }),
    };
  }
}

function seedOf(operationId: string): number {
  return createHash('sha256').update(operationId).digest().readUInt32BE(0);
}
