import type { Anthropic } from '@anthropic-ai/sdk';
import { assessmentSchema, formatIssues, type Assessment } from '@ktrdr/agent-domain';
import { ASSESSMENT_SYSTEM, SAVE_ASSESSMENT_TOOL, assessmentPrompt } from './assessment.prompt.js';
import { callSettings, type ClaudeDeps, type ClaudeSettings } from './claude.designer.js';
import { callForcedTool, type Validation } from './claude.tool-call.js';
import type { AssessInput, AssessOutcome, CallOptions, StrategyAssessor } from './llm.types.js';
import { toolInputSchema } from './tool.schema.js';

const ASSESSMENT_TOOL = {
  name: SAVE_ASSESSMENT_TOOL,
  description: 'Saves the assessment of the strategy: a verdict with 2-4 strengths, weaknesses and suggestions, each quoting the numbers.',
  input_schema: toolInputSchema(assessmentSchema),
};

/** Claude assesses the results through a forced save_assessment call, validated by assessmentSchema. */
export class ClaudeAssessor implements StrategyAssessor {
  readonly kind = 'claude' as const;

  constructor(
    private readonly client: Anthropic,
    private readonly settings: ClaudeSettings,
    private readonly deps: ClaudeDeps = {},
  ) {}

  async assess(input: AssessInput, { signal, logContext }: CallOptions): Promise<AssessOutcome> {
    const out = await callForcedTool<Assessment>({
      client: this.client,
      model: input.model,
      system: ASSESSMENT_SYSTEM,
      prompt: assessmentPrompt(input),
      tool: ASSESSMENT_TOOL,
      validate: validateAssessment,
      noToolCallMessage: 'Claude did not save an assessment',
      invalidMessage: 'Claude produced an invalid assessment',
      maxTokens: this.settings.maxOutputTokens.assessment,
      ...callSettings(this.settings, this.deps),
      context: { ...logContext, phase: 'assessment' },
      signal,
    });
    return { assessment: out.value, source: 'claude', model: out.model, usage: out.usage, cost_usd: out.cost_usd, turns: out.turns };
  }
}

export function validateAssessment(input: unknown): Validation<Assessment> {
  const parsed = assessmentSchema.safeParse(input);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, errors: formatIssues(parsed.error.issues) };
}
