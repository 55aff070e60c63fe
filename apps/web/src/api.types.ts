/**
 * The wire types this page reads, from the API contract (libs/api-contract) — imported as types
 * only, so the page still bundles nothing from the workspace and talks to the API over HTTP like
 * the CLI. A field renamed in the contract fails this app's build too.
 */
import type { OperationList, OperationStatus } from '@ktrdr/api-contract';

export type {
  ActiveResearch,
  AgentStatus,
  ArtifactTrade,
  AssessmentArtifact,
  CycleParameters,
  EquityArtifact,
  HistoryArtifact,
  OperationInfo,
  OperationStatus,
  OperationSummary,
  PHASE_TABLE,
  StrategySummary,
  BacktestFold,
  EvaluationPlan,
  FoldDispersion,
  RegimeRow,
  SeedRobustness,
  TrainingFold,
  BacktestResult as BacktestMetrics,
  TrainingResult as TrainingMetrics,
  CycleCancelled as CancelAccepted,
  OperationEvent as OperationSnapshot,
  ResumeStarted as ResumeAccepted,
  StrategyConfigWire as StrategyConfig,
  SymbolBacktestResult as SymbolBacktestMetrics,
  TriggerRequest as TriggerBody,
  TriggerStarted as TriggerAccepted,
} from '@ktrdr/api-contract';

/** A list answer of the operations routes (`GET /operations`, `…/children`, …) with rows of type T. */
export type ListEnvelope<T> = Omit<OperationList, 'data'> & { data: T[] };

/** The statuses no operation leaves (the contract's TERMINAL_STATUSES, checked against its type). */
const TERMINAL = ['completed', 'failed', 'cancelled'] as const satisfies readonly OperationStatus[];
export const isTerminal = (s: OperationStatus): boolean => (TERMINAL as readonly OperationStatus[]).includes(s);
