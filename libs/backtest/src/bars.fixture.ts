import type { Timeframe } from '@ktrdr/agent-domain';
import type { Bars } from '@ktrdr/market-data';

/** Test bars: one [open, close] pair per bar, daily from 2024-01-01 unless times are given. */
export function barsOf(rows: ReadonlyArray<readonly [number, number]>, opts: { times?: number[]; timeframe?: Timeframe } = {}): Bars {
  const n = rows.length;
  const start = Date.UTC(2024, 0, 1);
  const time = Float64Array.from(opts.times ?? rows.map((_, i) => start + i * 86_400_000));
  const open = Float64Array.from(rows.map((r) => r[0]));
  const close = Float64Array.from(rows.map((r) => r[1]));
  const high = Float64Array.from(rows.map((r) => Math.max(r[0], r[1])));
  const low = Float64Array.from(rows.map((r) => Math.min(r[0], r[1])));
  return { symbol: 'TEST', timeframe: opts.timeframe ?? '1d', time, open, high, low, close, volume: new Float64Array(n) };
}

/**
 * Deterministic PRNG (xorshift32). Not mulberry32: it relies on Math.imul, which runs ~100× slower
 * inside jest's sandbox and made generating a million test bars take over a second.
 */
export function seeded(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/** A seeded hourly random walk of n bars with random signals (BUY/SELL each with probability p). */
export function randomWalk(n: number, seed: number, p = 0.05): { bars: Bars; signals: Int8Array } {
  const rnd = seeded(seed);
  const time = new Float64Array(n);
  const open = new Float64Array(n);
  const close = new Float64Array(n);
  const signals = new Int8Array(n);
  let px = 100;
  const start = Date.UTC(2020, 0, 1);
  for (let i = 0; i < n; i++) {
    time[i] = start + i * 3_600_000;
    open[i] = px * (1 + (rnd() - 0.5) * 0.002);
    px = open[i]! * (1 + (rnd() - 0.5) * 0.01);
    close[i] = px;
    const u = rnd();
    signals[i] = u < p ? 1 : u < 2 * p ? -1 : 0;
  }
  return { bars: { symbol: 'WALK', timeframe: '1h', time, open, high: close, low: close, close, volume: close }, signals };
}

/** Index of the first element where two arrays differ, −1 when equal (jest's deep equality is slow on long typed arrays). */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}
