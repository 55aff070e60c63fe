/**
 * The words of the wire, spelled once. The operations store, the cycle state
 * machine, the API, the CLI and the web view import them from here; the Lua scripts in
 * libs/operations keep their own copy of the status words, checked against these by a test there.
 */

export const OperationStatus = {
  Pending: 'pending',
  Running: 'running',
  Completed: 'completed',
  Failed: 'failed',
  Cancelled: 'cancelled',
} as const;
export type OperationStatus = (typeof OperationStatus)[keyof typeof OperationStatus];
export const OPERATION_STATUSES = Object.values(OperationStatus) as readonly OperationStatus[] as readonly [OperationStatus, ...OperationStatus[]];

/** A terminal status is final: the store refuses any later transition out of it. */
export const TERMINAL_STATUSES: readonly OperationStatus[] = [OperationStatus.Completed, OperationStatus.Failed, OperationStatus.Cancelled];
export const ACTIVE_STATUSES: readonly OperationStatus[] = [OperationStatus.Pending, OperationStatus.Running];

export function isTerminalStatus(status: unknown): status is OperationStatus {
  return typeof status === 'string' && (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export const OperationType = {
  AgentResearch: 'agent_research',
  AgentDesign: 'agent_design',
  Training: 'training',
  Backtesting: 'backtesting',
  AgentAssessment: 'agent_assessment',
  /** One walk-forward fold under the training or backtest phase child (its parent). */
  TrainingFold: 'training_fold',
  BacktestFold: 'backtest_fold',
  /** A research campaign: its children are research cycles, run until a stop rule fires. */
  AgentCampaign: 'agent_campaign',
} as const;
export type OperationType = (typeof OperationType)[keyof typeof OperationType];
export const OPERATION_TYPES = Object.values(OperationType) as readonly OperationType[] as readonly [OperationType, ...OperationType[]];

/** The phase a research cycle is in (`metadata.parameters.phase`). */
export const Phase = {
  Idle: 'idle',
  Designing: 'designing',
  Training: 'training',
  Backtesting: 'backtesting',
  Assessing: 'assessing',
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];
export type ActivePhase = Exclude<Phase, 'idle'>;
export const PHASES = Object.values(Phase) as readonly Phase[] as readonly [Phase, ...Phase[]];
/** The working phases in the order a cycle walks them. */
export const ACTIVE_PHASES: readonly ActivePhase[] = [Phase.Designing, Phase.Training, Phase.Backtesting, Phase.Assessing];

/** Artifacts an operation may publish, in catalogue order. */
export const ARTIFACT_NAMES = ['strategy', 'history', 'equity', 'assessment', 'returns'] as const;
export type ArtifactName = (typeof ARTIFACT_NAMES)[number];

/** Bar timeframes of market data and strategies. */
export const TIMEFRAMES = ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

/**
 * A market symbol: 1-32 letters, digits, ^ . _ -, not starting with a dot (e.g. SP500, ^GSPC,
 * EUR_USD, BRK.B). A symbol names a file of imported bars (`<SYMBOL>_<timeframe>.csv`): `..` or a
 * dot-name would make a hidden file or a path segment, so neither is a symbol.
 */
export const SYMBOL = /^[A-Za-z0-9^_-][A-Za-z0-9^._-]{0,31}$/;

/** How a bad symbol is explained, wherever one is refused. */
export const SYMBOL_RULE = 'expected 1-32 letters, digits, ^ . _ -, not starting with a dot';

/** Operation ids: `op_{type}_{YYYYMMDD_HHMMSS}_{8 hex}`. */
export const OPERATION_ID_EXAMPLE = 'op_agent_research_20261125_143022_ab12cd34';

/** Which route cancelled an operation (`cancelled_by` on the record). */
export const CancelSource = {
  AgentCancel: 'DELETE /api/v1/agent/cancel',
  AgentCancelById: 'DELETE /api/v1/agent/cancel/{id}',
  OperationsCancel: 'DELETE /api/v1/operations/{id}',
  CampaignCancel: 'DELETE /api/v1/agent/campaigns/{id}',
} as const;
export type CancelSource = (typeof CancelSource)[keyof typeof CancelSource];
