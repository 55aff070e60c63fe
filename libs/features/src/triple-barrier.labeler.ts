import { forEachChunk } from './chunked.loop.js';
import { Label, NO_LABEL } from './features.types.js';

export interface TripleBarrierOptions {
  /** The vertical barrier: how many bars ahead to look. */
  horizon: number;
  /** The upper barrier, in multiples of the bar's volatility σ_t. */
  profitTake: number;
  /** The lower barrier, in multiples of σ_t. */
  stopLoss: number;
  /** How many one-bar returns σ_t is the standard deviation of (the last ones up to bar t). */
  volatilityWindow: number;
}

/**
 * σ_t: the sample standard deviation (n − 1) of the last `window` one-bar returns up to bar t,
 * close[i] / close[i − 1] − 1 for i = t − window + 1 … t. It reads closes t − window … t only (no
 * bar after t). NaN for t < window and wherever a close in that span is not a positive number.
 */
export async function rollingVolatility(close: Float64Array, window: number, signal?: AbortSignal): Promise<Float64Array> {
  const n = close.length;
  const ret = new Float64Array(n).fill(NaN);
  await forEachChunk(
    n,
    (start, end) => {
      for (let i = Math.max(1, start); i < end; i++) {
        const a = close[i - 1]!;
        const b = close[i]!;
        if (a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b)) ret[i] = b / a - 1;
      }
    },
    signal,
    4096,
  );
  const sigma = new Float64Array(n).fill(NaN);
  // Two passes over each window (not running sums): a flat window gives exactly 0, whatever came before.
  await forEachChunk(
    n,
    (start, end) => {
      for (let t = Math.max(window, start); t < end; t++) {
        let sum = 0;
        for (let i = t - window + 1; i <= t; i++) sum += ret[i]!;
        if (Number.isNaN(sum)) continue;
        const mean = sum / window;
        let ss = 0;
        for (let i = t - window + 1; i <= t; i++) ss += (ret[i]! - mean) ** 2;
        sigma[t] = Math.sqrt(ss / (window - 1));
      }
    },
    signal,
    Math.max(16, Math.floor(65_536 / window)),
  );
  return sigma;
}

/**
 * Triple-barrier labels (López de Prado, *Advances in Financial Machine Learning*, ch. 3) — which
 * of three barriers set at bar t the closes reach first:
 *
 * - σ_t = rollingVolatility(close, volatilityWindow)[t], from bars up to t only.
 * - Upper barrier close[t] · (1 + profitTake · σ_t), lower close[t] · (1 − stopLoss · σ_t), vertical
 *   barrier `horizon` bars ahead.
 * - Scan j = t+1 … t+horizon with r = close[j] / close[t] − 1: the first j with r ≥ profitTake · σ_t
 *   makes t **BUY** (0), the first with r ≤ −stopLoss · σ_t **SELL** (2); neither before the vertical
 *   barrier: **HOLD** (1).
 * - **No label** (NO_LABEL, −1) where σ_t is undefined (the first `volatilityWindow` bars) or 0 (a
 *   flat window: both barriers would sit on close[t]), and for the last `horizon` bars, even when a
 *   barrier is already hit (as in zigzagLabels: labelling only early hits would skew the class
 *   balance at the end of the data).
 *
 * The label of t reads closes t+1 … t+horizon of the future, so a fold's purge of `horizon` bars
 * (labelHorizon) keeps every training label off validation and test closes.
 */
export async function tripleBarrierLabels(close: Float64Array, options: TripleBarrierOptions, signal?: AbortSignal): Promise<Int8Array> {
  const { horizon, profitTake, stopLoss, volatilityWindow } = options;
  const n = close.length;
  const labels = new Int8Array(n).fill(NO_LABEL);
  const sigma = await rollingVolatility(close, volatilityWindow, signal);
  await forEachChunk(
    n - horizon,
    (start, end) => {
      for (let t = start; t < end; t++) {
        const c = close[t]!;
        const s = sigma[t]!;
        if (!(s > 0) || !(c > 0)) continue; // NaN σ (warm-up, bad close) or a flat window: no label
        const up = profitTake * s;
        const down = -stopLoss * s;
        let label: number = Label.Hold;
        for (let j = t + 1; j <= t + horizon; j++) {
          const r = close[j]! / c - 1;
          if (r >= up) {
            label = Label.Buy;
            break;
          }
          if (r <= down) {
            label = Label.Sell;
            break;
          }
        }
        labels[t] = label;
      }
    },
    signal,
    Math.max(16, Math.floor(65_536 / horizon)),
  );
  return labels;
}
