import { forEachChunk } from './chunked.loop.js';
import { Label, NO_LABEL } from './features.types.js';

export interface ZigZagOptions {
  /** Move that counts, as a fraction of the bar's close (0.03 = 3 %). */
  threshold: number;
  /** How many bars ahead to look. */
  lookahead: number;
}

/**
 * ZigZag labels from closes — what a trader who knew the next `lookahead` bars should do at bar t:
 *
 * - Scan j = t+1 … t+lookahead in order, with r = (close[j] − close[t]) / close[t].
 * - The first j with r ≥ +threshold makes t **BUY** (0); the first j with r ≤ −threshold makes it
 *   **SELL** (2). Whichever comes first wins (a single close cannot be both).
 * - Neither within the horizon: **HOLD** (1).
 * - If t + lookahead is past the last bar, t has **no label** (NO_LABEL, −1), even when a move
 *   already shows: labelling only the bars whose move came early would skew the class balance at
 *   the end of the data (the test part). So the last `lookahead` bars are never labelled.
 *
 * The label of t depends on closes t+1 … t+lookahead only; a walk-forward fold (foldRowPlan)
 * purges `evaluation.purge` bars (by default `lookahead`) before its validation and test rows so
 * no training label reads a validation or test close.
 * (The Python ktrdr compares the largest gain with the largest loss in the window; first touch is
 * the plainer reading of "price rises by the threshold before it falls by it".)
 */
export async function zigzagLabels(close: Float64Array, { threshold, lookahead }: ZigZagOptions, signal?: AbortSignal): Promise<Int8Array> {
  const n = close.length;
  const labels = new Int8Array(n).fill(NO_LABEL);
  const lastLabelled = n - 1 - lookahead;
  await forEachChunk(
    lastLabelled + 1,
    (start, end) => {
      for (let t = start; t < end; t++) {
        const c = close[t]!;
        if (!(c > 0)) continue; // NaN or non-positive price: no meaningful return, no label
        let label: number = Label.Hold;
        for (let j = t + 1; j <= t + lookahead; j++) {
          const r = (close[j]! - c) / c;
          if (r >= threshold) {
            label = Label.Buy;
            break;
          }
          if (r <= -threshold) {
            label = Label.Sell;
            break;
          }
        }
        labels[t] = label;
      }
    },
    signal,
    256,
  );
  return labels;
}

/** How many rows of each class: `[buy, hold, sell]`. */
export function classCounts(y: ArrayLike<number>): [number, number, number] {
  const counts: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (v === 0 || v === 1 || v === 2) counts[v]++;
  }
  return counts;
}
