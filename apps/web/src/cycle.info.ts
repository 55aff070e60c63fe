import type { BacktestMetrics, CycleParameters, OperationInfo, PHASE_TABLE, TrainingMetrics } from './api.types';

/** What the views read out of a cycle record: its parameters (the contract's cycle state) and result_summary. */

const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/**
 * A cycle's parameters, typed by the contract. Read as the API sent them (the page parses nothing
 * at run time), so every key may be missing on an older record.
 */
export function params(op: OperationInfo): Partial<CycleParameters> {
  return (op.metadata?.parameters ?? {}) as Partial<CycleParameters>;
}

export function strategyName(op: OperationInfo): string | null {
  const p = params(op);
  const name = p.strategy_name ?? obj(op.result_summary)?.['strategy_name'] ?? p.strategy;
  return typeof name === 'string' && name ? name : null;
}

/**
 * The strategy as a reader wants it: its name once known, else why there is none. A cycle that
 * ends before its design finished never had a strategy, which a bare dash (or a "being designed"
 * frozen on a cancelled card) does not tell.
 */
export function strategyLabel(op: OperationInfo): string {
  const name = strategyName(op);
  if (name) return name;
  if (op.status === 'cancelled') return 'none: cancelled before the design finished';
  if (op.status === 'failed') return 'none: the design did not finish';
  if (op.status === 'completed') return '—';
  return 'being designed';
}

/** The backtest numbers: the completed cycle's result_summary, else what the parent stored after its backtest. */
export function backtestMetrics(op: OperationInfo): BacktestMetrics | null {
  const r = obj(obj(op.result_summary)?.['backtest_result']) ?? obj(params(op).backtest_result);
  return r && typeof r['total_return'] === 'number' ? (r as unknown as BacktestMetrics) : null;
}

/** The training numbers: what the cycle stored after its training (the training child's result is the fallback). */
export function trainingMetrics(op: OperationInfo): TrainingMetrics | null {
  const r = obj(params(op).training_result);
  return r && typeof r['accuracy'] === 'number' ? (r as unknown as TrainingMetrics) : null;
}

/**
 * Whether a result was evaluated walk-forward (folds, each predicted by models trained only before
 * it). Everything the page adds for walk-forward hangs on this, so a single-split result from
 * before it renders as it always has.
 */
export function isWalkForward(...results: ({ evaluation?: unknown; folds?: unknown } | null | undefined)[]): boolean {
  return results.some((r) => !!r && (!!obj(r.evaluation) || (Array.isArray(r.folds) && r.folds.length > 0)));
}

/** Stub results are marked wherever they are shown: the cycle's flag or any phase result's. */
export function isStub(op: OperationInfo): boolean {
  const p = params(op);
  const flagged = (v: unknown) => obj(v)?.['stub'] === true;
  return flagged(op.result_summary) || flagged(p.training_result) || flagged(p.backtest_result) || p.design_stub === true;
}

export function verdict(op: OperationInfo): string | null {
  const v = obj(op.result_summary)?.['verdict'] ?? params(op).assessment_verdict;
  if (typeof v === 'string') return v;
  const inner = obj(v)?.['verdict'];
  return typeof inner === 'string' ? inner : null;
}

type PhaseTable = typeof PHASE_TABLE;
type Phase = keyof PhaseTable;
/** One phase as the page lists it: its name, the cycle key of its child, its child's operation type. */
type ChildEntry = { [P in Phase]: readonly [P, PhaseTable[P]['childKey'], PhaseTable[P]['operationType']] }[Phase];

/**
 * The phases in cycle order with their child key and type. The page cannot import the phase table
 * at run time (it bundles nothing from the workspace), so this copy is checked against the table's
 * type: an entry that disagrees with the table, or a phase the table has and this lacks, fails to compile.
 */
export const CHILD_KEYS = [
  ['designing', 'design_op_id', 'agent_design'],
  ['training', 'training_op_id', 'training'],
  ['backtesting', 'backtest_op_id', 'backtesting'],
  ['assessing', 'assessment_op_id', 'agent_assessment'],
] as const satisfies readonly ChildEntry[];
type Listed = (typeof CHILD_KEYS)[number][0];
const everyPhaseListed: [Phase] extends [Listed] ? true : never = true;
void everyPhaseListed;
