import { baseTimeframe, type StrategyConfig } from '@ktrdr/agent-domain';
import { ErrorCode } from '@ktrdr/errors';
import { foldRowPlan, type FoldRowOptions, type FoldWindow } from './walk-forward.split.js';
import { buildFeatureMatrix, featureNames } from './feature.matrix.js';
import { FeaturesError } from './features.error.js';
import type { BarsBySymbol, BarsByTimeframe, FeatureMatrix } from './features.types.js';
import { forEachChunk } from './chunked.loop.js';
import { applyScalerAsync, fitScalerAsync, type StandardScaler } from './standard.scaler.js';
import { strategyLabels } from './labels.js';
import { classCounts } from './zigzag.labeler.js';

/** Where one symbol's rows sit in a part of a fold. */
export interface PartSegment {
  symbol: string;
  /** Row range [start, end) within the part. */
  start: number;
  end: number;
  /** Base-bar indices (in that symbol's bars) of the segment's first and last row. */
  firstBar: number;
  lastBar: number;
}

/** The train, validation or test rows of one walk-forward fold, every symbol's rows joined. */
export interface DatasetPart {
  rows: number;
  /** Standardised features, row-major rows × cols. */
  X: Float32Array;
  /** 0 BUY, 1 HOLD, 2 SELL. */
  y: Uint8Array;
  /** Base bar open time of each row (epoch ms). */
  time: Float64Array;
  /** Per symbol, in `training_data.symbols` order: each symbol's rows are chronological. */
  segments: PartSegment[];
  /** `[buy, hold, sell]`. */
  classCounts: [number, number, number];
}

export interface SymbolSummary {
  symbol: string;
  bars: number;
  /** Rows at or after the fold's `rowsFrom` with complete features and a label, before foldRowPlan picks the parts. */
  usableRows: number;
  /**
   * Usable rows in none of the fold's parts: the purge gaps before the validation and the test
   * rows, embargoed rows, rows before a rolling window, and rows after the fold's test window.
   */
  purgedRows: number;
}

/** One walk-forward fold's dataset (buildFoldDataset). */
export interface TrainingDataset {
  names: string[];
  cols: number;
  train: DatasetPart;
  validation: DatasetPart;
  test: DatasetPart;
  /** Fitted on the train part only; save it with the model (it is plain JSON). */
  scaler: StandardScaler;
  symbols: SymbolSummary[];
}

/** One symbol's feature matrix over all its bars, its labels, and the bar indices of its usable rows. */
export interface LabelledSymbol {
  symbol: string;
  matrix: FeatureMatrix;
  labels: Int8Array;
  usable: Int32Array;
}

interface SymbolRows extends LabelledSymbol {
  /** Positions in `usable` each part of the fold takes, increasing (foldRowPlan). */
  parts: Record<PartName, Int32Array>;
}

type PartName = 'train' | 'validation' | 'test';
const PARTS: readonly PartName[] = ['train', 'validation', 'test'];

/** A walk-forward fold to build: its window among all of them, and how rows are chosen (foldRowPlan). */
export interface FoldSpec extends Omit<FoldRowOptions, 'context'> {
  windows: readonly FoldWindow[];
  /** Index of the fold in `windows`. */
  index: number;
  /** Bars before this time (epoch ms) are history for the indicators only: no row is taken from them. */
  rowsFrom: number;
}

/**
 * Features and labels for every symbol of the strategy, cut into the train / validation / test
 * parts of one walk-forward fold and standardised with a scaler fitted on the fold's train part
 * only.
 *
 * Per symbol: the feature matrix over all its base-timeframe bars (buildFeatureMatrix), labels from
 * the base closes (strategyLabels: the rule of the `training.labels` source); rows with any NaN
 * feature, no label, or a bar before `fold.rowsFrom` are dropped, and foldRowPlan picks each
 * part's rows from the rest
 * (test rows in the fold's window, training rows before it with purge and embargo, validation
 * rows at the end of the training rows). Each part joins the symbols' rows in
 * `training_data.symbols` order (`segments` tells where each sits).
 * `barsBySymbol` holds every bar from the indicator warm-up before the training window to the end
 * of the backtest window.
 */
export async function buildFoldDataset(config: StrategyConfig, barsBySymbol: BarsBySymbol, fold: FoldSpec, signal?: AbortSignal): Promise<TrainingDataset> {
  return buildFoldDatasetFrom(config, await labelFeatures(config, barsBySymbol, fold.rowsFrom, signal), fold, signal);
}

/**
 * Every symbol's features, labels and usable rows (at or after `rowsFrom`), in strategy order: the
 * part of a fold dataset that is the same for every fold and seed of one evaluation, so a worker
 * may compute it once and build each fold from it (buildFoldDatasetFrom). Treat it as read-only.
 */
export interface LabelledFeatures {
  symbols: readonly LabelledSymbol[];
}

export async function labelFeatures(config: StrategyConfig, barsBySymbol: BarsBySymbol, rowsFrom: number, signal?: AbortSignal): Promise<LabelledFeatures> {
  const symbols: LabelledSymbol[] = [];
  for (const symbol of config.training_data.symbols) symbols.push(await labelledRows(config, symbol, barsBySymbol, rowsFrom, signal));
  return { symbols };
}

/** One fold's dataset from features and labels computed once (labelFeatures). */
export async function buildFoldDatasetFrom(
  config: StrategyConfig,
  labelled: LabelledFeatures,
  fold: Omit<FoldSpec, 'rowsFrom'>,
  signal?: AbortSignal,
): Promise<TrainingDataset> {
  const base = baseTimeframe(config);
  const perSymbol: SymbolRows[] = labelled.symbols.map((rows) => ({
    ...rows,
    parts: foldRowPlan(rows.matrix.time, rows.usable, fold.windows, fold.index, { ...fold, context: ` for ${rows.symbol} ${base}` }),
  }));
  return scaledDataset(config, perSymbol, signal);
}

/** One symbol's features, labels, and the rows (at or after `rowsFrom`) that have both. */
async function labelledRows(
  config: StrategyConfig,
  symbol: string,
  barsBySymbol: BarsBySymbol,
  rowsFrom: number,
  signal?: AbortSignal,
): Promise<LabelledSymbol> {
  const bars = barsBySymbol[symbol];
  if (!bars) throw new FeaturesError(ErrorCode.NoMarketData, 'missing_timeframe', `no bars for ${symbol}`, { symbol });
  const matrix = await buildFeatureMatrix(config, bars, signal);
  const labels = await strategyLabels(config, bars[baseTimeframe(config)]!.close, signal);
  const usableList: number[] = [];
  for (let r = 0; r < matrix.rows; r++) if (matrix.valid[r] && labels[r]! >= 0 && matrix.time[r]! >= rowsFrom) usableList.push(r);
  return { symbol, matrix, labels, usable: Int32Array.from(usableList) };
}

/** The fold's parts assembled across symbols, standardised with a scaler fitted on the train part. */
async function scaledDataset(config: StrategyConfig, perSymbol: SymbolRows[], signal?: AbortSignal): Promise<TrainingDataset> {
  const names = featureNames(config);
  const cols = names.length;
  const raw = {} as Record<PartName, DatasetPart>;
  for (const p of PARTS) raw[p] = await assemble(perSymbol, p, cols, signal);
  const scaler = await fitScalerAsync(raw.train.X, raw.train.rows, names, signal);
  for (const p of PARTS) raw[p].X = await applyScalerAsync(scaler, raw[p].X, signal);

  return {
    names,
    cols,
    train: raw.train,
    validation: raw.validation,
    test: raw.test,
    scaler,
    symbols: perSymbol.map((s) => ({
      symbol: s.symbol,
      bars: s.matrix.rows,
      usableRows: s.usable.length,
      purgedRows: s.usable.length - PARTS.reduce((n, p) => n + s.parts[p].length, 0),
    })),
  };
}

/** One part's rows from every symbol, in symbol order, unscaled. */
async function assemble(perSymbol: SymbolRows[], part: PartName, cols: number, signal?: AbortSignal): Promise<DatasetPart> {
  const rows = perSymbol.reduce((n, s) => n + s.parts[part].length, 0);
  const X = new Float32Array(rows * cols);
  const y = new Uint8Array(rows);
  const time = new Float64Array(rows);
  const segments: PartSegment[] = [];
  let at = 0;
  for (const s of perSymbol) {
    const take = s.parts[part];
    const segStart = at;
    await forEachChunk(
      take.length,
      (a, b) => {
        for (let j = a; j < b; j++) {
          const r = s.usable[take[j]!]!;
          const row = segStart + j;
          X.set(s.matrix.values.subarray(r * cols, (r + 1) * cols), row * cols);
          y[row] = s.labels[r]!;
          time[row] = s.matrix.time[r]!;
        }
      },
      signal,
      4096,
    );
    at += take.length;
    segments.push({ symbol: s.symbol, start: segStart, end: at, firstBar: s.usable[take[0]!] ?? -1, lastBar: s.usable[take[take.length - 1]!] ?? -1 });
  }
  return { rows, X, y, time, segments, classCounts: classCounts(y) };
}

/**
 * Features for every base bar of a backtest window, scaled with the model's scaler. Rows still
 * warming up are flagged `valid = 0` (their values hold NaN): the backtest gives them no signal.
 * Refuses a scaler whose column names differ from the strategy's (the strategy changed after training).
 */
export async function buildInferenceFeatures(
  config: StrategyConfig,
  bars: BarsByTimeframe,
  scaler: StandardScaler,
  signal?: AbortSignal,
): Promise<FeatureMatrix> {
  const names = featureNames(config);
  assertSameColumns(names, scaler.names, config.name);
  const matrix = await buildFeatureMatrix(config, bars, signal);
  return { ...matrix, values: await applyScalerAsync(scaler, matrix.values, signal) };
}

function assertSameColumns(strategy: readonly string[], model: readonly string[], name: string): void {
  if (strategy.length === model.length && strategy.every((n, i) => n === model[i])) return;
  const missing = model.filter((n) => !strategy.includes(n));
  const extra = strategy.filter((n) => !model.includes(n));
  const detail =
    missing.length || extra.length
      ? `model-only: ${missing.join(', ') || 'none'}; strategy-only: ${extra.join(', ') || 'none'}`
      : 'same columns in another order';
  throw new FeaturesError(
    ErrorCode.StrategyInvalid,
    'feature_mismatch',
    `features of strategy ${name} do not match the model's (${detail}); retrain the model`,
    { strategy_columns: strategy, model_columns: model },
  );
}
