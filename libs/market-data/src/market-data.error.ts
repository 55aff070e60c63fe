import { ErrorCode, KtrdrError } from '@ktrdr/errors';

/**
 * No bars for a symbol/timeframe in a window: no source has the pair, or the window holds zero
 * bars. The message form is part of the contract: the worker prefixes it with the phase,
 * `Backtest failed: no market data for SP500 1h between 2021-01-01 and 2021-06-30`.
 */
export class NoMarketDataError extends KtrdrError {
  constructor(
    readonly symbol: string,
    readonly timeframe: string,
    readonly start: string,
    readonly end: string,
    reason?: string,
  ) {
    super(ErrorCode.NoMarketData, `no market data for ${symbol} ${timeframe} between ${start} and ${end}`, {
      symbol,
      timeframe,
      start,
      end,
      ...(reason ? { reason } : {}),
    });
  }
}

/** One bad row (or the header) of an OHLCV CSV, by 1-based line number. */
export interface CsvProblem {
  line: number;
  message: string;
}

/** How many problems an error lists; a file with thousands of bad rows would otherwise drown the message. */
export const MAX_CSV_PROBLEMS = 20;

/**
 * A CSV that failed validation. The message names the first lines so a one-line CLI or log entry
 * is already actionable; `details.problems` has up to MAX_CSV_PROBLEMS of them.
 */
export class CsvInvalidError extends KtrdrError {
  constructor(
    readonly problems: readonly CsvProblem[],
    readonly totalProblems: number,
    readonly source?: string,
  ) {
    const first = problems.slice(0, 3).map((p) => (p.line > 0 ? `line ${p.line}: ${p.message}` : p.message));
    const more = totalProblems > first.length ? ` (and ${totalProblems - first.length} more)` : '';
    const where = source ? ` ${source}` : '';
    super(ErrorCode.CsvInvalid, `invalid CSV${where}: ${first.join('; ')}${more}`, {
      problems: problems.map((p) => ({ ...p })),
      total_problems: totalProblems,
      ...(source ? { source } : {}),
    });
  }
}

/** Bad arguments to the repository (symbol, timeframe, window): one error naming each field. */
export class MarketDataInputError extends KtrdrError {
  constructor(errors: { field: string; message: string }[]) {
    super(ErrorCode.ValidationFailed, `Invalid market data request: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors });
  }
}

/**
 * A stored import that cannot be served: its name points at a blob that is gone or holds other
 * bars. Internal (a store that lost keys, e.g. under an eviction policy), never a bad request; the
 * message names the pair and the blob so an operator can re-import it.
 */
export class StoredDataError extends KtrdrError {
  constructor(
    readonly symbol: string,
    readonly timeframe: string,
    readonly hash: string,
    reason: string,
  ) {
    super(ErrorCode.Internal, `stored market data data:${symbol}:${timeframe} (blob ${hash.slice(0, 12)}…) cannot be read: ${reason}; import it again`, {
      symbol,
      timeframe,
      hash,
      reason,
    });
  }
}
