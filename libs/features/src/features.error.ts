import { ErrorCode, KtrdrError, type ErrorDetails } from '@ktrdr/errors';

/**
 * The feature pipeline cannot build what was asked: bars of a listed timeframe are missing or too
 * few rows survive warm-up and labelling (NO_MARKET_DATA), or a model's scaler does not match the
 * strategy's feature columns (STRATEGY_INVALID: the strategy changed after training).
 * `details.reason` says which.
 */
export class FeaturesError extends KtrdrError {
  constructor(
    code: typeof ErrorCode.NoMarketData | typeof ErrorCode.StrategyInvalid,
    readonly reason: 'missing_timeframe' | 'insufficient_rows' | 'feature_mismatch' | 'bad_scaler',
    message: string,
    details?: ErrorDetails,
  ) {
    super(code, message, { reason, ...details });
  }
}
