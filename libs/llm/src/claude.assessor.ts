import type { Anthropic } from '@anthropic-ai/sdk';
import { assessmentSchema, formatIssues, type Assessment } from '@ktrdr/agent-domain';
import { ASSESSMENT_SYSTEM, SAVE_ASSESSMENT_TOOL, assessmentPrompt } from './assessment.prompt.js';
import { callSettings, type ClaudeDeps, type ClaudeSettings } from './claude.designer.js';
import { callForcedTool, type Validation } from './claude.tool-call.js';
import type { LlmConfig } from './llm.config.js';
import type { AssessInput, AssessOutcome, CallOptions, StrategyAssessor } from './llm.types.js';
import { DEFAULT_PROMISING_MAX_P_VALUE, enforcePromisingRule } from './promising.rule.js';
import { toolInputSchema } from './tool.schema.js';

const ASSESSMENT_TOOL = {
  name: SAVE_ASSESSMENT_TOOL,
  description: 'Saves the assessment of the strategy: a verdict with 2-4 strengths, weaknesses and suggestions, each quoting the numbers.',
  input_schema: toolInputSchema(assessmentSchema),
};

/** The call settings plus the promising rule's p-value bound (default: the backtest gate's 0.10). */
export type ClaudeAssessorSettings = ClaudeSettings & Partial<Pick<LlmConfig, 'promisingMaxPValue'>>;

/**
 * Claude assesses the results through a forced save_assessment call, validated by assessmentSchema.
 * The prompt states the promising rule (promising.rule.ts) and whether these numbers meet it; the
 * answer is then held to it: a `promising` the numbers do not support comes back `mediocre`, its
 * first weakness saying why.
 */
export class ClaudeAssessor implements StrategyAssessor {
  readonly kind = 'claude' as const;

  constructor(
    private readonly client: Anthropic,
    private readonly settings: ClaudeAssessorSettings,
    private readonly deps: ClaudeDeps = {},
  ) {}

  async assess(input: AssessInput, { signal, logContext }: CallOptions): Promise<AssessOutcome> {
    const maxPValue = this.settings.promisingMaxPValue ?? DEFAULT_PROMISING_MAX_P_VALUE;
    const out = await callForcedTool<Assessment>({
      client: this.client,
      model: input.model,
      system: ASSESSMENT_SYSTEM,
      prompt: assessmentPrompt(input, maxPValue),
      tool: ASSESSMENT_TOOL,
      validate: validateAssessment,
      noToolCallMessage: 'Claude did not save an assessment',
      invalidMessage: 'Claude produced an invalid assessment',
      maxTokens: this.settings.maxOutputTokens.assessment,
      ...callSettings(this.settings, this.deps),
      context: { ...logContext, phase: 'assessment' },
      signal,
    });
    const assessment = enforcePromisingRule(out.value, input, maxPValue);
    return { assessment, source: 'claude', model: out.model, usage: out.usage, cost_usd: out.cost_usd, turns: out.turns };
  }
}

export function validateAssessment(input: unknown): Validation<Assessment> {
  const parsed = assessmentSchema.safeParse(input);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, errors: formatIssues(parsed.error.issues) };
}
