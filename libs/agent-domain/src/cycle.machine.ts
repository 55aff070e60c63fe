import {
  VERDICTS,
  readCycleParameters,
  type BacktestResult,
  type CycleKey,
  type CycleParameters,
  type CycleParametersPatch,
  type GateName,
  type LlmUsage,
  type TrainingResult,
  type Verdict,
} from '@ktrdr/api-contract';
import { CycleError, GateError } from '@ktrdr/errors';
import { checkBacktestGate, checkTrainingGate, type GateThresholds, type GateVerdict } from './gates.js';
import { ACTIVE_PHASES, PHASE_TABLE, isActivePhase, nextPhase, type ActivePhase } from './phase.types.js';
import { cycleCompleteProgress, phaseStartProgress, type ProgressView } from './progress.js';
import { STUB_RESULTS } from './stub.executors.js';

/**
 * The research cycle as a pure state machine: given the parent's state and the child that
 * just ended, say what happens next. The orchestrator performs the action; nothing here touches I/O.
 */

type Status = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface CycleSnapshot {
  operation_id: string;
  status: Status;
  /** The cycle's state, read through the contract's schema (readCycleParameters). */
  parameters: CycleParameters;
}

export interface ChildSnapshot {
  operation_id: string;
  status: Status;
  result_summary: Record<string, unknown> | null;
  error_message: string | null;
  /** The code the child failed with (EXECUTOR_FAILED, WORKER_LOST, …), when it failed. */
  failure_code?: string | null;
}

/** What to do next; `parameters` is the change to the cycle's state, merged into its record. */
export type CycleAction =
  | { kind: 'start_phase'; phase: ActivePhase; parameters: CycleParametersPatch; progress: ProgressView }
  | { kind: 'complete'; parameters: CycleParametersPatch; result: Record<string, unknown>; progress: ProgressView }
  | { kind: 'fail'; error: CycleError; parameters: CycleParametersPatch }
  | { kind: 'cancel'; reason: string }
  | { kind: 'ignore'; why: string };

export interface TriggerRequest {
  model: string;
  brief: string | null;
  strategy: string | null;
  bypass_gates: boolean;
}

/** The trigger echo stored on a new cycle, before any phase starts. */
export function initialCycleParameters(trigger: TriggerRequest): CycleParametersPatch {
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

function advanceTo(phase: ActivePhase, parameters: CycleParametersPatch): CycleAction {
  const next = nextPhase(phase);
  if (next) return { kind: 'start_phase', phase: next, parameters, progress: phaseStartProgress(next) };
  throw new Error(`no phase after ${phase}`);
}

const PASSED: GateVerdict = { passed: true };

/** Advance when the gate passed; otherwise fail with the gate's reason, keeping the metrics it judged. */
function afterGate(
  phase: ActivePhase,
  gate: GateName,
  verdict: GateVerdict,
  metrics: Record<string, unknown>,
  thresholds: Record<string, number>,
  stored: CycleParametersPatch,
): CycleAction {
  if (verdict.passed) return advanceTo(phase, stored);
  return { kind: 'fail', error: new GateError(gate, verdict.reason, metrics, thresholds), parameters: stored };
}

/** The cycle's LLM spend so far plus a phase's own (its result's tokens and cost). */
function addUsage(total: LlmUsage | undefined, result: Record<string, unknown>): LlmUsage {
  const t: Partial<LlmUsage> = total ?? {};
  const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    input_tokens: n(t.input_tokens) + n(result['input_tokens']),
    output_tokens: n(t.output_tokens) + n(result['output_tokens']),
    cost_usd: Math.round((n(t.cost_usd) + n(result['cost_usd'])) * 1e6) / 1e6,
  };
}

/** True when any phase of the cycle returned stub results. */
function anyStub(params: CycleParameters, last: Record<string, unknown>): boolean {
  return last['stub'] === true || params.training_result?.stub === true || params.backtest_result?.stub === true || params.design_stub === true;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function verdictOf(v: unknown): Verdict | null {
  return (VERDICTS as readonly unknown[]).includes(v) ? (v as Verdict) : null;
}

export function decideAfterChild(parent: CycleSnapshot, child: ChildSnapshot, gates: GateThresholds): CycleAction {
  if (parent.status !== 'running') return { kind: 'ignore', why: `cycle is ${parent.status}` };
  const phase = parent.parameters.phase;
  if (!isActivePhase(phase)) return { kind: 'ignore', why: `cycle is in phase ${phase}` };
  const row = PHASE_TABLE[phase];
  if (parent.parameters[row.childKey] !== child.operation_id) {
    return { kind: 'ignore', why: `${child.operation_id} is not the ${phase} child` };
  }
  switch (child.status) {
    case 'pending':
    case 'running':
      return { kind: 'ignore', why: `child is ${child.status}` };
    case 'cancelled':
      return { kind: 'cancel', reason: `Child operation cancelled: ${child.operation_id}` };
    case 'failed': {
      const message = `${row.label} failed: ${child.error_message ?? 'unknown error'}`;
      const details = { child_operation_id: child.operation_id, cause_code: child.failure_code ?? null };
      return { kind: 'fail', error: new CycleError(phase, message, details), parameters: {} };
    }
    case 'completed':
      return afterCompletedChild(phase, parent.parameters, child.result_summary ?? {}, gates);
  }
}

function afterCompletedChild(phase: ActivePhase, params: CycleParameters, result: Record<string, unknown>, gates: GateThresholds): CycleAction {
  const bypass = params.bypass_gates;
  switch (phase) {
    case 'designing':
      return advanceTo(phase, {
        strategy_name: str(result['strategy_name']),
        strategy_path: str(result['strategy_path']),
        designer: str(result['designer']),
        ...(result['stub'] === true ? { design_stub: true } : {}),
        llm_usage: addUsage(params.llm_usage, result),
      });
    case 'training': {
      const verdict = bypass ? PASSED : checkTrainingGate(result, gates.training);
      // The worker checked the result against its schema when the phase returned it.
      const stored = { training_result: result as unknown as TrainingResult, model_path: str(result['model_path']) };
      return afterGate(phase, 'training', verdict, result, { ...gates.training }, stored);
    }
    case 'backtesting': {
      const stored = { backtest_result: result as unknown as BacktestResult };
      // A finalist's look at a campaign's holdout is judged by the campaign: its numbers are the product.
      if (params.holdout_of !== undefined) return completeCycle(params, stored, result, null);
      const verdict = bypass ? PASSED : checkBacktestGate(result, gates.backtest);
      return afterGate(phase, 'backtest', verdict, result, { ...gates.backtest }, stored);
    }
    case 'assessing':
      return completeCycle(params, {}, result, verdictOf(result['verdict']));
  }
}

/** The cycle's completion: its result summary from what the phases stored (and the last phase's own result). */
function completeCycle(params: CycleParameters, stored: CycleParametersPatch, result: Record<string, unknown>, verdict: Verdict | null): CycleAction {
  const p = { ...params, ...stored };
  const llmUsage = addUsage(params.llm_usage, result);
  return {
    kind: 'complete',
    parameters: { ...stored, assessment_verdict: verdict, llm_usage: llmUsage },
    result: {
      success: true,
      strategy_name: p.strategy_name ?? null,
      verdict,
      backtest_result: p.backtest_result ?? null,
      model_path: p.model_path ?? null,
      designer: p.designer ?? null,
      assessor: str(result['assessor']),
      llm_usage: llmUsage,
      // Canned numbers must say so wherever they are shown.
      ...(anyStub(p, result) ? { stub: true } : {}),
    },
    progress: cycleCompleteProgress(),
  };
}

// ---- resume ------------------------------------------------------------------------

/** The trigger echo a resumed cycle inherits from the one it resumes. */
const TRIGGER_KEYS = ['model', 'brief', 'strategy', 'bypass_gates'] as const satisfies readonly CycleKey[];

/** What resume needs to know about the cycle it starts from. */
export interface ResumeSource {
  operation_id: string;
  status: Status;
  parameters: CycleParameters;
  /** The old cycle's `failure_code` (a field of the record; older records kept it in `parameters.failure.code`). */
  failure_code?: string | null;
  /**
   * The status of each child named by the cycle's `*_op_id` keys, looked up by id: in a cycle that
   * was itself resumed, the reused children belong to an older cycle, not to this one.
   */
  children: Readonly<Record<string, Status | undefined>>;
}

/** What the start phase needs from the reused ones; the caller checks these exist before anything starts. */
export interface ResumeNeeds {
  /** The strategy file by name (training, backtest and assessment all read it). */
  strategy: string | null;
  /** The trained model's directory (backtest); null when the start phase does not read it. */
  model_path: string | null;
  /**
   * True when `model_path` is the stub trainer's canned placeholder: stub training writes
   * no files, so there is nothing to check — a stub backtest never opens it, and a real backtest on it
   * fails just as it would have in the original cycle.
   */
  model_is_stub_placeholder: boolean;
}

export interface ResumePlan {
  start_phase: ActivePhase;
  /** Finished phases the new cycle takes over instead of running (in order). */
  reused_phases: ActivePhase[];
  /** The new parent's initial `metadata.parameters` (phase `idle` until its first child is created). */
  parameters: CycleParametersPatch;
  needs: ResumeNeeds;
}

export type ResumeDecision =
  | { ok: true; plan: ResumePlan }
  /** The cycle cannot be resumed at all (409 `not_resumable`). */
  | { ok: false; kind: 'not_resumable'; message: string }
  /** The requested `from_phase` is not allowed for this cycle (a bad request field, 422). */
  | { ok: false; kind: 'bad_from_phase'; message: string };

const GATE_FAILED = 'GATE_FAILED';

/** Older records kept the failure's code in `parameters.failure.code`; it is the record's `failure_code` now. */
function failureCodeOf(params: CycleParameters): string | null {
  return str(params.failure?.['code']);
}

/**
 * A phase finished when its child completed and the cycle did not then fail at that phase's gate
 * (a rejected result is not a finished phase: resume runs it again rather than slip past the gate;
 * `bypass_gates` is the way around a gate). A cycle triggered with `strategy` had no design phase:
 * its design counts as finished, with the named strategy as its product.
 */
function finishedPhases(old: ResumeSource): ActivePhase[] {
  const p = old.parameters;
  const gateFailedAt = (old.failure_code ?? failureCodeOf(p)) === GATE_FAILED ? p.phase : null;
  const out: ActivePhase[] = [];
  for (const phase of ACTIVE_PHASES) {
    if (phase === 'designing' && p.strategy) {
      out.push(phase);
      continue;
    }
    const id = p[PHASE_TABLE[phase].childKey];
    if (!id || old.children[id] !== 'completed' || gateFailedAt === phase) break;
    out.push(phase);
  }
  return out;
}

/** Where a resume of `old` starts by default. Every phase finished but the cycle did not complete (cancelled as the assessment ended): assess again. */
function firstUnfinishedPhase(old: ResumeSource): ActivePhase {
  const finished = finishedPhases(old);
  return ACTIVE_PHASES.find((ph) => !finished.includes(ph)) ?? 'assessing';
}

/**
 * Whether a resume of this ended cycle could run its backtest again, and so needs its trained
 * models kept: its first unfinished phase is the backtest or the assessment (a resume may start
 * at any finished phase up to that one). A completed cycle never needs them, nor one stopped at
 * or before training — its training gate refused, so a resume trains again.
 */
export function resumeNeedsModel(old: ResumeSource): boolean {
  if (old.status !== 'failed' && old.status !== 'cancelled') return false;
  if (!old.parameters.model_path) return false;
  const first = firstUnfinishedPhase(old);
  return first === 'backtesting' || first === 'assessing';
}

/**
 * A cycle's record as planResume and resumeNeedsModel read it: its state and the status of each
 * child its `*_op_id` keys name, looked up by id (`statusOf`: the store's read).
 */
export async function resumeSourceOf(
  cycle: { operation_id: string; status: Status; metadata: { parameters: Record<string, unknown> }; failure_code?: string | null },
  statusOf: (id: string) => Promise<Status | undefined>,
): Promise<ResumeSource> {
  const parameters = readCycleParameters(cycle.metadata.parameters);
  const ids = ACTIVE_PHASES.map((phase) => parameters[PHASE_TABLE[phase].childKey]).filter((v): v is string => typeof v === 'string');
  const children: ResumeSource['children'] = Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await statusOf(id)] as const)));
  return { operation_id: cycle.operation_id, status: cycle.status, parameters, children, failure_code: cycle.failure_code ?? null };
}

/**
 * Plans a resume: a new cycle that takes over the finished phases of a failed or
 * cancelled one and starts at the first phase that did not finish — or earlier, at `fromPhase`.
 * Pure: the caller loads the old cycle and its children, checks `needs` against the files, and
 * creates the new parent with `parameters` (atomically, under the capacity limit).
 */
export function planResume(old: ResumeSource, fromPhase: ActivePhase | null = null): ResumeDecision {
  const id = old.operation_id;
  if (old.status === 'completed') return { ok: false, kind: 'not_resumable', message: `Cycle ${id} completed; there is nothing to resume` };
  if (old.status === 'pending' || old.status === 'running') {
    return { ok: false, kind: 'not_resumable', message: `Cycle ${id} is still active (${old.status}); cancel it or wait for it to end` };
  }
  const p = old.parameters;
  const firstUnfinished = firstUnfinishedPhase(old);
  const earliest: ActivePhase = p.strategy ? 'training' : 'designing';
  const order = (ph: ActivePhase): number => ACTIVE_PHASES.indexOf(ph);
  if (fromPhase && order(fromPhase) > order(firstUnfinished)) {
    return { ok: false, kind: 'bad_from_phase', message: `must be at or before ${firstUnfinished}, the first phase of ${id} that did not finish` };
  }
  if (fromPhase && order(fromPhase) < order(earliest)) {
    return {
      ok: false,
      kind: 'bad_from_phase',
      message: `${id} was started from strategy ${String(p.strategy)} and had no design phase; the earliest is ${earliest}`,
    };
  }
  const start = fromPhase ?? firstUnfinished;
  const reused = ACTIVE_PHASES.filter((ph) => order(ph) < order(start));

  const parameters: CycleParametersPatch = { phase: 'idle', resumed_from: id, resume_start_phase: start, reused_phases: reused };
  for (const key of TRIGGER_KEYS) copyKey(parameters, p, key);
  for (const phase of reused) {
    const row = PHASE_TABLE[phase];
    copyKey(parameters, p, row.childKey);
    // What the phase produced, so the phases after it read it exactly as if it had run here.
    // `llm_usage` is deliberately not among them: the old cycle paid for its design, and the new
    // one reports only what it spends itself.
    for (const key of row.produces) copyKey(parameters, p, key);
  }
  if (reused.includes('designing') && !parameters.strategy_name && p.strategy) parameters.strategy_name = p.strategy;

  const needsStrategy = order(start) >= order('training');
  const strategy = needsStrategy ? (parameters.strategy_name ?? null) : null;
  if (needsStrategy && !strategy) return { ok: false, kind: 'not_resumable', message: `the design result is gone: ${id} has no strategy_name` };
  let modelPath: string | null = null;
  let placeholder = false;
  if (order(start) >= order('backtesting')) {
    modelPath = parameters.model_path ?? null;
    if (!modelPath) return { ok: false, kind: 'not_resumable', message: `the training result is gone: ${id} has no model_path` };
    placeholder = parameters.training_result?.stub === true && modelPath === STUB_RESULTS.training.model_path;
  }
  if (start === 'assessing') {
    const missing = (['training_result', 'backtest_result'] as const).filter((k) => !parameters[k]);
    if (missing.length) return { ok: false, kind: 'not_resumable', message: `the metrics are gone: ${id} has no ${missing.join(' or ')}` };
  }
  return {
    ok: true,
    plan: { start_phase: start, reused_phases: reused, parameters, needs: { strategy, model_path: modelPath, model_is_stub_placeholder: placeholder } },
  };
}

/** Copies one key of the old cycle's state onto the new one's, when the old one has it. */
function copyKey<K extends CycleKey>(to: CycleParametersPatch, from: CycleParameters, key: K): void {
  if (from[key] !== undefined) to[key] = from[key];
}

/**
 * The first action of a resumed cycle: its start phase, with nothing to add to the parent (the
 * reused keys were written when it was created). Null for a cycle that was not resumed.
 */
export function resumeFirstPhase(parameters: CycleParameters): CycleAction | null {
  const start = parameters.resume_start_phase;
  if (!parameters.resumed_from || !start) return null;
  return { kind: 'start_phase', phase: start, parameters: {}, progress: phaseStartProgress(start) };
}
