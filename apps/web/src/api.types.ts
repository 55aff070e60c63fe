/**
 * The shapes of the public REST API this page reads (SPEC §3, §4, §4a). Written out here rather
 * than imported: the web app imports no workspace library (it talks to the API over HTTP only,
 * like the CLI), and these are the wire shapes, not the domain types.
 */

export type OperationStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
export const TERMINAL: readonly OperationStatus[] = ['completed', 'failed', 'cancelled'];
export const isTerminal = (s: OperationStatus): boolean => TERMINAL.includes(s);

export interface Progress {
  percentage: number;
  current_step: string | null;
  steps_completed: number;
  steps_total: number;
}

export interface OperationInfo {
  operation_id: string;
  operation_type: string;
  status: OperationStatus;
  parent_operation_id: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  progress: Progress;
  metadata: { parameters: Record<string, unknown> };
  result_summary: Record<string, unknown> | null;
  error_message: string | null;
}

export interface OperationSummary {
  operation_id: string;
  operation_type: string;
  status: OperationStatus;
  created_at: string;
  progress_percentage: number;
  current_step: string | null;
  duration_seconds: number | null;
}

export interface ListEnvelope<T> {
  success: true;
  data: T[];
  total_count: number;
  active_count: number;
}

export interface ActiveResearch {
  operation_id: string;
  phase: string;
  child_operation_id: string | null;
  strategy_name: string | null;
  duration_seconds: number;
}

export interface AgentStatus {
  status: 'active' | 'idle';
  active_researches: ActiveResearch[];
  capacity: { active: number; limit: number };
}

export interface StrategySummary {
  name: string;
  valid: boolean;
  description: string;
  symbols: string[];
  timeframes: string[];
}

export interface TriggerBody {
  model?: string;
  brief?: string;
  strategy?: string;
  bypass_gates?: boolean;
}

export interface TriggerAccepted {
  triggered: true;
  operation_id: string;
  message: string;
}

export interface ResumeAccepted extends TriggerAccepted {
  resumed_from: string;
  start_phase: string;
}

export interface CancelAccepted {
  success: true;
  operation_id: string;
  child_cancelled: string | null;
  message: string;
}

/** `{operation, child}` of an `update` / `end` event of GET /operations/{id}/events. */
export interface OperationSnapshot {
  operation: OperationInfo;
  child: OperationInfo | null;
}

/** Backtest metrics (the `backtest_result` of a cycle; phase-results.schema.ts in the domain). */
export interface BacktestMetrics {
  total_return: number;
  benchmark_return: number;
  sharpe_ratio: number;
  sortino_ratio?: number;
  max_drawdown: number;
  benchmark_max_drawdown?: number;
  win_rate: number;
  total_trades: number;
  profit_factor?: number | null;
  cagr?: number;
  exposure?: number;
  initial_capital?: number;
  final_equity?: number;
  /** For several symbols: the symbols joined with commas (the numbers above are the portfolio's). */
  symbol?: string;
  timeframe?: string;
  start?: string;
  end?: string;
  /** Several symbols only: each equal-weight sleeve's own numbers. */
  per_symbol?: SymbolBacktestMetrics[];
  stub?: boolean;
}

/** One symbol's sleeve of a multi-symbol backtest (`per_symbol`; symbolBacktestResultSchema in the domain). */
export interface SymbolBacktestMetrics {
  symbol: string;
  bars: number;
  total_return: number;
  sharpe_ratio: number;
  max_drawdown: number;
  win_rate: number;
  profit_factor: number | null;
  total_trades: number;
  exposure: number;
  benchmark_return: number;
  initial_capital: number;
  final_equity: number;
}

export interface EquityTrade {
  /** The symbol traded (a multi-symbol backtest charts every sleeve's trades on the combined curve). */
  symbol?: string;
  side: 'long' | 'short' | string;
  entry_time: string;
  exit_time: string;
  entry_price: number;
  exit_price: number;
  pnl: number;
  return: number;
  open_at_end: boolean;
}

/** The `equity` artifact (libs/backtest equity.artifact.ts). */
export interface EquityArtifact {
  t: string[];
  equity: number[];
  benchmark: number[];
  drawdown: number[];
  trades: EquityTrade[];
  trades_omitted?: number;
}

/** The `history` artifact (training executor). */
export interface HistoryArtifact {
  epochs: number[];
  loss: number[];
  val_loss: number[];
  accuracy: number[];
  val_accuracy: number[];
  best_epoch?: number;
  test_accuracy?: number;
  baseline_accuracy?: number;
  stopped_early?: boolean;
}

export interface AssessmentArtifact {
  verdict: string;
  strengths: string[];
  weaknesses: string[];
  suggestions: string[];
  assessor?: string;
  stub?: boolean;
}

/** The strategy v3 config as GET /strategies/{name} and the `strategy` artifact return it (loosely typed: shown, not computed on). */
export interface StrategyConfig {
  name: string;
  description?: string;
  hypothesis?: string;
  training_data?: { symbols?: string[]; timeframes?: string[]; date_range?: { start?: string; end?: string } };
  indicators?: Record<string, Record<string, unknown>>;
  fuzzy_sets?: Record<string, Record<string, unknown>>;
  nn_inputs?: { fuzzy_set: string; timeframes?: string[] | string }[];
  model?: { type?: string; architecture?: Record<string, unknown>; training?: Record<string, unknown> };
  decisions?: Record<string, unknown>;
  backtest?: { date_range?: { start?: string; end?: string }; initial_capital?: number; commission?: number; slippage?: number };
}
