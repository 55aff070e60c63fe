import { forEachChunk } from './chunked.loop.js';
import { Label, NO_LABEL } from './features.types.js';

export interface ForwardReturnOptions {
  /** Bars ahead: the label of t reads close[t + horizon]. */
  horizon: number;
  /** The move that counts beyond the cost, as a fraction (0.01 = 1 %). */
  threshold: number;
  /** Round-trip trading cost as a fraction, added to the threshold (labelCost resolves the strategy's default). */
  cost: number;
}

/**
 * Forward-return labels with a cost-aware threshold — whether a trade held for `horizon` bars
 * would have paid more than its costs and the threshold:
 *
 * - r = close[t + horizon] / close[t] − 1.
 * - r > threshold + cost → **BUY** (0); r < −(threshold + cost) → **SELL** (2); otherwise (a
 *   return of exactly ±(threshold + cost) included) → **HOLD** (1).
 * - The last `horizon` bars have **no label** (NO_LABEL, −1): close[t + horizon] is past the data.
 *   Neither has a bar whose close or close[t + horizon] is not a positive number.
 *
 * Only the close `horizon` bars ahead counts, not the path to it (unlike zigzagLabels and
 * tripleBarrierLabels). The label of t depends on closes t and t + horizon only, so the fold's
 * purge of `horizon` bars (labelHorizon) keeps every training label off validation and test closes.
 */
export async function forwardReturnLabels(close: Float64Array, { horizon, threshold, cost }: ForwardReturnOptions, signal?: AbortSignal): Promise<Int8Array> {
  const n = close.length;
  const labels = new Int8Array(n).fill(NO_LABEL);
  const bar = threshold + cost;
  await forEachChunk(
    n - horizon,
    (start, end) => {
      for (let t = start; t < end; t++) {
        const c = close[t]!;
        const ahead = close[t + horizon]!;
        if (!(c > 0) || !(ahead > 0) || !Number.isFinite(c) || !Number.isFinite(ahead)) continue;
        const r = ahead / c - 1;
        labels[t] = r > bar ? Label.Buy : r < -bar ? Label.Sell : Label.Hold;
      }
    },
    signal,
    4096,
  );
  return labels;
}
