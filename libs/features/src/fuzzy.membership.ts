import type { MembershipConfig } from '@ktrdr/agent-domain';

/**
 * Fuzzy membership functions (the schema's `membership` union). Each maps an indicator value to a
 * degree of membership in [0, 1]; NaN (an indicator still warming up) stays NaN so the row is
 * recognised as incomplete. Hand-written because they are one-line formulas, not a library's job.
 */

/** Triangle rising from `a` to a peak of 1 at `b`, falling to 0 at `c`. `a == b` or `b == c` gives a shoulder. */
export function triangular(x: number, [a, b, c]: readonly [number, number, number]): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === b) return 1;
  if (x < a || x > c) return 0;
  return x < b ? (x - a) / (b - a) : (c - x) / (c - b);
}

/** Rises from `a` to 1 at `b`, stays 1 up to `c`, falls to 0 at `d`. */
export function trapezoidal(x: number, [a, b, c, d]: readonly [number, number, number, number]): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x >= b && x <= c) return 1;
  if (x < a || x > d) return 0;
  return x < b ? (x - a) / (b - a) : (d - x) / (d - c);
}

/** exp(−(x−mean)² / 2σ²): 1 at the mean, e^(−1/2) ≈ 0.607 at mean ± sigma. */
export function gaussian(x: number, [mean, sigma]: readonly [number, number]): number {
  if (Number.isNaN(x)) return Number.NaN;
  const z = (x - mean) / sigma;
  return Math.exp(-0.5 * z * z);
}

/** The membership of `x` in the set described by `m`. */
export function membership(x: number, m: MembershipConfig): number {
  switch (m.type) {
    case 'triangular':
      return triangular(x, m.parameters);
    case 'trapezoidal':
      return trapezoidal(x, m.parameters);
    case 'gaussian':
      return gaussian(x, m.parameters);
  }
}
