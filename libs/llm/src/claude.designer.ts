import type { Anthropic } from '@anthropic-ai/sdk';
import {
  SealedWindowError,
  baseTimeframe,
  parseStrategy,
  sanitizeStrategyName,
  sealStrategy,
  strategyContentHash,
  strategySchema,
  type StrategyConfig,
} from '@ktrdr/agent-domain';
import { callForcedTool, type Validation } from './claude.tool-call.js';
import { DESIGN_SYSTEM, SAVE_STRATEGY_TOOL, designPrompt } from './design.prompt.js';
import type { LlmConfig } from './llm.config.js';
import type { LlmLogger } from './llm.logger.js';
import type { CallOptions, CampaignDesignContext, DesignInput, DesignOutcome, SpendGuard, StrategyDesigner } from './llm.types.js';
import { toolInputSchema } from './tool.schema.js';

export type ClaudeSettings = Pick<LlmConfig, 'timeoutMs' | 'maxCorrections' | 'maxInputChars' | 'maxOutputTokens' | 'prices'>;

export interface ClaudeDeps {
  spend?: SpendGuard | undefined;
  logger?: LlmLogger | undefined;
}

/** What every forced tool call of a designer or assessor takes from the configuration and its deps. */
export function callSettings(settings: ClaudeSettings, deps: ClaudeDeps) {
  const { maxCorrections, maxInputChars, timeoutMs, prices } = settings;
  return { maxCorrections, maxInputChars, timeoutMs, prices, spend: deps.spend, logger: deps.logger };
}

const STRATEGY_TOOL = {
  name: SAVE_STRATEGY_TOOL,
  description:
    'Saves the new strategy configuration (ktrdr v3). The input is validated with the same schema the trainer uses; invalid input comes back with the errors to fix.',
  input_schema: toolInputSchema(strategySchema),
};

/** Claude designs the strategy through a forced save_strategy_config call, validated by parseStrategy. */
export class ClaudeDesigner implements StrategyDesigner {
  readonly kind = 'claude' as const;

  constructor(
    private readonly client: Anthropic,
    private readonly settings: ClaudeSettings,
    private readonly deps: ClaudeDeps = {},
  ) {}

  async design(input: DesignInput, { signal, logContext }: CallOptions): Promise<DesignOutcome> {
    const out = await callForcedTool<StrategyConfig>({
      client: this.client,
      model: input.model,
      system: DESIGN_SYSTEM,
      prompt: designPrompt(input),
      tool: STRATEGY_TOOL,
      validate: input.campaign ? campaignValidation(input.campaign) : validateStrategy,
      noToolCallMessage: 'Claude did not save a strategy configuration',
      invalidMessage: 'Claude produced an invalid strategy',
      maxTokens: this.settings.maxOutputTokens.design,
      ...callSettings(this.settings, this.deps),
      context: { ...logContext, phase: 'design' },
      signal,
    });
    return { config: out.value, source: 'claude', model: out.model, usage: out.usage, cost_usd: out.cost_usd, turns: out.turns };
  }
}

/** A name with spaces or punctuation is made safe rather than spending a corrective turn on it. */
export function validateStrategy(input: unknown): Validation<StrategyConfig> {
  const candidate =
    input && typeof input === 'object' && typeof (input as { name?: unknown }).name === 'string'
      ? { ...(input as Record<string, unknown>), name: sanitizeStrategyName((input as { name: string }).name) }
      : input;
  const parsed = parseStrategy(candidate);
  return parsed.ok ? { ok: true, value: parsed.config } : { ok: false, errors: parsed.errors };
}

/**
 * Inside a campaign a valid strategy must also be a valid trial: on the campaign's market, with no
 * window starting in the sealed holdout, and not a repeat of a design already tried (by the content
 * hash of the design as the campaign will run it, its windows cut before the holdout). Each failure
 * goes back to Claude in the corrective turn rather than failing the trial after the call.
 */
export function campaignValidation(campaign: CampaignDesignContext): (input: unknown) => Validation<StrategyConfig> {
  return (input) => {
    const checked = validateStrategy(input);
    if (!checked.ok) return checked;
    const errors = campaignErrors(checked.value, campaign);
    return errors.length ? { ok: false, errors } : checked;
  };
}

function campaignErrors(config: StrategyConfig, campaign: CampaignDesignContext): string[] {
  const errors: string[] = [];
  const { symbols, timeframe } = campaign.scope;
  const got = [...config.training_data.symbols].sort().join(', ');
  if (got !== [...symbols].sort().join(', ')) errors.push(`training_data.symbols: the campaign trades ${symbols.join(', ')}, not ${got}`);
  if (baseTimeframe(config) !== timeframe) errors.push(`training_data.timeframes: the campaign trades ${timeframe} bars, not ${baseTimeframe(config)}`);
  let sealed: StrategyConfig;
  try {
    sealed = sealStrategy(config, campaign.sealed_from).config;
  } catch (e) {
    if (e instanceof SealedWindowError) return [...errors, e.message];
    throw e;
  }
  const hash = strategyContentHash(sealed);
  const earlier = campaign.ledger.find((t) => t.strategy_hash === hash);
  if (earlier || campaign.tried_hashes.includes(hash)) {
    errors.push(
      `the design repeats ${earlier ? `trial ${earlier.trial}` : 'a design already tried'} (content hash ${hash}) and a campaign never runs a design twice: change at least one indicator, parameter, fuzzy set, label, model size or threshold`,
    );
  }
  return errors;
}
