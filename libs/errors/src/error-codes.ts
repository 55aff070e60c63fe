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
  StrategyNotFound: 'STRATEGY_NOT_FOUND',
  /** A strategy file exists but does not pass the v3 schema (details.errors names each problem). */
  StrategyInvalid: 'STRATEGY_INVALID',
  /** No bars for a symbol/timeframe/window (no source, or the window holds zero bars). */
  NoMarketData: 'NO_MARKET_DATA',
  /** An OHLCV CSV failed validation (details.problems lists rows by line number). */
  CsvInvalid: 'CSV_INVALID',
  BackendUnavailable: 'BACKEND_UNAVAILABLE',
  CycleFailed: 'CYCLE_FAILED',
  GateFailed: 'GATE_FAILED',
  WorkerLost: 'WORKER_LOST',
  WorkerStopped: 'WORKER_STOPPED',
  ExecutorFailed: 'EXECUTOR_FAILED',
  Cancelled: 'CANCELLED',
  ConfigInvalid: 'CONFIG_INVALID',
  ArtifactNotFound: 'ARTIFACT_NOT_FOUND',
  ArtifactTooLarge: 'ARTIFACT_TOO_LARGE',
  Internal: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
