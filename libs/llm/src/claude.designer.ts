import type { Anthropic } from '@anthropic-ai/sdk';
import { parseStrategy, sanitizeStrategyName, strategySchema, type StrategyConfig } from '@ktrdr/agent-domain';
import { callForcedTool, type Validation } from './claude.tool-call.js';
import { DESIGN_SYSTEM, SAVE_STRATEGY_TOOL, designPrompt } from './design.prompt.js';
import type { LlmConfig } from './llm.config.js';
import type { LlmLogger } from './llm.logger.js';
import type { CallOptions, DesignInput, DesignOutcome, SpendGuard, StrategyDesigner } from './llm.types.js';
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
      validate: validateStrategy,
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
