import { ErrorCode } from './error-codes.js';
import { KtrdrError, type ErrorDetails } from './ktrdr.error.js';

/**
 * A Claude call could not produce its result. Messages start with `Claude …` (the orchestrator
 * adds the phase prefix, e.g. `Design failed: `) and are built from the API's error type and HTTP
 * status only — never from the raw response body, request headers or the API key.
 */
export class LlmError extends KtrdrError {
  constructor(
    code: typeof ErrorCode.LlmApiError | typeof ErrorCode.LlmNoToolCall | typeof ErrorCode.LlmInvalidOutput | typeof ErrorCode.LlmInputTooLarge,
    message: string,
    details?: ErrorDetails,
  ) {
    super(code, message, details);
  }
}

export interface BudgetSnapshot {
  /** UTC day, YYYY-MM-DD. */
  date: string;
  spent_usd: number;
  limit_usd: number;
  /** Estimated cost of calls in flight that counted against the limit, when that is what refused. */
  reserved_usd?: number;
}

/** Today's (UTC) LLM spend has reached the daily limit; nothing more is spent until midnight UTC. */
export class BudgetExhaustedError extends KtrdrError {
  constructor(readonly budget: BudgetSnapshot) {
    const held = budget.reserved_usd ? ` (+ $${budget.reserved_usd.toFixed(4)} held by calls in flight)` : '';
    super(
      ErrorCode.BudgetExhausted,
      `Daily LLM budget exhausted: $${budget.spent_usd.toFixed(4)} of $${budget.limit_usd.toFixed(2)} spent on ${budget.date} (UTC)${held}; it resets at 00:00 UTC`,
      { ...budget },
    );
  }
}
