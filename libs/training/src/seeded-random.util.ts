/**
 * A seeded PRNG (mulberry32) for the few random choices training makes outside tfjs: the order of
 * the training rows each epoch and the per-step dropout seeds. Hand-rolled because it is six lines
 * and tfjs's own `util.shuffle` uses Math.random (not reproducible); the bundled seedrandom is not
 * a declared dependency of this workspace.
 */
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

/** Fisher–Yates shuffle of `indices` in place, driven by `random`. */
export function shuffleInPlace(indices: Int32Array, random: () => number): Int32Array {
  for (let i = indices.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = indices[i]!;
    indices[i] = indices[j]!;
    indices[j] = t;
  }
  return indices;
}
