/**
 * A seeded pseudo-random stream for the synthetic market series.
 *
 * Hand-rolled because the series must be identical in every process, on every machine and in
 * every future version (a bar's values are part of what a strategy was trained on): Math.random
 * cannot be seeded, and no seeded generator is a declared dependency of this repo. sfc32 (Chris
 * Doty-Humphrey's Small Fast Counting generator, 128-bit state, passes PractRand) is a few lines
 * and fast; a draw is a handful of 32-bit integer operations.
 */

export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    // splitmix32 spreads a small seed over the whole state, so seeds 1 and 2 give unrelated streams.
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in the open interval (0, 1): never 0, so logarithms are safe. */
  uniform(): number {
    return (this.uint32() + 0.5) / 4294967296;
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /**
   * Student-t with 4 degrees of freedom, scaled to unit variance. χ²(4) is −2·ln(U₁U₂) (a sum of
   * two exponentials), which avoids a general gamma sampler. t(4) has infinite kurtosis in theory
   * and a fat but finite one in any sample: the fat tails real returns show.
   */
  studentT4(): number {
    const chi2 = -2 * Math.log(this.uniform() * this.uniform());
    // Var(t_ν) = ν/(ν−2) = 2 for ν = 4.
    return this.normal() / Math.sqrt(chi2 / 4) / Math.SQRT2;
  }
}
