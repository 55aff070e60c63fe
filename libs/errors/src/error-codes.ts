/**
 * Every error ktrdr raises carries one of these codes. Each edge (HTTP filter, worker
 * processor, CLI) maps codes to its own vocabulary in exactly one place.
 */
export const ErrorCode = {
  ValidationFailed: 'VALIDATION_FAILED',
  MalformedJson: 'MALFORMED_JSON',
  BadRequest: 'BAD_REQUEST',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  RouteNotFound: 'ROUTE_NOT_FOUND',
  OperationNotFound: 'OPERATION_NOT_FOUND',
  OperationFinished: 'OPERATION_FINISHED',
  InvalidTransition: 'INVALID_TRANSITION',
  ParentNotRunning: 'PARENT_NOT_RUNNING',
  ActiveCycleExists: 'ACTIVE_CYCLE_EXISTS',
  AtCapacity: 'AT_CAPACITY',
  NoActiveCycle: 'NO_ACTIVE_CYCLE',
  NotResearch: 'NOT_RESEARCH',
  /** A cycle cannot be resumed: it completed, is still active, or the artifacts it would reuse are gone. */
  NotResumable: 'NOT_RESUMABLE',
  /** A strategy named in a request (e.g. trigger's `strategy` field) does not exist: a bad field, 422. */
  StrategyNotFound: 'STRATEGY_NOT_FOUND',
  /** The resource a route names (e.g. GET /strategies/{name}) does not exist: 404. */
  NotFound: 'NOT_FOUND',
  /** A strategy file exists but does not pass the v3 schema (details.errors names each problem). */
  StrategyInvalid: 'STRATEGY_INVALID',
  /** An import names a strategy that is already stored with other content: a stored strategy is never replaced (409). */
  StrategyExists: 'STRATEGY_EXISTS',
  /** No bars for a symbol/timeframe/window (no source, or the window holds zero bars). */
  NoMarketData: 'NO_MARKET_DATA',
  /** An OHLCV CSV failed validation (details.problems lists rows by line number). */
  CsvInvalid: 'CSV_INVALID',
  BackendUnavailable: 'BACKEND_UNAVAILABLE',
  CycleFailed: 'CYCLE_FAILED',
  GateFailed: 'GATE_FAILED',
  /** The Claude API refused or failed a request (details: status, type, request_id; never the key or raw body). */
  LlmApiError: 'LLM_API_ERROR',
  /** Claude answered without calling the forced tool (no strategy or assessment saved). */
  LlmNoToolCall: 'LLM_NO_TOOL_CALL',
  /** Claude's tool input still failed validation after the corrective turn (details.errors). */
  LlmInvalidOutput: 'LLM_INVALID_OUTPUT',
  /** A prompt would exceed the configured input size limit (KTRDR_LLM_MAX_INPUT_CHARS). */
  LlmInputTooLarge: 'LLM_INPUT_TOO_LARGE',
  /** Today's (UTC) LLM spend reached KTRDR_DAILY_BUDGET_USD. */
  BudgetExhausted: 'BUDGET_EXHAUSTED',
  WorkerLost: 'WORKER_LOST',
  WorkerStopped: 'WORKER_STOPPED',
  ExecutorFailed: 'EXECUTOR_FAILED',
  Cancelled: 'CANCELLED',
  ConfigInvalid: 'CONFIG_INVALID',
  ArtifactNotFound: 'ARTIFACT_NOT_FOUND',
  ArtifactTooLarge: 'ARTIFACT_TOO_LARGE',
  Internal: 'INTERNAL',
  /** No or a wrong API token (KTRDR_API_TOKEN); says nothing about the resource asked for. */
  Unauthorized: 'UNAUTHORIZED',
  /** Too many cycle-starting requests from one client in the window (KTRDR_RATE_LIMIT); not the LLM budget. */
  RateLimited: 'RATE_LIMITED',
  /** A write action of the queue dashboard (pause, retry, clean, obliterate…) while its actions are off (KTRDR_DASHBOARD_ACTIONS). */
  DashboardReadOnly: 'DASHBOARD_READ_ONLY',
  /** A phase ran past its deadline (KTRDR_PHASE_TIMEOUT_MS / KTRDR_PHASE_TIMEOUTS); never reported as a cancel. */
  PhaseTimeout: 'PHASE_TIMEOUT',
  /** A campaign route was given the id of another operation type (422). */
  NotCampaign: 'NOT_CAMPAIGN',
  /** The campaign's sealed holdout has been looked at: a second evaluation (or a resume that would search again) is refused (409). */
  HoldoutUsed: 'HOLDOUT_USED',
  /** A campaign step failed (no data for its scope, a ledger it could not read). */
  CampaignFailed: 'CAMPAIGN_FAILED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
