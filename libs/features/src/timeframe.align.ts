/**
 * For each base bar, the index of the last higher-timeframe bar that is **complete** when the base
 * bar closes, or -1 if none is yet. A bar opened at `t` closes at `t + its timeframe`; a higher bar
 * counts only once its close is at or before the base bar's close, so a base row never sees a
 * higher bar still in progress (no look-ahead), whatever partial bar the data source holds.
 *
 * Both time columns are open times in epoch ms, strictly increasing. One linear two-pointer pass.
 */
export function alignToBase(baseTime: Float64Array, baseMs: number, higherTime: Float64Array, higherMs: number): Int32Array {
  const map = new Int32Array(baseTime.length);
  let j = -1;
  for (let i = 0; i < baseTime.length; i++) {
    const baseClose = baseTime[i]! + baseMs;
    while (j + 1 < higherTime.length && higherTime[j + 1]! + higherMs <= baseClose) j++;
    map[i] = j;
  }
  return map;
}

/** `values` of the higher timeframe picked for each base row through `map` (NaN where -1). */
export function gather(values: Float64Array, map: Int32Array): Float64Array {
  const out = new Float64Array(map.length);
  for (let i = 0; i < map.length; i++) {
    const j = map[i]!;
    out[i] = j < 0 ? Number.NaN : values[j]!;
  }
  return out;
}
