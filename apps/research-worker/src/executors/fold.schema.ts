import { z } from 'zod';

/**
 * What a walk-forward fold operation carries (its metadata parameters, written by the phase child
 * that creates it) and returns (its result, read back by that phase child). Both sides parse with
 * these schemas, so the producer and the consumer of a fold cannot drift apart.
 */

const count = z.number().int().min(0);
const finite = z.number().finite();
/** [from, to) of a test fold as ISO times. */
const isoWindow = z.tuple([z.string(), z.string()]);

export const trainingFoldParamsSchema = z.object({
  strategy_name: z.string(),
  /** 1-based fold number, and every fold's test window (the embargo and the rolling length need them all). */
  fold: z.number().int().min(1),
  windows: z.array(isoWindow).min(1),
  seeds: z.array(z.number().int()).min(1),
});
export type TrainingFoldParams = z.output<typeof trainingFoldParamsSchema>;

const classCounts = z.object({ BUY: count, HOLD: count, SELL: count });
const span = z.object({ from: z.string().nullable(), to: z.string().nullable(), rows: count, class_counts: classCounts });
const sums = z.object({
  rows: count,
  counts: z.array(count),
  correct: z.array(count),
  log_loss: finite,
  prior_log_loss: finite,
  stratified: finite,
});

export const trainingFoldResultSchema = z.object({
  fold: z.number().int().min(1),
  train: span,
  validation: span,
  test: span,
  /** One entry per seed, the strategy's own seed first. */
  /** `model`: the seed's model in the blob store (its SHA-256), held for the training phase child. */
  seeds: z.array(z.object({ seed: z.number().int(), accuracy: finite, model: z.string() })),
  /** The first seed's test-part skill sums (pooled across folds by the phase) and fit. */
  sums,
  initial_loss: finite,
  final_loss: finite,
  val_accuracy: finite,
  test_loss: finite,
  epochs_run: count,
  epochs_planned: count,
  best_epoch: count,
  stopped_early: z.boolean(),
  history: z.object({ loss: z.array(finite), val_loss: z.array(finite), acc: z.array(finite), val_acc: z.array(finite) }),
  class_balance: z.object({ BUY: finite, HOLD: finite, SELL: finite }),
  class_weights: z.object({ BUY: finite, HOLD: finite, SELL: finite }),
  feature_count: count,
  features: z.array(z.string()),
  backend: z.string(),
});
export type TrainingFoldResult = z.output<typeof trainingFoldResultSchema>;

export const backtestFoldParamsSchema = z.object({
  strategy_name: z.string(),
  fold: z.number().int().min(1),
  folds: z.number().int().min(1),
  window: isoWindow,
  /** Every seed's model for this fold (blob addresses), the strategy's own seed first. */
  models: z.array(z.object({ seed: z.number().int(), model: z.string() })).min(1),
  /** The run's model path, for the message when a model is gone. */
  model_path: z.string(),
});
export type BacktestFoldParams = z.output<typeof backtestFoldParamsSchema>;

/**
 * Per symbol (strategy order) and per seed: the signal of every base bar of the fold's window, as
 * text, one character a bar (`+` buy, `-` sell, `0` hold) — compact, and plain in the record.
 */
export const backtestFoldResultSchema = z.object({
  fold: z.number().int().min(1),
  symbols: z.array(z.object({ symbol: z.string(), bars: count, signals: z.array(z.string()) })),
  seeds: z.array(z.number().int()),
});
export type BacktestFoldResult = z.output<typeof backtestFoldResultSchema>;

const SIGNAL_CHARS: Record<number, string> = { 1: '+', 0: '0', [-1]: '-' };

export function encodeSignals(signals: Int8Array): string {
  let out = '';
  for (const s of signals) out += SIGNAL_CHARS[s] ?? '0';
  return out;
}

export function decodeSignals(text: string): Int8Array {
  const out = new Int8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text[i] === '+' ? 1 : text[i] === '-' ? -1 : 0;
  return out;
}
