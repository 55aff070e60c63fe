import type { Assessment, ClassLabel } from './phase-results.schema.js';

/**
 * The artifacts an operation publishes beside its record (`GET /operations/{id}/artifacts/{name}`),
 * as their producers write them and the web view and the CLI read them. Types only: the producers
 * build them with these types, so a renamed field fails to compile on both sides.
 */

/** One round trip, as the equity chart marks it. */
export interface ArtifactTrade {
  /** The symbol traded: a portfolio pools the trades of all its sleeves. */
  symbol: string;
  side: 'long' | 'short';
  /** ISO times of the entry and exit bars (bar open times). */
  entry_time: string;
  exit_time: string;
  /** Fill prices, slippage included. */
  entry_price: number;
  exit_price: number;
  quantity: number;
  /** Equity after the exit minus equity before the entry: price move minus both legs' fees. */
  pnl: number;
  /** pnl / equity committed at entry. */
  return: number;
  /** Commission of both legs. */
  fees: number;
  /** Still open after the last bar: closed at the last bar's close (with slippage and commission). */
  open_at_end: boolean;
}

/** `equity` (backtest): `{t[], equity[], benchmark[], trades[]}` plus the drawdown per point. */
export interface EquityArtifact {
  /** ISO times of the kept bars (bar open times). */
  t: string[];
  equity: number[];
  benchmark: number[];
  /** Fall from the running peak of the full-resolution curve (initial capital included), as a fraction. */
  drawdown: number[];
  trades: ArtifactTrade[];
  /** Bars in the simulation, and points kept here. */
  total_points: number;
  points: number;
  /** Trades left out because there were more than the cap (the smallest by |P&L| go first). */
  trades_omitted: number;
  /** Walk-forward: ISO time of each test fold's first bar, in order (absent on single-split runs). */
  fold_starts?: string[];
}

/**
 * `returns` (backtest): the stitched out-of-sample run's return on every bar, at full resolution
 * (`equity` is sampled for charts): what a campaign's selection (DSR, PBO) reads.
 */
export interface ReturnsArtifact {
  /** Bar times in ms since the epoch, from the second bar of the run on (each return ends on its bar). */
  t: number[];
  /** equity[i] / equity[i − 1] − 1. */
  r: number[];
}

/** One part of the training split: its rows, its time span and its class counts. */
export interface SplitSpan {
  rows: number;
  from: string | null;
  to: string | null;
  class_counts: Record<ClassLabel, number>;
}

/** The test predictions beside predictions that use no feature (libs/training skill.metrics.ts computes them). */
export interface SkillMetrics {
  majority_baseline: number;
  stratified_baseline: number;
  balanced_accuracy: number;
  log_loss: number;
  prior_log_loss: number;
}

/** `history` (training): per-epoch curves and what the model was trained on. */
export interface HistoryArtifact extends SkillMetrics {
  epochs: number[];
  loss: number[];
  val_loss: number[];
  accuracy: number[];
  val_accuracy: number[];
  best_epoch: number;
  stopped_early: boolean;
  test_accuracy: number;
  baseline_accuracy: number;
  class_balance: Record<ClassLabel, number>;
  class_weights: Record<ClassLabel, number> | null;
  backend: string;
  features: string[];
  split: { train: SplitSpan; validation: SplitSpan; test: SplitSpan };
  labels: Record<string, unknown>;
}

/** `assessment` (assessment): the verdict with its reasons, who gave it, and the numbers it judged. */
export interface AssessmentArtifact extends Assessment {
  strategy_name: string;
  assessor: 'claude' | 'offline' | 'stub';
  model: string | null;
  metrics: Record<string, unknown>;
  stub?: boolean;
}
