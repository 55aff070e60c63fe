/**
 * One seeded PRNG for every reproducible choice ktrdr makes outside the market-data generator:
 * the offline designer's picks, the trainer's row order and dropout seeds, test fixtures and the
 * benchmarks' timing. Same seed → same stream on every machine and Node version, which
 * Math.random cannot give. Hand-rolled because mulberry32 is a few lines of well-known arithmetic
 * and no seeded generator is a dependency here. (The synthetic market series use their own sfc32
 * stream in libs/market-data: a bar's values must never change with this module.)
 */

/** mulberry32: uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over UTF-16 code units: a stable 32-bit hash of a name, e.g. to seed from a brief. */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Fisher–Yates shuffle of `indices` in place, driven by `random`. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(indices: T, random: () => number): T {
  for (let i = indices.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = indices[i]!;
    indices[i] = indices[j]!;
    indices[j] = t;
  }
  return indices;
}
