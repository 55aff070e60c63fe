/**
 * Pure text builders for every human-readable output of the CLI. Each returns the lines to print;
 * commands only choose which builder to call and where to write, so all wording lives here and is
 * unit-tested in output.format.spec.ts.
 */
import type {
  ActiveResearch,
  AgentStatus,
  CancelCycleResult,
  CancelOperationResult,
  OperationInfo,
  OperationList,
  OperationSummary,
  Progress,
  TriggerRefused,
  TriggerStarted,
} from './api.schemas.js';
import { renderTable, type Column } from './table.format.js';

/** Which parent parameter holds the child operation of each cycle phase (SPEC §5). */
export const PHASE_CHILD_KEY: Readonly<Record<string, string>> = {
  designing: 'design_op_id',
  training: 'training_op_id',
  backtesting: 'backtest_op_id',
  assessing: 'assessment_op_id',
};

export const FOLLOW_HINT = (id: string): string => `ktrdr operations follow ${id}`;

// ---- small value formatters -------------------------------------------------------------------

/** A 0–100 progress percentage: `20%`, `45.3%`. */
export function formatPercentage(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  const rounded = Math.round(value * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)}%`;
}

/** A fraction (0.523) shown as a percentage with one decimal: `52.3%`. */
export function formatFraction(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '-';
}

export function formatNumber(value: unknown, digits = 2): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '-';
}

/** Seconds as `12s`, `3m 05s`, `1h 02m`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '-';
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** An ISO-8601 timestamp as `2026-11-25 14:30:22 UTC`; unparseable input is shown as given. */
export function formatTimestamp(iso: string | null | undefined, withZone = true): string {
  if (!iso) return '-';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const text = new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  return withZone ? `${text} UTC` : text;
}

export function progressText(progress: Progress | number | null | undefined): string {
  if (progress === null || progress === undefined) return '-';
  if (typeof progress === 'number') return formatPercentage(progress);
  const step = progress.current_step ? ` ${progress.current_step}` : '';
  return `${formatPercentage(progress.percentage)}${step}`;
}

function orDash(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : '-';
}

export function parametersOf(op: OperationInfo): Record<string, unknown> {
  return op.metadata?.parameters ?? {};
}

/** The child operation a cycle is currently waiting on, from `metadata.parameters` (null when none). */
export function activeChildId(op: OperationInfo): string | null {
  if (op.operation_type !== 'agent_research') return null;
  const params = parametersOf(op);
  const phase = params['phase'];
  const key = typeof phase === 'string' ? PHASE_CHILD_KEY[phase] : undefined;
  const id = key ? params[key] : undefined;
  return typeof id === 'string' && id !== '' ? id : null;
}

// ---- agent ------------------------------------------------------------------------------------

export function triggerStartedLines(res: TriggerStarted, following: boolean): string[] {
  const lines = ['Research cycle started!', `  Operation ID: ${res.operation_id}`];
  if (res.model) lines.push(`  Model: ${res.model}`);
  if (!following) lines.push(`  Follow it with: ${FOLLOW_HINT(res.operation_id)}`);
  return lines;
}

export function triggerRefusedLines(res: TriggerRefused): string[] {
  switch (res.reason) {
    case 'active_cycle_exists':
      return [
        'Cannot trigger: Active cycle exists',
        `  Operation ID: ${orDash(res.operation_id)}`,
        '  Cancel it with: ktrdr agent cancel',
      ];
    case 'at_capacity': {
      const count =
        typeof res.active_count === 'number' && typeof res.limit === 'number'
          ? ` (${res.active_count} of ${res.limit} research cycles active)`
          : '';
      return [
        `Cannot trigger: At capacity${count}`,
        '  See them with: ktrdr agent status',
        '  Cancel one with: ktrdr agent cancel <ID>',
      ];
    }
    case 'budget_exhausted':
      return ['Cannot trigger: Daily LLM budget exhausted', ...(res.message ? [`  ${res.message}`] : [])];
    default:
      return [`Cannot trigger: ${res.message ?? res.reason}`];
  }
}

export function agentStatusLines(status: AgentStatus, lastCycleError?: string | null): string[] {
  if (status.status === 'active') {
    const lines = [
      'Status: ACTIVE',
      `  Operation: ${status.operation_id}`,
      `  Phase: ${orDash(status.phase)}`,
      `  Child operation: ${status.child_operation_id ?? 'none'}`,
      `  Strategy: ${orDash(status.strategy_name)}`,
      `  Progress: ${progressText(status.progress)}`,
    ];
    if (status.started_at) lines.push(`  Started: ${formatTimestamp(status.started_at)}`);
    if (status.active_researches.length > 1) {
      const limit = status.capacity ? ` (limit ${status.capacity.limit})` : '';
      lines.push('', `Active cycles: ${status.active_researches.length}${limit}`);
      lines.push(...activeResearchTable(status.active_researches).map((l) => `  ${l}`));
    }
    return lines;
  }
  const last = status.last_cycle;
  if (!last) return ['Status: IDLE', 'No previous cycles.'];
  const lines = [
    'Status: IDLE',
    'Last cycle:',
    `  Operation: ${last.operation_id}`,
    `  Outcome: ${last.outcome}`,
    `  Strategy: ${orDash(last.strategy_name)}`,
    `  Completed: ${formatTimestamp(last.completed_at)}`,
  ];
  if (lastCycleError) lines.push(`  Error: ${lastCycleError}`);
  return lines;
}

function activeResearchTable(rows: readonly ActiveResearch[]): string[] {
  const columns: Column<ActiveResearch>[] = [
    { header: 'OPERATION ID', get: (r) => r.operation_id },
    { header: 'PHASE', get: (r) => orDash(r.phase) },
    { header: 'CHILD', get: (r) => r.child_operation_id ?? 'none' },
    { header: 'STRATEGY', get: (r) => orDash(r.strategy_name) },
    { header: 'DURATION', get: (r) => formatDuration(r.duration_seconds), alignRight: true },
  ];
  return renderTable(rows, columns);
}

export function cycleCancelLines(res: CancelCycleResult): string[] {
  if (!res.success) return ['No active research cycle to cancel.'];
  const lines = ['Research cycle cancelled!', `  Operation: ${res.operation_id}`];
  if (res.child_cancelled) lines.push(`  Child operation: ${res.child_cancelled}`);
  return lines;
}

// ---- operations -------------------------------------------------------------------------------

export function operationsTableLines(list: OperationList): string[] {
  if (list.data.length === 0) return ['No operations found.'];
  const columns: Column<OperationSummary>[] = [
    { header: 'OPERATION ID', get: (r) => r.operation_id },
    { header: 'TYPE', get: (r) => r.operation_type },
    { header: 'STATUS', get: (r) => r.status },
    { header: 'PROGRESS', get: (r) => formatPercentage(r.progress_percentage), alignRight: true },
    { header: 'STEP', get: (r) => orDash(r.current_step), maxWidth: 40 },
    { header: 'CREATED (UTC)', get: (r) => formatTimestamp(r.created_at, false) },
    { header: 'DURATION', get: (r) => formatDuration(r.duration_seconds), alignRight: true },
  ];
  return [
    ...renderTable(list.data, columns),
    '',
    `Showing ${list.data.length} of ${list.total_count} operations (${list.active_count} active)`,
  ];
}

export function operationLines(op: OperationInfo): string[] {
  const params = parametersOf(op);
  const lines = [
    `Operation: ${op.operation_id}`,
    `  Type: ${op.operation_type}`,
    `  Status: ${op.status.toUpperCase()}`,
    `  Parent: ${op.parent_operation_id ?? '-'}`,
  ];
  if (op.operation_type === 'agent_research') {
    if (typeof params['phase'] === 'string') lines.push(`  Phase: ${params['phase']}`);
    const child = activeChildId(op);
    if (child && !isTerminal(op.status)) lines.push(`  Child operation: ${child}`);
  }
  if (typeof params['strategy_name'] === 'string') lines.push(`  Strategy: ${params['strategy_name']}`);
  lines.push(
    `  Created: ${formatTimestamp(op.created_at)}`,
    `  Started: ${formatTimestamp(op.started_at)}`,
    `  Completed: ${formatTimestamp(op.completed_at)}`,
    `  Progress: ${formatPercentage(op.progress.percentage)}`,
    `  Current step: ${orDash(op.progress.current_step)}`,
  );
  if (op.error_message) lines.push(`  Error: ${op.error_message}`);
  if (op.status === 'cancelled') {
    lines.push(`  Cancellation reason: ${orDash(op.cancellation_reason)}`);
    if (op.cancelled_at) lines.push(`  Cancelled at: ${formatTimestamp(op.cancelled_at)}`);
  }
  if (op.status === 'completed' && op.result_summary && Object.keys(op.result_summary).length > 0) {
    lines.push('  Result:', ...resultLines(op.result_summary, '    '));
  }
  return lines;
}

export function operationCancelledLines(res: CancelOperationResult): string[] {
  const lines = [`Operation cancelled: ${res.operation_id}`];
  if (res.cancellation_reason) lines.push(`  Reason: ${res.cancellation_reason}`);
  if (res.children_cancelled.length === 0) {
    lines.push('  Children cancelled: none');
  } else {
    lines.push('  Children cancelled:', ...res.children_cancelled.map((id) => `    - ${id}`));
  }
  return lines;
}

/** Key/value lines for a result object: scalars inline, nested objects indented (two levels), arrays counted. */
export function resultLines(value: Record<string, unknown>, indent = '', depth = 0): string[] {
  const lines: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      if (depth >= 1) {
        lines.push(`${indent}${key}: ${truncateText(JSON.stringify(v), 80)}`);
      } else {
        lines.push(`${indent}${key}:`, ...resultLines(v as Record<string, unknown>, `${indent}  `, depth + 1));
      }
    } else if (Array.isArray(v)) {
      const scalars = v.every((x) => x === null || typeof x !== 'object');
      lines.push(
        `${indent}${key}: ${scalars && v.length <= 8 ? `[${v.map(String).join(', ')}]` : `[${v.length} items]`}`,
      );
    } else {
      lines.push(`${indent}${key}: ${v === null ? '-' : String(v)}`);
    }
  }
  return lines;
}

function truncateText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function isTerminal(status: string): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

// ---- follow -----------------------------------------------------------------------------------

/** The closing summary of a followed operation that reached a terminal status. */
export function followSummaryLines(op: OperationInfo): string[] {
  if (op.status === 'failed') {
    return [`Failed: ${op.error_message ?? 'no error message recorded'}`, `  Operation: ${op.operation_id}`];
  }
  if (op.status === 'cancelled') {
    return [`Cancelled: ${op.cancellation_reason ?? 'no reason recorded'}`, `  Operation: ${op.operation_id}`];
  }
  if (op.operation_type !== 'agent_research') {
    const lines = [`Operation completed: ${op.operation_id}`];
    if (op.result_summary && Object.keys(op.result_summary).length > 0) {
      lines.push('  Result:', ...resultLines(op.result_summary, '    '));
    }
    return lines;
  }
  const summary = op.result_summary ?? {};
  const params = parametersOf(op);
  const strategy = summary['strategy_name'] ?? params['strategy_name'];
  const verdict = summary['verdict'] ?? params['assessment_verdict'];
  const backtest = asRecord(summary['backtest_result'] ?? params['backtest_result']);
  const lines = [
    'Research cycle completed!',
    `  Operation: ${op.operation_id}`,
    `  Strategy: ${orDash(strategy)}`,
    `  Verdict: ${orDash(verdict)}`,
  ];
  if (backtest) {
    lines.push(
      `  Sharpe ratio: ${formatNumber(backtest['sharpe_ratio'])}`,
      `  Win rate: ${formatFraction(backtest['win_rate'])}`,
      `  Max drawdown: ${formatFraction(backtest['max_drawdown'])}`,
    );
    if (typeof backtest['total_return'] === 'number') lines.push(`  Total return: ${formatFraction(backtest['total_return'])}`);
    if (typeof backtest['total_trades'] === 'number') lines.push(`  Trades: ${backtest['total_trades']}`);
  }
  const modelPath = summary['model_path'] ?? params['model_path'];
  if (typeof modelPath === 'string') lines.push(`  Model: ${modelPath}`);
  return lines;
}

export function detachLines(id: string): string[] {
  return ['Detached. The operation keeps running.', `Re-attach with: ${FOLLOW_HINT(id)}`];
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}
