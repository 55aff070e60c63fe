import type { BacktestMetrics, OperationInfo } from './api.types';

/** What the views read out of a cycle record (SPEC §5 parameters and result_summary). */

const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

export function params(op: OperationInfo): Record<string, unknown> {
  return op.metadata?.parameters ?? {};
}

export function strategyName(op: OperationInfo): string | null {
  const p = params(op);
  const name = p['strategy_name'] ?? obj(op.result_summary)?.['strategy_name'] ?? p['strategy'];
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
  const r = obj(obj(op.result_summary)?.['backtest_result']) ?? obj(params(op)['backtest_result']);
  return r && typeof r['total_return'] === 'number' ? (r as unknown as BacktestMetrics) : null;
}

/** Stub results are marked wherever they are shown (SPEC §8): the cycle's flag or any phase result's. */
export function isStub(op: OperationInfo): boolean {
  const p = params(op);
  const flagged = (v: unknown) => obj(v)?.['stub'] === true;
  return flagged(op.result_summary) || flagged(p['training_result']) || flagged(p['backtest_result']) || p['design_stub'] === true;
}

export function verdict(op: OperationInfo): string | null {
  const v = obj(op.result_summary)?.['verdict'] ?? params(op)['assessment_verdict'];
  if (typeof v === 'string') return v;
  const inner = obj(v)?.['verdict'];
  return typeof inner === 'string' ? inner : null;
}

export const CHILD_KEYS = [
  ['designing', 'design_op_id', 'agent_design'],
  ['training', 'training_op_id', 'training'],
  ['backtesting', 'backtest_op_id', 'backtesting'],
  ['assessing', 'assessment_op_id', 'agent_assessment'],
] as const;
