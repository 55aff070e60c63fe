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
  CsvProblems,
  CycleParameters,
  DataImportResult,
  DataSetInfo,
  Health,
  OperationInfo,
  OperationList,
  OperationSummary,
  OperationProgress as Progress,
  StrategyConfigWire,
  StoreUsage,
  StrategySummary,
  TriggerRefused,
  TriggerStarted,
} from '@ktrdr/api-contract';
import { currentChildId, isTerminalStatus, manifestHashOf, phaseOfOperationType, readCycleParameters } from '@ktrdr/api-contract';
import {
  assessorText,
  cyclePhaseText,
  designerText,
  progressStateText,
  trainingEpochs,
  trainingEpochsText,
  trainingResultOf,
  backtestResultOf,
  robustnessText,
  significanceText,
  skillText,
} from './cycle.facts.js';
import { ktrdrCommand } from './invocation.js';
import { plural } from './plural.format.js';
import { renderTable, type Column } from './table.format.js';
import { walkForwardLines } from './walk-forward.format.js';

export const FOLLOW_HINT = (id: string): string => ktrdrCommand(`operations follow ${id}`);

/** Shown under any result that came from stub phases (stub results are always marked). */
export const STUB_NOTE = '(stub results: canned numbers, no real research ran)';

/** True when an operation's result says it came from stub phases (`result_summary.stub: true`). */
export function isStubResult(op: Pick<OperationInfo, 'result_summary'>): boolean {
  return op.result_summary?.['stub'] === true;
}

/** The label of an operation's end time: only a completed one "Completed" (a cancel or failure is not). */
export function endLabel(status: string): string {
  return status === 'completed' ? 'Completed' : 'Ended';
}

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

const BYTE_UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

/** A byte count in binary units: `512 B`, `3.4 MiB` (one decimal under 10), `12 KiB`, `1.0 GiB`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '-';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes / 1024;
  let unit = 0;
  // Promote before rounding would show 1024 of a unit (1023.9 KiB is `1.0 MiB`).
  while (unit < BYTE_UNITS.length - 1 && Math.round(value) >= 1024) {
    value /= 1024;
    unit += 1;
  }
  const text = value < 9.95 ? value.toFixed(1) : String(Math.round(value));
  return `${text} ${BYTE_UNITS[unit]}`;
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

/** A cycle's state as the contract types it, read once from the record the API sent. */
export function parametersOf(op: OperationInfo): CycleParameters {
  return readCycleParameters(op.metadata?.parameters);
}

/** The child operation a cycle is currently waiting on (null when none), by the phase table's child key. */
export function activeChildId(op: OperationInfo): string | null {
  if (op.operation_type !== 'agent_research') return null;
  return currentChildId(parametersOf(op)) || null;
}

// ---- agent ------------------------------------------------------------------------------------

/**
 * The trigger's answer. It echoes the model the cycle would give Claude, but only the worker knows
 * whether Claude is called at all (its ANTHROPIC_API_KEY), so the model is not printed as if it
 * were: the designer is named once the record says who designed (follow, status, summary).
 */
export function triggerStartedLines(res: TriggerStarted, following: boolean, request: { strategy?: string } = {}): string[] {
  const lines = ['Research cycle started!', `  Operation ID: ${res.operation_id}`];
  if (request.strategy) lines.push(`  Designer: ${designerText({ strategy: request.strategy })}`);
  else lines.push('  Designer: picked by the worker (Claude when it has ANTHROPIC_API_KEY, else offline); named once the design has run');
  if (!following) lines.push(`  Follow it with: ${FOLLOW_HINT(res.operation_id)}`);
  return lines;
}

export function triggerRefusedLines(res: TriggerRefused): string[] {
  switch (res.reason) {
    case 'active_cycle_exists':
      return ['Cannot trigger: Active cycle exists', `  Operation ID: ${orDash(res.operation_id)}`, `  Cancel it with: ${ktrdrCommand('agent cancel')}`];
    case 'at_capacity': {
      const count =
        typeof res.active_count === 'number' && typeof res.limit === 'number' ? ` (${res.active_count} of ${res.limit} research cycles active)` : '';
      return [
        `Cannot trigger: At capacity${count}`,
        `  See them with: ${ktrdrCommand('agent status')}`,
        `  Cancel one with: ${ktrdrCommand('agent cancel <ID>')}`,
      ];
    }
    case 'budget_exhausted':
      return ['Cannot trigger: Daily LLM budget exhausted', ...(res.message ? [`  ${res.message}`] : [])];
    default:
      return [`Cannot trigger: ${res.message ?? res.reason}`];
  }
}

/**
 * `record` is the shown cycle's own record when the command could read it: it adds what the status
 * route leaves out (who designed it, the phase a finished cycle ended in).
 */
export function agentStatusLines(status: AgentStatus, lastCycleError?: string | null, record?: OperationInfo | null): string[] {
  const designer = record ? designerText(parametersOf(record)) : null;
  if (status.status === 'active') {
    const lines = [
      'Status: ACTIVE',
      `  Operation: ${status.operation_id}`,
      `  Phase: ${orDash(status.phase)}`,
      `  Child operation: ${status.child_operation_id ?? 'none'}`,
      `  Strategy: ${orDash(status.strategy_name)}`,
      ...(designer ? [`  Designer: ${designer}`] : []),
      `  Progress: ${progressText(status.progress)}`,
    ];
    if (status.resumed_from) lines.push(`  Resumed from: ${status.resumed_from}`);
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
    ...(record ? [`  Phase: ${cyclePhaseText(record.status, parametersOf(record).phase) ?? last.outcome}`] : []),
    `  Strategy: ${orDash(last.strategy_name)}`,
    ...(designer ? [`  Designer: ${designer}`] : []),
    `  ${endLabel(last.outcome)}: ${formatTimestamp(last.completed_at)}`,
  ];
  if (last.resumed_from) lines.push(`  Resumed from: ${last.resumed_from}`);
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
  // Two lines: the reason as scripts see it, then the sentence.
  if (!res.success) return [`Could not cancel: ${res.reason}`, 'No active research cycle to cancel.'];
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
  return [...renderTable(list.data, columns), '', `Showing ${list.data.length} of ${list.total_count} operations (${list.active_count} active)`];
}

/**
 * How long an operation has run: from its start (or creation, when it never started but ended) to
 * its end, or to `now` while it runs; null before it started. The children route sends whole records,
 * which carry no duration, so it is worked out here as the list route works it out.
 */
export function operationDurationSeconds(op: Pick<OperationInfo, 'created_at' | 'started_at' | 'completed_at'>, now: Date = new Date()): number | null {
  if (!op.started_at && !op.completed_at) return null;
  const start = Date.parse(op.started_at ?? op.created_at);
  const end = op.completed_at ? Date.parse(op.completed_at) : now.getTime();
  return Number.isNaN(start) || Number.isNaN(end) ? null : Math.max(0, (end - start) / 1000);
}

/**
 * `ktrdr operations children`: one row per child, oldest first, with the error of a failed one in
 * full (it is what the user came to read, so it is the last column and never cut). A research
 * cycle's listing ends with the command that shows its children's artifacts.
 */
export function childrenTableLines(parent: string, children: readonly OperationInfo[], now: Date = new Date()): string[] {
  if (children.length === 0) return [`No child operations of ${parent}.`];
  const columns: Column<OperationInfo>[] = [
    { header: 'OPERATION ID', get: (r) => r.operation_id },
    { header: 'TYPE', get: (r) => r.operation_type },
    { header: 'STATUS', get: (r) => r.status },
    { header: 'PROGRESS', get: (r) => formatPercentage(r.progress.percentage), alignRight: true },
    { header: 'DURATION', get: (r) => formatDuration(operationDurationSeconds(r, now)), alignRight: true },
  ];
  // The walk-forward folds of a training or backtest child: which fold each is, and its test bars.
  if (children.some(isFoldOperation)) {
    columns.splice(2, 0, { header: 'FOLD', get: (r) => foldOf(r).fold, alignRight: true }, { header: 'TEST WINDOW', get: (r) => foldOf(r).window });
  }
  if (children.some((c) => c.status === 'failed' && c.error_message)) {
    columns.push({ header: 'ERROR', get: (r) => (r.status === 'failed' ? orDash(r.error_message) : '') });
  }
  const active = children.filter((c) => !isTerminal(c.status)).length;
  const lines = [...renderTable(children, columns), '', `${children.length} child operation(s) of ${parent} (${active} active)`];
  // Phase children mean the parent is a research cycle, whose artifacts are its children's.
  if (children.some((c) => phaseOfOperationType(c.operation_type) !== null)) lines.push(`Their artifacts: ${ktrdrCommand(`operations artifacts ${parent}`)}`);
  return lines;
}

const isFoldOperation = (op: Pick<OperationInfo, 'operation_type'>): boolean => op.operation_type === 'training_fold' || op.operation_type === 'backtest_fold';

/**
 * A fold operation's number (`2/5`) and test window (`[2010-06-30, 2013-01-02)`, first bar's day to
 * the next fold's, which it excludes), from the parameters its phase child gave it: a training fold
 * holds every fold's window, a backtest fold its own and the count.
 */
function foldOf(op: OperationInfo): { fold: string; window: string } {
  if (!isFoldOperation(op)) return { fold: '', window: '' };
  const p = (op.metadata?.parameters ?? {}) as Record<string, unknown>;
  const fold = typeof p['fold'] === 'number' ? p['fold'] : null;
  const windows = Array.isArray(p['windows']) ? (p['windows'] as unknown[]) : null;
  const total = typeof p['folds'] === 'number' ? p['folds'] : windows ? windows.length : null;
  const own = Array.isArray(p['window']) ? p['window'] : fold !== null && windows ? windows[fold - 1] : null;
  const day = (v: unknown): string => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(Date.parse(v)).toISOString().slice(0, 10) : '?');
  // A training phase runs one job per fold and seed: such a job names its one seed.
  const seeds = Array.isArray(p['seeds']) ? (p['seeds'] as unknown[]) : [];
  const seed = seeds.length === 1 && typeof seeds[0] === 'number' ? ` seed ${seeds[0]}` : '';
  return {
    fold: (fold === null ? '-' : total !== null ? `${fold}/${total}` : String(fold)) + seed,
    window: Array.isArray(own) && own.length === 2 ? `[${day(own[0])}, ${day(own[1])})` : '-',
  };
}

/** What an operation's own record cannot say: the strategy's configured epochs (read from the strategy file). */
export interface OperationContext {
  plannedEpochs?: number | null;
}

export function operationLines(op: OperationInfo, context: OperationContext = {}): string[] {
  const params = parametersOf(op);
  const terminal = isTerminal(op.status);
  const lines = [
    `Operation: ${op.operation_id}`,
    `  Type: ${op.operation_type}`,
    `  Status: ${op.status.toUpperCase()}`,
    `  Parent: ${op.parent_operation_id ?? '-'}`,
  ];
  if (op.operation_type === 'agent_research') {
    const phase = cyclePhaseText(op.status, params.phase);
    if (phase) lines.push(`  Phase: ${phase}`);
    const child = activeChildId(op);
    if (child && !terminal) lines.push(`  Child operation: ${child}`);
    if (params.resumed_from) lines.push(`  Resumed from: ${params.resumed_from}`);
  }
  if (params.strategy_name) lines.push(`  Strategy: ${params.strategy_name}`);
  if (op.operation_type === 'agent_research') {
    const designer = designerText(params);
    if (designer) lines.push(`  Designer: ${designer}`);
  }
  const training = trainingResultOf(op);
  const epochs = trainingEpochs(training, context.plannedEpochs ?? null);
  if (epochs) lines.push(`  Training: ${trainingEpochsText(epochs)}`);
  const skill = skillText(training);
  if (skill) lines.push(`  Skill: ${skill}`);
  // Whether the backtest could be luck and what survives higher costs: the numbers a gate refusal
  // needs beside it as much as a completed cycle does.
  const backtest = backtestResultOf(op);
  const significance = significanceText(backtest);
  if (significance) lines.push(`  Significance: ${significance}`);
  const robustness = robustnessText(backtest);
  if (robustness) lines.push(`  Robustness: ${robustness}`);
  // Walk-forward: the plan, each fold's numbers, fold and seed dispersion, regimes, costs paid.
  lines.push(...walkForwardLines(training, backtest));
  lines.push(
    `  Created: ${formatTimestamp(op.created_at)}`,
    `  Started: ${formatTimestamp(op.started_at)}`,
    `  ${endLabel(op.status)}: ${formatTimestamp(op.completed_at)}`,
    `  Progress: ${progressStateText(op, formatPercentage(op.progress.percentage))}`,
    `  ${terminal && op.status !== 'completed' ? 'Last step' : 'Current step'}: ${orDash(op.progress.current_step)}`,
  );
  if (op.error_message) lines.push(`  Error: ${op.error_message}`);
  if (op.status === 'cancelled') {
    lines.push(`  Cancellation reason: ${orDash(op.cancellation_reason)}`);
    if (op.cancelled_at) lines.push(`  Cancelled at: ${formatTimestamp(op.cancelled_at)}`);
  }
  if (op.status === 'completed' && op.result_summary && Object.keys(op.result_summary).length > 0) {
    lines.push('  Result:', ...resultLines(op.result_summary, '    '));
    if (isStubResult(op)) lines.push(`  ${STUB_NOTE}`);
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
      lines.push(`${indent}${key}: ${scalars && v.length <= 8 ? `[${v.map(String).join(', ')}]` : `[${v.length} items]`}`);
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
  return isTerminalStatus(status);
}

// ---- follow -----------------------------------------------------------------------------------

/** The closing summary of a followed operation that reached a terminal status. */
export function followSummaryLines(op: OperationInfo, context: OperationContext = {}): string[] {
  const training = trainingResultOf(op);
  const epochs = trainingEpochs(training, context.plannedEpochs ?? null);
  const skill = skillText(training);
  const epochLine = [...(epochs ? [`  Training: ${trainingEpochsText(epochs)}`] : []), ...(skill ? [`  Skill: ${skill}`] : [])];
  if (op.status === 'failed' || op.status === 'cancelled') {
    const lines =
      op.status === 'failed'
        ? [`Failed: ${op.error_message ?? 'no error message recorded'}`, `  Operation: ${op.operation_id}`]
        : [`Cancelled: ${op.cancellation_reason ?? 'no reason recorded'}`, `  Operation: ${op.operation_id}`];
    if (op.operation_type === 'agent_research') {
      const params = parametersOf(op);
      lines.push(`  Phase: ${cyclePhaseText(op.status, params.phase) ?? op.status}`);
      if (params.strategy_name) lines.push(`  Strategy: ${params.strategy_name}`);
    }
    return [...lines, ...epochLine];
  }
  if (op.operation_type !== 'agent_research') {
    const lines = [`Operation completed: ${op.operation_id}`, ...epochLine, ...walkForwardLines(training, backtestResultOf(op))];
    if (op.result_summary && Object.keys(op.result_summary).length > 0) {
      lines.push('  Result:', ...resultLines(op.result_summary, '    '));
      if (isStubResult(op)) lines.push(`  ${STUB_NOTE}`);
    }
    return lines;
  }
  const summary = op.result_summary ?? {};
  const params = parametersOf(op);
  const strategy = summary['strategy_name'] ?? params.strategy_name;
  const verdict = summary['verdict'] ?? params.assessment_verdict;
  const backtest = asRecord(summary['backtest_result'] ?? params.backtest_result);
  const lines = [
    'Research cycle completed!',
    `  Operation: ${op.operation_id}`,
    `  Phase: ${cyclePhaseText(op.status, params.phase)}`,
    `  Strategy: ${orDash(strategy)}`,
    `  Verdict: ${orDash(verdict)}`,
    ...epochLine,
  ];
  if (backtest) {
    lines.push(
      `  Sharpe ratio: ${formatNumber(backtest['sharpe_ratio'])}`,
      `  Win rate: ${formatFraction(backtest['win_rate'])}`,
      `  Max drawdown: ${formatFraction(backtest['max_drawdown'])}`,
    );
    if (typeof backtest['total_return'] === 'number') lines.push(`  Total return: ${formatFraction(backtest['total_return'])}`);
    if (typeof backtest['benchmark_return'] === 'number') lines.push(`  Buy and hold: ${formatFraction(backtest['benchmark_return'])}`);
    if (typeof backtest['total_trades'] === 'number') lines.push(`  Trades: ${backtest['total_trades']}`);
    const significance = significanceText(backtest);
    if (significance) lines.push(`  Significance: ${significance}`);
    const robustness = robustnessText(backtest);
    if (robustness) lines.push(`  Robustness: ${robustness}`);
    lines.push(...perSymbolLines(backtest['per_symbol']));
  }
  lines.push(...walkForwardLines(training, backtest));
  // Who designed and judged it (Claude with its model, the offline designer/assessor, or stub
  // mode), in the words the follow note and the status commands use too.
  const designer = designerText({ ...params, designer: params.designer ?? (typeof summary['designer'] === 'string' ? summary['designer'] : null) });
  const assessor = assessorText(summary, params);
  const who = [designer ? `designed by: ${designer}` : null, assessor ? `assessed by: ${assessor}` : null].filter(Boolean).join('; ');
  if (who) lines.push(`  ${who[0]!.toUpperCase()}${who.slice(1)}`);
  const modelPath = summary['model_path'] ?? params.model_path;
  if (typeof modelPath === 'string') lines.push(`  Trained model: ${modelPathText(modelPath)}`);
  if (isStubResult(op)) lines.push(`  ${STUB_NOTE}`);
  return lines;
}

/**
 * A trained model's address for reading: `blob:1a2b3c4d5e6f… (in the store)` for the walk-forward
 * manifest's `blob:<sha256>` (the whole address is in --json and the training child's result); any
 * other text (a stub's placeholder, a directory an older version wrote) as it is.
 */
export function modelPathText(modelPath: string): string {
  const hash = manifestHashOf(modelPath);
  return hash ? `blob:${hash.slice(0, 12)}… (in the store)` : modelPath;
}

/**
 * A multi-symbol backtest's own numbers per symbol, under the portfolio's (which the lines above
 * show): one aligned line each. Nothing for a single-symbol backtest (it has no `per_symbol`).
 */
function perSymbolLines(value: unknown): string[] {
  const rows = Array.isArray(value) ? value.map(asRecord).filter((r): r is Record<string, unknown> => r !== null) : [];
  if (rows.length < 2) return [];
  const width = Math.max(...rows.map((r) => String(r['symbol'] ?? '-').length));
  return [
    `  Per symbol (equal-weight sleeves of the portfolio above):`,
    ...rows.map(
      (r) =>
        `    ${String(r['symbol'] ?? '-').padEnd(width)}  return ${formatFraction(r['total_return'])}, Sharpe ${formatNumber(r['sharpe_ratio'])}, max drawdown ${formatFraction(r['max_drawdown'])}, win rate ${formatFraction(r['win_rate'])}, trades ${formatNumber(r['total_trades'], 0)}`,
    ),
  ];
}

export function detachLines(id: string): string[] {
  return ['Detached. The operation keeps running.', `Re-attach with: ${FOLLOW_HINT(id)}`];
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

// ---- health -----------------------------------------------------------------------------------

/**
 * The blob store's line: `Store: 12 blobs, 3.4 MiB (bars 2 · 3.3 MiB, strategy 5 · 12 KiB)`, kinds
 * biggest first. Content bytes (what was put), as the API counts them.
 */
export function storeLine(store: StoreUsage | null | undefined): string {
  if (store === undefined) return 'Store: not reported by this API';
  if (store === null) return 'Store: not counted (the API could not read its index within 1 s)';
  const kinds = Object.entries(store.by_kind)
    .sort(([a, x], [b, y]) => y.bytes - x.bytes || (a < b ? -1 : a > b ? 1 : 0))
    .map(([kind, k]) => `${kind} ${k.blobs} · ${formatBytes(k.bytes)}`);
  const total = store.blobs === 0 ? plural(0, 'blob') : `${plural(store.blobs, 'blob')}, ${formatBytes(store.bytes)}`;
  return `Store: ${total}${kinds.length ? ` (${kinds.join(', ')})` : ''}`;
}

/** `ktrdr health`: Redis, the queues with their live workers, and what the blob store holds. */
export function healthLines(health: Omit<Health, 'success'>): string[] {
  if (health.status !== 'healthy') {
    const why = health.error?.message ?? `Redis is unreachable: ${health.redis.error ?? 'unknown error'}`;
    return ['Status: UNHEALTHY', `  ${why}`];
  }
  const redis = [
    ...(health.redis.latency_ms !== undefined ? [`PING ${formatNumber(health.redis.latency_ms)} ms`] : []),
    ...(health.redis.used_memory_bytes !== undefined ? [`${formatBytes(health.redis.used_memory_bytes)} used`] : []),
  ];
  const lines = ['Status: HEALTHY', `Redis: connected${redis.length ? ` (${redis.join(', ')})` : ''}`, storeLine(health.store)];
  const queues = Object.entries(health.queues ?? {});
  if (queues.length) {
    const workers = (name: string): string => {
      const entry = asRecord(health.workers?.[name]);
      // null: this Redis refuses CLIENT LIST, so the API cannot tell.
      return entry && typeof entry['count'] === 'number' ? String(entry['count']) : '?';
    };
    const count = (c: Record<string, number>, state: string): string => String(c[state] ?? 0);
    const columns: Column<[string, Record<string, number>]>[] = [
      { header: 'QUEUE', get: ([name]) => name },
      { header: 'WAITING', get: ([, c]) => count(c, 'waiting'), alignRight: true },
      { header: 'ACTIVE', get: ([, c]) => count(c, 'active'), alignRight: true },
      { header: 'DELAYED', get: ([, c]) => count(c, 'delayed'), alignRight: true },
      { header: 'FAILED', get: ([, c]) => count(c, 'failed'), alignRight: true },
      { header: 'WORKERS', get: ([name]) => workers(name), alignRight: true },
    ];
    lines.push('', ...renderTable(queues, columns));
  }
  return lines;
}

// ---- market data and strategies ---------------------------------------------------------------

/** A bar's open time: the date alone for daily and weekly bars, `YYYY-MM-DD HH:MM` otherwise (UTC). */
export function formatBarTime(iso: string, timeframe: string): string {
  const ms = Date.parse(iso);
  if (!iso || Number.isNaN(ms)) return '-';
  const text = new Date(ms).toISOString();
  return timeframe === '1d' || timeframe === '1w' ? text.slice(0, 10) : `${text.slice(0, 10)} ${text.slice(11, 16)}`;
}

export function dataTableLines(rows: readonly DataSetInfo[]): string[] {
  if (rows.length === 0) return ['No market data found.'];
  const columns: Column<DataSetInfo>[] = [
    { header: 'SYMBOL', get: (r) => r.symbol },
    { header: 'TIMEFRAME', get: (r) => r.timeframe },
    { header: 'SOURCE', get: (r) => (r.error ? `${r.source} (unreadable)` : r.source) },
    { header: 'START (UTC)', get: (r) => formatBarTime(r.start, r.timeframe) },
    { header: 'END (UTC)', get: (r) => formatBarTime(r.end, r.timeframe) },
    { header: 'BARS', get: (r) => (r.error ? '-' : String(r.bars)), alignRight: true },
  ];
  const lines = renderTable(rows, columns);
  const broken = rows.filter((r) => r.error);
  if (broken.length) lines.push('', 'Unreadable files:', ...broken.map((r) => `  ${r.symbol} ${r.timeframe}: ${r.error}`));
  if (rows.some((r) => r.source === 'synthetic')) {
    lines.push('', 'SYNTH_* stands for any symbol starting with SYNTH_ (e.g. SYNTH_DEMO): a seeded synthetic market, the same series everywhere.');
  }
  lines.push(`Import your own: ${ktrdrCommand('data import <file.csv> --symbol <SYMBOL> --timeframe <TIMEFRAME>')}`);
  return lines;
}

export function dataImportLines(res: DataImportResult, file: string): string[] {
  const lines = [
    `Imported ${res.bars} bars of ${res.symbol} ${res.timeframe} from ${file}`,
    `  Range: ${formatBarTime(res.start, res.timeframe)} … ${formatBarTime(res.end, res.timeframe)} (UTC)`,
  ];
  // The API stores imports in Redis under a name every worker reads; a path only comes from a directory-backed repository.
  const where = res.name ? `${res.name}${res.hash ? ` (blob ${res.hash.slice(0, 12)}…)` : ''}` : res.path;
  if (where) lines.push(`  Stored: ${where}${res.replaced ? ' (replaced the previous import)' : ''}`);
  return lines;
}

/** The rows a refused import names, one per line: `  line 4: high 9 < low 11`. */
export function csvProblemLines(file: string, problems: CsvProblems): string[] {
  const total = problems.total_problems ?? problems.problems.length;
  const lines = [`Import refused: ${file} has ${total} bad ${total === 1 ? 'row' : 'rows'} (nothing was stored)`];
  lines.push(...problems.problems.map((p) => (p.line > 0 ? `  line ${p.line}: ${p.message}` : `  ${p.message}`)));
  if (total > problems.problems.length) lines.push(`  … and ${total - problems.problems.length} more`);
  return lines;
}

export function strategiesTableLines(rows: readonly StrategySummary[]): string[] {
  if (rows.length === 0) return ['No strategies found.'];
  const columns: Column<StrategySummary>[] = [
    { header: 'NAME', get: (r) => r.name },
    { header: 'STATUS', get: (r) => (r.valid ? 'valid' : 'INVALID') },
    { header: 'SYMBOLS', get: (r) => r.symbols.join(', ') || '-', maxWidth: 30 },
    { header: 'TIMEFRAMES', get: (r) => r.timeframes.join(', ') || '-' },
    { header: 'DESCRIPTION', get: (r) => r.description || '-', maxWidth: 60 },
  ];
  const lines = renderTable(rows, columns);
  const invalid = rows.filter((r) => !r.valid);
  if (invalid.length) {
    // A stored name is never replaced: a fixed strategy goes in under a new name.
    lines.push('', `Invalid strategies (nothing can run them; fix one and import it under a new name with ${ktrdrCommand('strategies import <file>')}):`);
    for (const r of invalid) {
      const errors = r.errors ?? [];
      const more = errors.length > 1 ? ` (+${errors.length - 1} more)` : '';
      lines.push(`  ${r.name}: ${errors[0] ?? 'invalid'}${more}`);
    }
  }
  lines.push(
    '',
    `${rows.length} ${rows.length === 1 ? 'strategy' : 'strategies'}${invalid.length ? ` (${invalid.length} invalid)` : ''}. Show one with: ${ktrdrCommand('strategies show <name>')}`,
  );
  return lines;
}

/** Small fractions as percentages without rounding them away: 0.0005 → `0.05%`. */
function exactPercent(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${Number((value * 100).toFixed(6))}%` : '-';
}

/** `{type: rsi, period: 14}` → `rsi(period=14)`; a membership set → `triangular [0, 20, 35]`. */
function describeParams(entry: Record<string, unknown>, kind = 'type'): string {
  const type = typeof entry[kind] === 'string' ? (entry[kind] as string) : '?';
  const params = Object.entries(entry).filter(([k]) => k !== kind);
  return params.length ? `${type}(${params.map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`).join(', ')})` : type;
}

export function strategyLines(config: StrategyConfigWire): string[] {
  const lines = [`Strategy: ${config.name}`];
  if (config.description) lines.push(`  Description: ${config.description}`);
  if (config.hypothesis) lines.push(`  Hypothesis: ${config.hypothesis}`);
  if (config.version !== undefined) lines.push(`  Version: ${config.version}`);
  const td = config.training_data;
  if (td) {
    lines.push('Training data:', `  Symbols: ${td.symbols.join(', ') || '-'}`, `  Timeframes: ${td.timeframes.join(', ') || '-'}`);
    if (td.date_range) lines.push(`  Dates: ${td.date_range.start} … ${td.date_range.end}`);
  }
  const indicators = Object.entries(config.indicators ?? {});
  if (indicators.length) lines.push('Indicators:', ...indicators.map(([id, e]) => `  ${id}: ${describeParams(e)}`));
  const fuzzy = Object.entries(config.fuzzy_sets ?? {});
  if (fuzzy.length) {
    lines.push('Fuzzy sets:');
    for (const [id, fs] of fuzzy) {
      const sets = Object.entries(fs)
        .filter(([k]) => k !== 'indicator')
        .map(([k, v]) => {
          const m = asRecord(v);
          return m ? `${k} ${String(m['type'] ?? '?')} [${Array.isArray(m['parameters']) ? (m['parameters'] as unknown[]).join(', ') : ''}]` : k;
        });
      lines.push(`  ${id} (on ${String(fs['indicator'] ?? '?')}): ${sets.join('; ')}`);
    }
  }
  if (config.nn_inputs?.length) {
    lines.push(
      'Model inputs:',
      ...config.nn_inputs.map((i) => `  ${i.fuzzy_set} on ${Array.isArray(i.timeframes) ? i.timeframes.join(', ') : String(i.timeframes ?? 'all')}`),
    );
  }
  const model = config.model;
  if (model) {
    const arch = asRecord(model['architecture']) ?? {};
    const training = asRecord(model['training']) ?? {};
    const layers = Array.isArray(arch['hidden_layers']) ? (arch['hidden_layers'] as unknown[]).join('-') : '?';
    lines.push(
      'Model:',
      `  ${String(model['type'] ?? 'mlp')} ${layers}, ${String(arch['activation'] ?? 'relu')}, dropout ${String(arch['dropout'] ?? 0)}`,
      `  learning rate ${String(training['learning_rate'] ?? '-')}, batch ${String(training['batch_size'] ?? '-')}, up to ${String(training['epochs'] ?? '-')} epochs`,
    );
  }
  const labels = asRecord(config.training?.['labels']);
  const split = asRecord(config.training?.['data_split']);
  if (labels || split) {
    lines.push('Labels and split:');
    if (labels) lines.push(`  ${describeParams(labels, 'source')}`);
    if (split)
      lines.push(`  train ${formatFraction(split['train'])}, validation ${formatFraction(split['validation'])}, test ${formatFraction(split['test'])}`);
  }
  const bt = config.backtest;
  if (bt) {
    const range = asRecord(bt['date_range']);
    lines.push('Backtest:');
    if (range) lines.push(`  Dates: ${String(range['start'])} … ${String(range['end'])}`);
    lines.push(`  Capital ${String(bt['initial_capital'] ?? '-')}, commission ${exactPercent(bt['commission'])}, slippage ${exactPercent(bt['slippage'])}`);
  }
  if (config.decisions) {
    lines.push(
      `Decisions: ${Object.entries(config.decisions)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', ')}`,
    );
  }
  return lines;
}
