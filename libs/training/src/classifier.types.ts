import type { SkillMetrics } from '@ktrdr/api-contract';
import type { ClassLabel, StrategyConfig } from '@ktrdr/agent-domain';

/** Half-open row range [start, end) of the feature matrix. */
export type RowRange = readonly [start: number, end: number];

/**
 * A labelled feature matrix and its chronological split. Rows are bars in time order; the three
 * ranges must not overlap (the caller puts validation and test after train so nothing leaks).
 */
export interface ClassifierData {
  /** Row-major `rows × cols` features. */
  x: Float32Array;
  rows: number;
  cols: number;
  /** One label per row: 0 = BUY, 1 = HOLD, 2 = SELL (the order of CLASS_LABELS). */
  y: Uint8Array;
  split: { train: RowRange; validation: RowRange; test: RowRange };
}

export type ModelConfig = StrategyConfig['model'];

/**
 * `balanced`: each class weighs `n / (3 · n_class)` in the training loss (sklearn's "balanced"),
 * so a model cannot score by always predicting the majority class; `none`: plain cross-entropy.
 */
export type ClassWeighting = 'balanced' | 'none';

export interface EpochLogs {
  /** Training loss and accuracy over the epoch (class-weighted loss when weighting is on). */
  loss: number;
  acc: number;
  /** Validation loss (same weighting as training) and plain accuracy after the epoch. */
  val_loss: number;
  val_acc: number;
}

export interface TrainClassifierOptions {
  signal: AbortSignal;
  /** Called after each epoch (1-based); awaited, so a progress write can finish before the next epoch. */
  onEpoch?: (epoch: number, total: number, logs: EpochLogs) => void | Promise<void>;
  /** Default `balanced`. */
  classWeighting?: ClassWeighting;
  /** Where the wasm → cpu fallback reason goes (default console.warn). */
  log?: (message: string) => void;
}

export type ClassBalance = Record<ClassLabel, number>;

export interface TrainingHistory {
  loss: number[];
  val_loss: number[];
  acc: number[];
  val_acc: number[];
}

/**
 * Everything `TrainingResult` needs from the model side (the caller adds model_path, symbols,
 * timeframe), the skill numbers included (skill.metrics.ts says how each is computed).
 */
export interface ClassifierMetrics extends SkillMetrics {
  /** Validation loss of the untrained model, before epoch 1. */
  initial_loss: number;
  /** Validation loss at the kept (best) epoch. */
  final_loss: number;
  /** Plain accuracy on the validation part at the kept epoch. */
  val_accuracy: number;
  /** Plain accuracy on the test part (the gate's number). */
  accuracy: number;
  test_loss: number;
  /** The score to beat: accuracy of always predicting the test part's own most frequent class (= majority_baseline). */
  baseline_accuracy: number;

  /** Fractions of BUY/HOLD/SELL in the training part. */
  class_balance: ClassBalance;
  /** Weight of each class in the training and validation losses (all 1 when weighting is `none`). */
  class_weights: ClassBalance;
  class_weighting: ClassWeighting;
  epochs_run: number;
  /** The configured epochs (`model.training.epochs`): fewer run means early stopping ended it. */
  epochs_planned: number;
  /** 1-based epoch whose weights were kept. */
  best_epoch: number;
  stopped_early: boolean;
  history: TrainingHistory;
  samples: { train: number; validation: number; test: number };
  feature_count: number;
  seed: number;
  backend: 'wasm' | 'cpu';
}

/** One part of a chronological split as a dataset builder hands it over: its rows' features and labels. */
export interface SplitPart {
  X: Float32Array;
  y: Uint8Array;
  rows: number;
}

/** The three parts stacked train → validation → test into one matrix, with the row range of each. */
export function stackSplit(ds: { cols: number; train: SplitPart; validation: SplitPart; test: SplitPart }): ClassifierData {
  const parts = [ds.train, ds.validation, ds.test];
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  const x = new Float32Array(rows * ds.cols);
  const y = new Uint8Array(rows);
  const ranges: [number, number][] = [];
  let at = 0;
  for (const p of parts) {
    x.set(p.X, at * ds.cols);
    y.set(p.y, at);
    ranges.push([at, at + p.rows]);
    at += p.rows;
  }
  return { x, y, rows, cols: ds.cols, split: { train: ranges[0]!, validation: ranges[1]!, test: ranges[2]! } };
}
