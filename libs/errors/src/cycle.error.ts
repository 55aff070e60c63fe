import { ErrorCode } from './error-codes.js';
import { KtrdrError, type ErrorDetails } from './ktrdr.error.js';

/** A research cycle failed in one of its phases; the message already carries the phase prefix. */
export class CycleError extends KtrdrError {
  constructor(
    readonly phase: string,
    message: string,
    details?: ErrorDetails,
    code: ErrorCode = ErrorCode.CycleFailed,
  ) {
    super(code, message, { phase, ...details });
  }
}

/** A quality gate refused the metrics of a phase: which gate, the offending metrics and thresholds. */
export class GateError extends CycleError {
  constructor(
    readonly gate: 'training' | 'backtest',
    readonly reason: string,
    readonly metrics: Record<string, unknown>,
    readonly thresholds: Record<string, number>,
  ) {
    super(
      gate === 'training' ? 'training' : 'backtesting',
      `${gate === 'training' ? 'Training' : 'Backtest'} gate failed: ${reason}`,
      { gate, reason, metrics, thresholds },
      ErrorCode.GateFailed,
    );
  }
}

/**
 * A worker could not produce a phase result: the executor threw (EXECUTOR_FAILED), the worker
 * holding the job died (WORKER_LOST) or was stopped mid-phase (WORKER_STOPPED), or the next job
 * could not be queued (BACKEND_UNAVAILABLE), or the phase ran past its deadline (PHASE_TIMEOUT).
 */
export class WorkerError extends KtrdrError {
  constructor(
    code:
      | typeof ErrorCode.WorkerLost
      | typeof ErrorCode.WorkerStopped
      | typeof ErrorCode.ExecutorFailed
      | typeof ErrorCode.BackendUnavailable
      | typeof ErrorCode.PhaseTimeout,
    message: string,
    details?: ErrorDetails,
  ) {
    super(code, message, details);
  }
}

/** Work stopped because its operation was cancelled; never reported as a failure. */
export class CancelledError extends KtrdrError {
  constructor(message = 'Operation cancelled', details?: ErrorDetails) {
    super(ErrorCode.Cancelled, message, details);
  }
}
