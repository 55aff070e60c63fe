import { backtestResultSchema, trainingResultSchema, type PhaseContext, type PhaseExecutor, type PhaseInput, type PhaseOutput } from '@ktrdr/agent-domain';
import type { AssessmentArtifact } from '@ktrdr/api-contract';
import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import type { StrategyAssessor } from '@ktrdr/llm';
import { cycleString, type ResearchDeps } from './research.inputs.js';

export interface AssessmentDeps extends ResearchDeps {
  assessor: StrategyAssessor;
}

/**
 * The assessment phase: Claude (forced `save_assessment` tool) or the offline rubric
 * judges the strategy from its training and backtest numbers and buy-and-hold; the judgement is
 * saved beside the strategy (`strategies/{name}/assessment.json`) with the metrics it judged.
 */
export class AssessmentExecutor implements PhaseExecutor<'assessing'> {
  readonly phase = 'assessing' as const;

  constructor(private readonly deps: AssessmentDeps) {}

  async execute(input: PhaseInput, ctx: PhaseContext): Promise<PhaseOutput<'assessing'>> {
    const { signal } = ctx;
    const { assessor, strategies } = this.deps;
    const name = cycleString(input.cycle, 'strategy_name', 'assessment');
    const strategy = await strategies.read(name);
    const training = cycleResult(input.cycle.training_result, 'training_result', trainingResultSchema);
    const backtest = cycleResult(input.cycle.backtest_result, 'backtest_result', backtestResultSchema);
    const model = cycleString(input.cycle, 'model', 'assessment');

    const who = assessor.kind === 'claude' ? `Claude (${model})` : 'offline assessor';
    ctx.reportProgress({ percentage: 20, current_step: `Assessing with ${who}`, steps_completed: 0, steps_total: 1 });
    const outcome = await assessor.assess({ model, strategy, training, backtest }, { signal, logContext: { operation_id: input.operation_id } });
    const judged = { training, backtest };
    const saved = await strategies.saveAssessment(name, outcome.assessment, judged);
    return {
      result: {
        ...outcome.assessment,
        assessor: outcome.source,
        model: outcome.model,
        assessment_path: saved.path,
        input_tokens: outcome.usage.input_tokens,
        output_tokens: outcome.usage.output_tokens,
        cost_usd: outcome.cost_usd,
      },
      artifacts: {
        assessment: {
          ...outcome.assessment,
          strategy_name: name,
          assessor: outcome.source,
          model: outcome.model,
          metrics: judged,
        } satisfies AssessmentArtifact,
      },
    };
  }
}

/** A phase result the cycle stored earlier, checked against its schema (it may come from stub mode). */
function cycleResult<T>(stored: unknown, key: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): T {
  const parsed = schema.safeParse(stored);
  if (parsed.success) return parsed.data;
  throw new KtrdrError(ErrorCode.ExecutorFailed, `the cycle's ${key} is missing or malformed`);
}
