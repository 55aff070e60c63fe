import { z } from 'zod';

/**
 * What each phase returns (its child's `result_summary`), as zod schemas: executors build these
 * types, the gates and the cycle machine read them, and the worker checks them at the edge, so a
 * renamed metric fails the build rather than a cycle at run time. `stub: true` marks canned results.
 */

const count = z.number().int().min(0);
const finite = z.number().finite();

export const designResultSchema = z.object({
  strategy_name: z.string(),
  strategy_path: z.string(),
  /** Who designed it: Claude, the offline designer, the user (`--strategy`), or stub mode. */
  designer: z.enum(['claude', 'offline', 'stub']),
  model: z.string().nullable().default(null),
  input_tokens: count,
  output_tokens: count,
  cost_usd: z.number().min(0).default(0),
  stub: z.boolean().optional(),
});
export type DesignResult = z.output<typeof designResultSchema>;

export const CLASS_LABELS = ['BUY', 'HOLD', 'SELL'] as const;
export type ClassLabel = (typeof CLASS_LABELS)[number];
const classBalance = z.object({ BUY: finite, HOLD: finite, SELL: finite });

/** How a cycle was evaluated: walk-forward folds over the backtest window (docs/RESEARCH.md, Walk-forward). */
export const EVALUATION_SCHEMES = ['expanding', 'rolling'] as const;
export const evaluationPlanSchema = z.object({
  scheme: z.enum(EVALUATION_SCHEMES),
  folds: count,
  /** Bars dropped before each test fold (and before each validation part): the label horizon by default. */
  purge: count,
  /** Bars after each test fold that no later fold trains on. */
  embargo: count,
  /** Training seeds per fold (the first is the strategy's own seed). */
  seeds: count,
});
export type EvaluationPlan = z.output<typeof evaluationPlanSchema>;

/** A time span of bars: ISO open times of the first and last bar, and how many rows it holds. */
const span = z.object({ from: z.string().nullable(), to: z.string().nullable(), rows: count });

/** One fold of the training phase: what it trained and tested on, and its test-part skill (first seed). */
export const trainingFoldSchema = z.object({
  /** 1-based. */
  fold: z.number().int().min(1),
  train: span,
  validation: span,
  test: span,
  accuracy: finite,
  majority_baseline: finite,
  stratified_baseline: finite,
  balanced_accuracy: finite,
  log_loss: finite,
  prior_log_loss: finite,
  epochs_run: count,
  /** Test accuracy of every seed's model, first seed first. */
  seed_accuracies: z.array(finite),
});
export type TrainingFold = z.output<typeof trainingFoldSchema>;

/** One test fold of the backtest: the stitched run's numbers on the fold's bars alone. */
export const backtestFoldSchema = z.object({
  fold: z.number().int().min(1),
  start: z.string(),
  end: z.string(),
  bars: count,
  total_return: finite,
  sharpe_ratio: finite,
  max_drawdown: finite,
  total_trades: count,
  win_rate: finite,
  benchmark_return: finite,
});
export type BacktestFold = z.output<typeof backtestFoldSchema>;

/** How much the folds disagree: mean and sample standard deviation of their returns and Sharpe ratios. */
export const foldDispersionSchema = z.object({
  folds: count,
  return_mean: finite,
  return_std: finite,
  sharpe_mean: finite,
  sharpe_std: finite,
  /** Share of folds with a positive return. */
  positive_share: finite,
  worst_return: finite,
  best_return: finite,
});
export type FoldDispersion = z.output<typeof foldDispersionSchema>;

/** The same walk-forward run with every training seed: how many stay profitable out of sample. */
export const seedRobustnessSchema = z.object({
  seeds: z.array(z.object({ seed: z.number().int(), total_return: finite, sharpe_ratio: finite })),
  profitable: count,
  /** profitable / seeds. */
  share: finite,
});
export type SeedRobustness = z.output<typeof seedRobustnessSchema>;

export const REGIMES = ['bull_calm', 'bull_volatile', 'bear_calm', 'bear_volatile'] as const;
export type Regime = (typeof REGIMES)[number];
/** The strategy and buy-and-hold on the bars of one market regime (docs/RESEARCH.md, Regimes). */
export const regimeRowSchema = z.object({
  regime: z.enum(REGIMES),
  bars: count,
  /** Share of the evaluated bars in this regime. */
  share: finite,
  total_return: finite,
  sharpe_ratio: finite,
  benchmark_return: finite,
  /** Share of the regime's bars with an open position. */
  exposure: finite,
});
export type RegimeRow = z.output<typeof regimeRowSchema>;

export const trainingResultSchema = z.object({
  /** `blob:<sha256>`: the run's walk-forward manifest in the blob store, naming every fold's seed models (model.schema.ts). */
  model_path: z.string(),
  /** Accuracy on the held-out test part (the gate's number). */
  accuracy: finite,
  /**
   * The score to beat: the accuracy of always predicting the test part's own most frequent class
   * (the same number as majority_baseline; results from before it existed measured the training
   * part's majority class on the test part instead).
   */
  baseline_accuracy: finite,
  /** Skill beside predictions that use no feature, all on the test part (docs/RESEARCH.md, Skill). */
  majority_baseline: finite.optional(),
  stratified_baseline: finite.optional(),
  balanced_accuracy: finite.optional(),
  log_loss: finite.optional(),
  prior_log_loss: finite.optional(),
  /** Validation loss before the first epoch and at the kept (best) epoch: the gate compares these. */
  initial_loss: finite,
  final_loss: finite,
  val_accuracy: finite,
  test_loss: finite,
  epochs_run: count,
  best_epoch: count,
  /** The configured epochs, and whether early stopping ended the fit before them (absent on older results). */
  epochs_planned: count.optional(),
  stopped_early: z.boolean().optional(),
  class_balance: classBalance,
  samples: z.object({ train: count, validation: count, test: count }),
  feature_count: count,
  seed: z.number().int(),
  /** Compact per-epoch curves; the `history` artifact has the full record. */
  history: z.object({ loss: z.array(finite), val_loss: z.array(finite) }),
  symbols: z.array(z.string()).default([]),
  timeframe: z.string().default(''),
  /**
   * Walk-forward: the plan and each fold's own numbers. The headline skill numbers above are then
   * pooled over every fold's test predictions (first seed); absent on single-split results.
   */
  evaluation: evaluationPlanSchema.optional(),
  folds: z.array(trainingFoldSchema).optional(),
  stub: z.boolean().optional(),
});
export type TrainingResult = z.output<typeof trainingResultSchema>;

/** One symbol's own numbers inside a multi-symbol (portfolio) backtest: its sleeve of the capital. */
export const symbolBacktestResultSchema = z.object({
  symbol: z.string(),
  bars: count,
  total_return: finite,
  sharpe_ratio: finite,
  max_drawdown: finite,
  win_rate: finite,
  profit_factor: finite.nullable(),
  total_trades: count,
  exposure: finite,
  benchmark_return: finite,
  /** The sleeve's share of the capital: the strategy's initial_capital / number of symbols. */
  initial_capital: finite,
  final_equity: finite,
});
export type SymbolBacktestResult = z.output<typeof symbolBacktestResultSchema>;

/**
 * The backtest's headline numbers. With several symbols they are the portfolio's: equal-weight
 * sleeves summed on the union of their bar times (docs/RESEARCH.md, Backtest); `symbol` is then the
 * symbols joined with commas (`SP500,SYNTH_TREND`), `bars` counts the portfolio's bar times,
 * trade statistics pool every sleeve's trades, and `per_symbol` has each symbol's own numbers.
 */
export const backtestResultSchema = z.object({
  /** The symbol; for a portfolio the symbols joined with commas, in the strategy's order. */
  symbol: z.string(),
  timeframe: z.string(),
  start: z.string(),
  end: z.string(),
  bars: count,
  total_return: finite,
  cagr: finite,
  volatility: finite,
  /** Annualised from per-bar returns (mean/std × √bars-per-year), risk-free rate 0. */
  sharpe_ratio: finite,
  sortino_ratio: finite,
  /** Fraction of peak equity, 0..1. */
  max_drawdown: finite,
  max_drawdown_peak: z.string().nullable(),
  max_drawdown_trough: z.string().nullable(),
  win_rate: finite,
  /** Gross profit / gross loss; null when no trade lost. */
  profit_factor: finite.nullable(),
  total_trades: count,
  /** Fraction of bars with an open position. */
  exposure: finite,
  benchmark_return: finite,
  benchmark_max_drawdown: finite,
  /** Buy-and-hold's own annualised Sharpe ratio over the same bars (absent on older results). */
  benchmark_sharpe: finite.optional(),
  /** Traded notional, both legs of every trade, as a multiple of the initial capital. */
  turnover: finite.optional(),
  /** Commission booked on every leg, in the account's currency (slippage is in the fill prices). */
  commission_paid: finite.optional(),
  equity_curve_length: count,
  initial_capital: finite,
  final_equity: finite,
  /** Present when the strategy names more than one symbol: each sleeve's own numbers. */
  per_symbol: z.array(symbolBacktestResultSchema).optional(),
  /**
   * Could it be luck (docs/RESEARCH.md, Significance): the share of random-entry runs (same bars,
   * as many trades, holds and sides drawn from the strategy's own, same costs) that did at least as
   * well; the Probabilistic Sharpe Ratio against 0; the 95 % bootstrap interval of the Sharpe ratio.
   * Absent on results from before they existed; PSR and interval are null for a curve that never moved.
   */
  random_entry_p_value: finite.optional(),
  /**
   * The same signals re-run with costs (commission and slippage) at 0×, 1×, 2× and 3×, and the cost
   * multiple at which the return reaches 0 (null when it stays above 0 up to 10×; 0 when it is not
   * positive even without costs). `cost_drag` is the return the costs took: return at 0× minus at 1×.
   */
  cost_sensitivity: z
    .object({
      runs: z.array(z.object({ multiple: finite, total_return: finite, sharpe_ratio: finite })),
      break_even_cost: finite.nullable(),
      cost_drag: finite,
    })
    .optional(),
  random_entry_simulations: count.optional(),
  psr: finite.nullable().optional(),
  sharpe_ci95: z.tuple([finite, finite]).nullable().optional(),
  /** Commission plus slippage paid on every leg, in the account's currency. */
  costs_paid: finite.optional(),
  /** Walk-forward: the headline numbers are the stitched out-of-sample run over every test fold. */
  evaluation: evaluationPlanSchema.optional(),
  folds: z.array(backtestFoldSchema).optional(),
  fold_dispersion: foldDispersionSchema.optional(),
  seed_robustness: seedRobustnessSchema.optional(),
  regimes: z.array(regimeRowSchema).optional(),
  stub: z.boolean().optional(),
});
export type BacktestResult = z.output<typeof backtestResultSchema>;

export const VERDICTS = ['promising', 'mediocre', 'poor'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const assessmentSchema = z.object({
  verdict: z.enum(VERDICTS),
  strengths: z.array(z.string().min(1).max(500)).min(1).max(4),
  weaknesses: z.array(z.string().min(1).max(500)).min(1).max(4),
  suggestions: z.array(z.string().min(1).max(500)).min(1).max(4),
});
export type Assessment = z.output<typeof assessmentSchema>;

export const assessmentResultSchema = assessmentSchema.extend({
  assessor: z.enum(['claude', 'offline', 'stub']),
  model: z.string().nullable().default(null),
  assessment_path: z.string().nullable(),
  input_tokens: count,
  output_tokens: count,
  cost_usd: z.number().min(0).default(0),
  stub: z.boolean().optional(),
});
export type AssessmentResult = z.output<typeof assessmentResultSchema>;

export const PHASE_RESULT_SCHEMAS = {
  designing: designResultSchema,
  training: trainingResultSchema,
  backtesting: backtestResultSchema,
  assessing: assessmentResultSchema,
} as const;

export type PhaseResults = {
  designing: DesignResult;
  training: TrainingResult;
  backtesting: BacktestResult;
  assessing: AssessmentResult;
};
