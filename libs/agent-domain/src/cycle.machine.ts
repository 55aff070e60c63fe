import { CycleError, GateError } from '@ktrdr/errors';
import { checkBacktestGate, checkTrainingGate, type GateThresholds, type GateVerdict } from './gates.js';
import { PHASE_SPECS, isActivePhase, nextPhase, type ActivePhase } from './phase.types.js';
import { cycleCompleteProgress, phaseStartProgress, type ProgressView } from './progress.js';

/**
 * The research cycle as a pure state machine (SPEC §5): given the parent's state and the child that
 * just ended, say what happens next. The orchestrator performs the action; nothing here touches I/O.
 */

type Status = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface CycleSnapshot {
  operation_id: string;
  status: Status;
  parameters: Record<string, unknown>;
}

export interface ChildSnapshot {
  operation_id: string;
  status: Status;
  result_summary: Record<string, unknown> | null;
  error_message: string | null;
  /** The code the child failed with (EXECUTOR_FAILED, WORKER_LOST, …), when it failed. */
  failure_code?: string | null;
}

export type CycleAction =
  | { kind: 'start_phase'; phase: ActivePhase; parameters: Record<string, unknown>; progress: ProgressView }
  | { kind: 'complete'; parameters: Record<string, unknown>; result: Record<string, unknown>; progress: ProgressView }
  | { kind: 'fail'; error: CycleError; parameters: Record<string, unknown> }
  | { kind: 'cancel'; reason: string }
  | { kind: 'ignore'; why: string };

export interface TriggerRequest {
  model: string;
  brief: string | null;
  strategy: string | null;
  bypass_gates: boolean;
}

/** The trigger echo stored on a new cycle (SPEC §5 keys), before any phase starts. */
export function initialCycleParameters(trigger: TriggerRequest): Record<string, unknown> {
  return { phase: 'idle', ...trigger };
}

/** A cycle starts by designing, unless the trigger named an existing strategy. */
export function firstPhase(trigger: Pick<TriggerRequest, 'strategy'>, strategyPath: string | null): CycleAction {
  if (trigger.strategy) {
    return {
      kind: 'start_phase',
      phase: 'training',
      parameters: { strategy_name: trigger.strategy, strategy_path: strategyPath },
      progress: phaseStartProgress('training'),
    };
  }
  return { kind: 'start_phase', phase: 'designing', parameters: {}, progress: phaseStartProgress('designing') };
}

function advanceTo(phase: ActivePhase, parameters: Record<string, unknown>): CycleAction {
  const next = nextPhase(phase);
  if (next) return { kind: 'start_phase', phase: next, parameters, progress: phaseStartProgress(next) };
  throw new Error(`no phase after ${phase}`);
}

const PASSED: GateVerdict = { passed: true };

/** Advance when the gate passed; otherwise fail with the gate's reason, keeping the metrics it judged. */
function afterGate(
  phase: ActivePhase,
  gate: 'training' | 'backtest',
  verdict: GateVerdict,
  metrics: Record<string, unknown>,
  thresholds: Record<string, number>,
  stored: Record<string, unknown>,
): CycleAction {
  if (verdict.passed) return advanceTo(phase, stored);
  return { kind: 'fail', error: new GateError(gate, verdict.reason, metrics, thresholds), parameters: stored };
}

/** The cycle's LLM spend so far (SPEC §4 budget): tokens and cost of design and assessment, summed. */
export interface LlmUsage {
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

function addUsage(total: unknown, result: Record<string, unknown>): LlmUsage {
  const t = (total ?? {}) as Partial<LlmUsage>;
  const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    input_tokens: n(t.input_tokens) + n(result['input_tokens']),
    output_tokens: n(t.output_tokens) + n(result['output_tokens']),
    cost_usd: Math.round((n(t.cost_usd) + n(result['cost_usd'])) * 1e6) / 1e6,
  };
}

/** True when any phase of the cycle returned stub results. */
function anyStub(params: Record<string, unknown>, last: Record<string, unknown>): boolean {
  const flagged = (v: unknown): boolean => !!v && typeof v === 'object' && (v as Record<string, unknown>)['stub'] === true;
  return flagged(last) || flagged(params['training_result']) || flagged(params['backtest_result']) || params['design_stub'] === true;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

export function decideAfterChild(parent: CycleSnapshot, child: ChildSnapshot, gates: GateThresholds): CycleAction {
  if (parent.status !== 'running') return { kind: 'ignore', why: `cycle is ${parent.status}` };
  const phase = parent.parameters['phase'];
  if (!isActivePhase(phase)) return { kind: 'ignore', why: `cycle is in phase ${String(phase)}` };
  const spec = PHASE_SPECS[phase];
  if (parent.parameters[spec.childKey] !== child.operation_id) {
    return { kind: 'ignore', why: `${child.operation_id} is not the ${phase} child` };
  }
  switch (child.status) {
    case 'pending':
    case 'running':
      return { kind: 'ignore', why: `child is ${child.status}` };
    case 'cancelled':
      return { kind: 'cancel', reason: `Child operation cancelled: ${child.operation_id}` };
    case 'failed': {
      const message = `${spec.failureLabel} failed: ${child.error_message ?? 'unknown error'}`;
      const details = { child_operation_id: child.operation_id, cause_code: child.failure_code ?? null };
      return { kind: 'fail', error: new CycleError(phase, message, details), parameters: {} };
    }
    case 'completed':
      return afterCompletedChild(phase, parent.parameters, child.result_summary ?? {}, gates);
  }
}

function afterCompletedChild(
  phase: ActivePhase,
  params: Record<string, unknown>,
  result: Record<string, unknown>,
  gates: GateThresholds,
): CycleAction {
  const bypass = params['bypass_gates'] === true;
  switch (phase) {
    case 'designing':
      return advanceTo(phase, {
        strategy_name: str(result['strategy_name']),
        strategy_path: str(result['strategy_path']),
        designer: str(result['designer']),
        ...(result['stub'] === true ? { design_stub: true } : {}),
        llm_usage: addUsage(params['llm_usage'], result),
      });
    case 'training': {
      const verdict = bypass ? PASSED : checkTrainingGate(result, gates.training);
      return afterGate(phase, 'training', verdict, result, { ...gates.training }, { training_result: result, model_path: str(result['model_path']) });
    }
    case 'backtesting': {
      const verdict = bypass ? PASSED : checkBacktestGate(result, gates.backtest);
      return afterGate(phase, 'backtest', verdict, result, { ...gates.backtest }, { backtest_result: result });
    }
    case 'assessing': {
      const verdict = str(result['verdict']);
      const llmUsage = addUsage(params['llm_usage'], result);
      return {
        kind: 'complete',
        parameters: { assessment_verdict: verdict, llm_usage: llmUsage },
        result: {
          success: true,
          strategy_name: params['strategy_name'] ?? null,
          verdict,
          backtest_result: params['backtest_result'] ?? null,
          model_path: params['model_path'] ?? null,
          llm_usage: llmUsage,
          // Canned numbers must say so wherever they are shown (SPEC §8).
          ...(anyStub(params, result) ? { stub: true } : {}),
        },
        progress: cycleCompleteProgress(),
      };
    }
  }
}
