import type { Assessment, BacktestResult, StrategyConfig, Timeframe, TrainingResult, Verdict } from '@ktrdr/agent-domain';

/** Tokens of one call (or summed over the turns of one design or assessment). */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
}

/** A symbol/timeframe the data layer can serve, with the span of its bars (ISO dates). */
export interface AvailableData {
  symbol: string;
  timeframe: Timeframe | string;
  start: string;
  end: string;
}

/** A strategy designed earlier, as the designers learn from it. */
export interface RecentStrategy {
  name: string;
  /** The assessment's verdict; null when the cycle did not get that far. */
  verdict: Verdict | null;
  /** Headline numbers (sharpe_ratio, total_return, accuracy, …); null for a missing value. */
  metrics: Record<string, number | null>;
  /** Indicator types it used (e.g. ['rsi', 'sma']): the offline designer avoids repeating a poor set. */
  indicators?: readonly string[];
  /** Why it failed, when it did (e.g. a gate's reason). */
  outcome?: string;
}

/** One earlier trial of a campaign, as a designer learns from it (never anything from the sealed holdout). */
export interface CampaignTrialSummary {
  trial: number;
  /** `<theme>/<label source>` (ideaFamily). */
  family: string;
  strategy_hash: string | null;
  /** Indicator types, sorted. */
  indicators: readonly string[];
  label: string | null;
  hidden_layers: readonly number[];
  confidence_threshold: number | null;
  outcome: 'passed' | 'gate_failed' | 'failed' | 'cancelled';
  /** The gate's or the failure's reason, when there is one. */
  reason: string | null;
  /** Annualised Sharpe ratio of the stitched walk-forward run; null when no backtest ran. */
  sharpe_ratio: number | null;
  /** Deflated Sharpe Ratio among the trials so far; null without out-of-sample returns. */
  dsr: number | null;
}

/** What a design inside a campaign knows beyond a lone cycle's. */
export interface CampaignDesignContext {
  /** The offline designer's search: learning from the ledger (directed) or not at all (random, the control). */
  search: 'directed' | 'random';
  /** The trial being designed (1-based). */
  trial: number;
  /** The campaign's seed: with the ledger, it fixes every offline design. */
  seed: number;
  /** Every earlier trial, in order. */
  ledger: readonly CampaignTrialSummary[];
  /** Content hashes already tried (strategyContentHash): a design with one of them is never run again. */
  tried_hashes: readonly string[];
  /** First day of the sealed holdout: no window of the design may reach it (availableData already ends before it). */
  sealed_from: string;
  /** The market the campaign researches. */
  scope: { symbols: readonly string[]; timeframe: string };
}

export interface DesignInput {
  /** Full model id (resolveModel of the trigger's model); ignored by the offline designer. */
  model: string;
  brief: string | null;
  availableData: readonly AvailableData[];
  recent: readonly RecentStrategy[];
  /** Offline designer: same seed + brief + recent → the same strategy. Claude: ignored. */
  seed?: number;
  /** Set when the cycle is a trial of a campaign. */
  campaign?: CampaignDesignContext;
}

export interface CallOptions {
  /** Aborting it stops the in-flight request at once; the call then rejects with CancelledError. */
  signal: AbortSignal;
  /** Fields logged with every request (e.g. {operation_id}); never put secrets here. */
  logContext?: Record<string, unknown>;
}

export interface LlmCallStats {
  /** Who produced the result. */
  source: 'claude' | 'offline';
  /** The model id that answered; null offline. */
  model: string | null;
  /** Summed over every turn. */
  usage: TokenUsage;
  cost_usd: number;
  /** Requests sent (1, or 2 with the corrective turn); 0 offline. */
  turns: number;
}

/** A validated strategy: the caller names the file and saves it. */
export interface DesignOutcome extends LlmCallStats {
  config: StrategyConfig;
}

export interface StrategyDesigner {
  readonly kind: 'claude' | 'offline';
  design(input: DesignInput, options: CallOptions): Promise<DesignOutcome>;
}

/** What the assessors read of the training result; the optional fields are absent on older or hand-made results. */
export type TrainingMetrics = Pick<TrainingResult, 'accuracy' | 'baseline_accuracy' | 'initial_loss' | 'final_loss'> &
  Partial<
    Pick<
      TrainingResult,
      'majority_baseline' | 'val_accuracy' | 'test_loss' | 'epochs_run' | 'best_epoch' | 'class_balance' | 'samples' | 'feature_count' | 'evaluation' | 'folds'
    >
  >;

/**
 * What the assessors read of the backtest result. The significance and walk-forward numbers
 * (`random_entry_p_value`, `folds`, `fold_dispersion`, `seed_robustness`, `regimes`, …) are
 * optional: a result without them is still assessed, but without a p-value it cannot be promising.
 */
export type BacktestMetrics = Pick<
  BacktestResult,
  'total_return' | 'sharpe_ratio' | 'max_drawdown' | 'win_rate' | 'profit_factor' | 'total_trades' | 'benchmark_return'
> &
  Partial<
    Pick<
      BacktestResult,
      | 'symbol'
      | 'timeframe'
      | 'start'
      | 'end'
      | 'bars'
      | 'cagr'
      | 'volatility'
      | 'sortino_ratio'
      | 'exposure'
      | 'benchmark_max_drawdown'
      | 'per_symbol'
      | 'initial_capital'
      | 'random_entry_p_value'
      | 'random_entry_simulations'
      | 'psr'
      | 'costs_paid'
      | 'evaluation'
      | 'folds'
      | 'fold_dispersion'
      | 'seed_robustness'
      | 'regimes'
    >
  >;

export interface AssessInput {
  model: string;
  strategy: StrategyConfig;
  training: TrainingMetrics;
  backtest: BacktestMetrics;
}

export interface AssessOutcome extends LlmCallStats {
  assessment: Assessment;
}

export interface StrategyAssessor {
  readonly kind: 'claude' | 'offline';
  assess(input: AssessInput, options: CallOptions): Promise<AssessOutcome>;
}

/**
 * Where Claude calls reserve and record their spend (BudgetLedger in @ktrdr/operations has this
 * shape). Reserve an upper bound of the request's cost before it is sent; settle it exactly once.
 */
export interface SpendGuard {
  reserve(estimateUsd: number): Promise<SpendReservation>;
}

export interface SpendReservation {
  record(usage: TokenUsage, costUsd: number): Promise<unknown>;
  release(): Promise<void>;
}
