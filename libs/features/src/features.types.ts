import type { Timeframe } from '@ktrdr/agent-domain';
import type { Bars } from '@ktrdr/market-data';

/** Every output of every indicator: `outputs[id][output]`, each aligned with the bars, NaN during warm-up. */
export type IndicatorOutputs = Record<string, Record<string, Float64Array>>;

/** One symbol's bars, per timeframe the strategy lists. */
export type BarsByTimeframe = Partial<Record<Timeframe, Bars>>;

/** Bars of every symbol (key: symbol). */
export type BarsBySymbol = Record<string, BarsByTimeframe>;

/**
 * Features over the base timeframe's bars, row-major: `values[row * cols + col]`.
 * A row is `valid` when none of its columns is NaN (warm-up rows are not).
 */
export interface FeatureMatrix {
  names: string[];
  rows: number;
  cols: number;
  values: Float32Array;
  /** Open time of each base bar (epoch ms). */
  time: Float64Array;
  /** 1 when the row has no NaN feature. */
  valid: Uint8Array;
  /** First valid row, -1 when there is none. */
  firstValidRow: number;
}

/** Class of a bar: what a trader should have done (see labels.ts and the labelers it dispatches to). */
export const Label = { Buy: 0, Hold: 1, Sell: 2 } as const;
export type Label = (typeof Label)[keyof typeof Label];
export const LABEL_NAMES = ['BUY', 'HOLD', 'SELL'] as const;
/** A bar whose look-ahead horizon runs past the data: it has no label and is never trained on. */
export const NO_LABEL = -1;
