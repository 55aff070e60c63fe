import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import type { EquityArtifact } from '@ktrdr/api-contract';
import type { CurveAxis, CurveResult } from './simulation.types.js';

// The artifact's shape is part of the wire contract: the web view reads it with the same types.
export type { ArtifactTrade, EquityArtifact } from '@ktrdr/api-contract';

/**
 * Indices to keep so a long curve fits in `maxPoints` and still shows what matters: the first and
 * last bar, the peak and the trough of the maximum drawdown, and in each of ⌊(maxPoints − 4) / 2⌋
 * equal buckets the bars with the lowest and the highest equity (min/max decimation). Every
 * extreme a chart at this resolution could show survives, and the max drawdown reads exactly.
 */
function keptIndices(result: CurveResult, maxPoints: number): Int32Array {
  const eq = result.equity;
  const n = eq.length;
  if (n <= maxPoints) return Int32Array.from({ length: n }, (_, i) => i);
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  const { peakIndex, troughIndex } = result.stats.strategy;
  if (peakIndex >= 0) keep[peakIndex] = 1;
  if (troughIndex >= 0) keep[troughIndex] = 1;
  const buckets = Math.floor((maxPoints - 4) / 2);
  for (let k = 0; k < buckets; k++) {
    const from = Math.floor((k * n) / buckets);
    const to = Math.floor(((k + 1) * n) / buckets);
    let lo = from;
    let hi = from;
    for (let i = from + 1; i < to; i++) {
      if (eq[i]! < eq[lo]!) lo = i;
      if (eq[i]! > eq[hi]!) hi = i;
    }
    keep[lo] = 1;
    keep[hi] = 1;
  }
  let count = 0;
  for (let i = 0; i < n; i++) count += keep[i]!;
  const out = new Int32Array(count);
  for (let i = 0, j = 0; i < n; i++) if (keep[i]) out[j++] = i;
  return out;
}

/**
 * The JSON the web view charts: the equity curve against buy-and-hold with its drawdown, down-
 * sampled to at most `maxPoints` points, and the trades (at most `maxTrades`; when there are more,
 * the largest by |P&L| are kept, in time order). For a portfolio, the combined curves on the union
 * of bar times and every sleeve's trades, each naming its symbol.
 */
export function equityArtifact(bars: CurveAxis, result: CurveResult, maxPoints = 5000, maxTrades = 5000): EquityArtifact {
  if (!Number.isInteger(maxPoints) || maxPoints < 8) {
    throw new KtrdrError(ErrorCode.ValidationFailed, `equity artifact: maxPoints must be an integer >= 8 (got ${maxPoints})`);
  }
  const idx = keptIndices(result, maxPoints);
  const eq = result.equity;
  const t: string[] = [];
  const equity: number[] = [];
  const benchmark: number[] = [];
  const drawdown: number[] = [];
  let peak = result.initialCapital;
  let next = 0;
  for (let i = 0; i < eq.length && next < idx.length; i++) {
    const e = eq[i]!;
    if (e > peak) peak = e;
    if (i !== idx[next]) continue;
    next++;
    t.push(new Date(bars.time[i]!).toISOString());
    equity.push(e);
    benchmark.push(result.benchmark[i]!);
    drawdown.push(peak > 0 ? (peak - e) / peak : 0);
  }

  let trades = result.trades;
  if (trades.length > maxTrades) {
    trades = [...trades].sort((a, b) => Math.abs(b.pnl) - Math.abs(a.pnl)).slice(0, maxTrades);
    // Entry times, not indices: a portfolio's trades index each its own symbol's bars.
    trades.sort((a, b) => a.entry_time - b.entry_time);
  }
  return {
    t,
    equity,
    benchmark,
    drawdown,
    trades: trades.map((tr) => ({
      symbol: tr.symbol,
      side: tr.side,
      entry_time: new Date(tr.entry_time).toISOString(),
      exit_time: new Date(tr.exit_time).toISOString(),
      entry_price: tr.entry_price,
      exit_price: tr.exit_price,
      quantity: tr.quantity,
      pnl: tr.pnl,
      return: tr.return,
      fees: tr.fees,
      open_at_end: tr.open_at_end,
    })),
    total_points: eq.length,
    points: t.length,
    trades_omitted: result.trades.length - trades.length,
  };
}
