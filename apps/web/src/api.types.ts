/**
 * The wire types this page reads, from the API contract (libs/api-contract) — imported as types
 * only, so the page still bundles nothing from the workspace and talks to the API over HTTP like
 * the CLI. A field renamed in the contract fails this app's build too.
 */
import type { CampaignView, OperationList, OperationStatus, Trial } from '@ktrdr/api-contract';

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
  CampaignRequest as CampaignBody,
  CampaignStarted as CampaignAccepted,
  CampaignStage,
  CampaignVerdict,
  CampaignView,
  DataSetInfo,
  FamilyLesson,
  HoldoutResult,
  StopReason,
  Timeframe,
  Trial,
  TrialOutcome,
} from '@ktrdr/api-contract';

/** `GET /agent/campaigns` (the contract's CampaignList schema, written out: the contract exports no type for it). */
export interface CampaignList {
  success: true;
  data: CampaignView[];
  total_count: number;
}

/** `GET /agent/campaigns/{id}/trials`: every trial in order, with the DSR a finding needs. */
export interface CampaignTrials {
  success: true;
  data: Trial[];
  total_count: number;
  dsr_threshold: number;
  expected_max_sharpe: number | null;
}

/** `GET /agent/campaigns/{id}/leaderboard`: the trials with out-of-sample returns ranked by DSR, and the PBO over them. */
export interface CampaignLeaderboard {
  success: true;
  data: (Trial & { rank: number })[];
  trials: number;
  pbo: number | null;
  pbo_trials: number;
  pbo_bars: number;
  dsr_threshold: number;
  pbo_threshold: number;
}

/** `DELETE /agent/campaigns/{id}`. */
export interface CampaignCancelled {
  success: true;
  operation_id: string;
  status: 'cancelled';
  children_cancelled: string[];
  message: string;
}

/** A list answer of the operations routes (`GET /operations`, `…/children`, …) with rows of type T. */
export type ListEnvelope<T> = Omit<OperationList, 'data'> & { data: T[] };

/** The statuses no operation leaves (the contract's TERMINAL_STATUSES, checked against its type). */
const TERMINAL = ['completed', 'failed', 'cancelled'] as const satisfies readonly OperationStatus[];
export const isTerminal = (s: OperationStatus): boolean => (TERMINAL as readonly OperationStatus[]).includes(s);
