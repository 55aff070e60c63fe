import {
  SealedWindowError,
  lastSearchDay,
  sealStrategy,
  strategyContentHash,
  throwIfAborted,
  type CycleParameters,
  type PhaseContext,
  type PhaseExecutor,
  type PhaseInput,
  type PhaseOutput,
  type StrategyConfig,
} from '@ktrdr/agent-domain';
import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import type { CampaignDesignContext, RecentStrategy, StrategyDesigner } from '@ktrdr/llm';
import { createHash } from 'node:crypto';
import { cycleString, type ResearchDeps } from './research.inputs.js';

export interface DesignDeps extends ResearchDeps {
  designer: StrategyDesigner;
  recent(): Promise<RecentStrategy[]>;
  /** Fixed seed for the offline designer; null derives one from the operation id (a new idea per cycle). */
  seed: number | null;
  /** A campaign trial's ledger and limits (campaignDesignContext); null outside a campaign. */
  campaign?(cycle: CycleParameters, cycleId: string): Promise<CampaignDesignContext | null>;
}

/**
 * The design phase: Claude (forced `save_strategy_config` tool) or the offline designer
 * proposes a strategy from the catalogue, the available data and recent verdicts; it is validated
 * with the trainer's schema and saved under a safe, unique name in the strategy store.
 */
export class DesignExecutor implements PhaseExecutor<'designing'> {
  readonly phase = 'designing' as const;

  constructor(private readonly deps: DesignDeps) {}

  async execute(input: PhaseInput, ctx: PhaseContext): Promise<PhaseOutput<'designing'>> {
    const { signal } = ctx;
    const { designer } = this.deps;
    ctx.reportProgress({ percentage: 5, current_step: 'Reading available data and recent strategies', steps_completed: 0, steps_total: 2 });
    const [datasets, recent, campaign] = await Promise.all([
      this.deps.marketData.list(),
      this.deps.recent(),
      this.deps.campaign ? this.deps.campaign(input.cycle, input.parent_operation_id) : Promise.resolve(null),
    ]);
    // A campaign's designer sees the data only up to its sealed holdout.
    const lastDay = campaign ? lastSearchDay({ from: campaign.sealed_from }) : null;
    const availableData = datasets
      .filter((d) => !d.error)
      .map(({ symbol, timeframe, start, end }) => ({ symbol, timeframe, start, end: lastDay && end.slice(0, 10) > lastDay ? lastDay : end }))
      .filter((d) => d.start.slice(0, 10) <= d.end.slice(0, 10));
    const brief = input.cycle.brief;
    const model = cycleString(input.cycle, 'model', 'design');

    const who = designer.kind === 'claude' ? `Claude (${model})` : 'offline designer';
    ctx.reportProgress({ percentage: 20, current_step: `Designing with ${who}`, steps_completed: 1, steps_total: 2 });
    const outcome = await designer.design(
      // A campaign's offline design follows from its seed and ledger, not from the cycle's id.
      { model, brief, availableData, recent: campaign ? [] : recent, seed: this.deps.seed ?? seedOf(input.operation_id), ...(campaign ? { campaign } : {}) },
      { signal, logContext: { operation_id: input.operation_id } },
    );
    throwIfAborted(signal);
    const config = campaign ? campaignDesign(outcome.config, campaign) : outcome.config;
    const saved = await this.deps.strategies.saveNew(config.name, config);
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
      artifacts: { strategy: { ...config, name: saved.name } },
      // A child that does not complete keeps no strategy: its name (in Redis, for every process) and its copy go.
      discard: () => this.deps.strategies.discard(saved),
    };
  }
}

/**
 * A campaign trial's design as it will run: cut to end before the sealed holdout, and refused when
 * its content was already tried (the campaign never runs a design twice).
 */
function campaignDesign(designed: StrategyConfig, campaign: CampaignDesignContext): StrategyConfig {
  let config: StrategyConfig;
  try {
    config = sealStrategy(designed, campaign.sealed_from).config;
  } catch (e) {
    if (e instanceof SealedWindowError) throw new KtrdrError(ErrorCode.ExecutorFailed, e.message, { sealed_from: campaign.sealed_from });
    throw e;
  }
  const hash = strategyContentHash(config);
  const earlier = campaign.ledger.find((t) => t.strategy_hash === hash);
  if (earlier || campaign.tried_hashes.includes(hash)) {
    throw new KtrdrError(
      ErrorCode.ExecutorFailed,
      `the design repeats ${earlier ? `trial ${earlier.trial}` : 'an earlier trial'} (content hash ${hash}); a campaign never runs a design twice`,
      { strategy_hash: hash },
    );
  }
  return config;
}

function seedOf(operationId: string): number {
  return createHash('sha256').update(operationId).digest().readUInt32BE(0);
}
