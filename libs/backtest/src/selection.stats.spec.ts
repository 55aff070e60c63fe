import { seededRandom } from '@ktrdr/agent-domain';
import { normalCdf, probabilisticSharpeRatio } from './significance';
import {
  deflatedSharpeRatio,
  expectedMaxSharpe,
  inverseNormalCdf,
  probabilityOfBacktestOverfitting,
  sharpeVariance,
  EULER_MASCHERONI,
} from './selection.stats';

/** Seeded standard normals by Box–Muller. */
function gaussian(seed: number): () => number {
  const random = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** A T × N matrix of i.i.d. N(0, 0.01²) returns: N trials with no skill at all. */
function noise(periods: number, trials: number, seed: number): Float64Array[] {
  const g = gaussian(seed);
  return Array.from({ length: periods }, () => Float64Array.from({ length: trials }, () => 0.01 * g()));
}

/** max |xᵢ − target| (one expect for thousands of logits: jest's expect costs ~0.1 ms a call). */
function maxDistance(xs: readonly number[], target: number): number {
  return xs.reduce((worst, x) => Math.max(worst, Math.abs(x - target)), 0);
}

describe('the inverse normal CDF', () => {
  it('matches tabulated quantiles to 1e-9', () => {
    expect(Math.abs(inverseNormalCdf(0.975) - 1.959963985)).toBeLessThan(1e-9);
    expect(Math.abs(inverseNormalCdf(0.9) - 1.281551566)).toBeLessThan(1e-9);
    expect(inverseNormalCdf(0.5)).toBe(0);
    expect(Math.abs(inverseNormalCdf(0.025) + 1.959963985)).toBeLessThan(1e-9);
    expect(Math.abs(inverseNormalCdf(0.995) - 2.575829304)).toBeLessThan(1e-9);
    // The two outer branches: r = √(−ln p) ≤ 5 and > 5.
    expect(Math.abs(inverseNormalCdf(1e-10) + 6.361340902)).toBeLessThan(1e-8);
    expect(Math.abs(inverseNormalCdf(1e-20) + 9.262340089798)).toBeLessThan(1e-9);
  });

  it('is the inverse of normalCdf and antisymmetric', () => {
    for (const p of [0.001, 0.03, 0.2, 0.4, 0.6, 0.77, 0.99]) {
      expect(normalCdf(inverseNormalCdf(p))).toBeCloseTo(p, 7);
      expect(inverseNormalCdf(1 - p)).toBeCloseTo(-inverseNormalCdf(p), 12);
    }
  });

  it('is infinite at 0 and 1 and NaN outside [0, 1]', () => {
    expect(inverseNormalCdf(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(inverseNormalCdf(1)).toBe(Number.POSITIVE_INFINITY);
    expect(inverseNormalCdf(-0.1)).toBeNaN();
    expect(inverseNormalCdf(1.5)).toBeNaN();
    expect(inverseNormalCdf(Number.NaN)).toBeNaN();
  });
});

describe('the expected maximum Sharpe ratio of N skill-less trials', () => {
  it('equals the value computed by hand for N = 10, V = 0.01', () => {
    // γ = 0.5772156649, 1 − γ = 0.4227843351. Φ⁻¹(1 − 1/10) = Φ⁻¹(0.9) = 1.2815515655;
    // 1/(10e) = 0.0367879441, Φ⁻¹(0.9632120559) = 1.7892417646.
    // (1 − γ)·1.2815515655 = 0.5418199265, γ·1.7892417646 = 1.0327783748, sum 1.5745983013,
    // times √0.01 = 0.1: SR₀ = 0.1574598301.
    expect(EULER_MASCHERONI).toBeCloseTo(0.5772156649, 10);
    expect(expectedMaxSharpe(10, 0.01)).toBeCloseTo(0.1574598301, 9);
  });

  it('is 0 for one trial or no dispersion, scales with √V and grows with N', () => {
    expect(expectedMaxSharpe(1, 0.04)).toBe(0);
    expect(expectedMaxSharpe(50, 0)).toBe(0);
    expect(expectedMaxSharpe(10, 0.04)).toBeCloseTo(2 * expectedMaxSharpe(10, 0.01), 12);
    let previous = 0;
    for (const n of [2, 5, 10, 100, 1000, 10000]) {
      const sr0 = expectedMaxSharpe(n, 1);
      expect(sr0).toBeGreaterThan(previous);
      previous = sr0;
    }
    // The best of 1,000 standard normals is about 3.25 on average (López de Prado's tables).
    expect(expectedMaxSharpe(1000, 1)).toBeCloseTo(3.2551, 3);
  });

  it('throws on a trial count that is not a positive integer or a bad variance', () => {
    expect(() => expectedMaxSharpe(0, 0.01)).toThrow(/trials must be a positive integer/);
    expect(() => expectedMaxSharpe(2.5, 0.01)).toThrow(/trials must be a positive integer/);
    expect(() => expectedMaxSharpe(10, -1)).toThrow(/Sharpe variance/);
    expect(() => expectedMaxSharpe(10, Number.NaN)).toThrow(/Sharpe variance/);
  });
});

describe('the variance of the trials’ Sharpe ratios', () => {
  it('is the sample variance, 0 for fewer than two trials', () => {
    // mean 0.2; deviations −0.1, 0, 0.1; Σd² = 0.02, / (3 − 1) = 0.01.
    expect(sharpeVariance([0.1, 0.2, 0.3])).toBeCloseTo(0.01, 15);
    expect(sharpeVariance([0.5])).toBe(0);
    expect(sharpeVariance([])).toBe(0);
  });
});

describe('the Deflated Sharpe Ratio', () => {
  // Returns 1 %, 2 %, −1 %, 3 %, 0 % (significance.spec's PSR example): T = 5, SR = 0.01 / 0.0158114
  // = 0.6324555320, skew 0, kurtosis 1.7, so the variance term is 1 − 0 + 0.7/4 · 0.4 = 1.07.
  const r = [0.01, 0.02, -0.01, 0.03, 0];

  it('equals the PSR against SR₀, computed by hand', () => {
    // N = 10, V = 0.01: SR₀ = 0.1574598301 (above). z = (0.6324555320 − 0.1574598301)·√4 / √1.07
    // = 0.4749957019 · 2 / 1.0344080433 = 0.9183913543, and Φ(0.9183913543) = 0.8207929923.
    const dsr = deflatedSharpeRatio(r, { trials: 10, sharpeVariance: 0.01 });
    expect(dsr).toBeCloseTo(0.8207929923, 6);
    expect(dsr).toBe(probabilisticSharpeRatio(r, expectedMaxSharpe(10, 0.01)));
  });

  it('is the PSR against 0 for a single trial', () => {
    // Φ(0.632456 · 2 / √1.07) = Φ(1.222836) = 0.889304.
    expect(deflatedSharpeRatio(r, { trials: 1, sharpeVariance: 0.01 })).toBeCloseTo(0.889304, 6);
  });

  it('falls as the number of trials grows', () => {
    // 500 bars of true per-bar Sharpe 0.15: against 0 it is clear (PSR ≈ 1), but with √V = 0.05 the
    // best of 1,000 skill-less trials reaches SR₀ = 0.05 · 3.2551 = 0.163 by luck, more than it shows.
    const g = gaussian(7);
    const returns = Float64Array.from({ length: 500 }, () => 0.0015 + 0.01 * g());
    const dsrs = [1, 2, 5, 10, 50, 200, 1000].map((trials) => deflatedSharpeRatio(returns, { trials, sharpeVariance: 0.0025 })!);
    for (let i = 1; i < dsrs.length; i++) expect(dsrs[i]).toBeLessThan(dsrs[i - 1]!);
    expect(dsrs[0]).toBeGreaterThan(0.9);
    expect(dsrs[dsrs.length - 1]).toBeLessThan(0.5);
  });

  it('is null for a flat or too short series', () => {
    expect(deflatedSharpeRatio([0.01, 0.01, 0.01, 0.01], { trials: 5, sharpeVariance: 0.01 })).toBeNull();
    expect(deflatedSharpeRatio([0.01, 0.02], { trials: 5, sharpeVariance: 0.01 })).toBeNull();
  });
});

describe('the Probability of Backtest Overfitting', () => {
  it('equals the six splits enumerated by hand on an 8-period × 3-trial matrix, S = 4', () => {
    // Blocks of two periods; in block b trial k returns (m + 1) % then (m − 1) %, with block means m:
    //   trial 0: m = 1, 2, 0, 0;  trial 1: m = −1, 0, 1, 0;  trial 2: m = 2, −1, −1, 0.
    // On two blocks with means a, b the four returns are a ± 1, b ± 1 (in %): mean s/2 with s = a + b,
    // Σ(deviation)² = 4 + (a − b)², so Sharpe = (s/2) / √((4 + (a − b)²)/3) = (√3/2) · s / √(4 + (a − b)²),
    // and trials rank by s / √(4 + d²), d = a − b:
    //   3/√5 = 1.342 > 2/√8 = 0.707 > 1/√5 = 0.447 > 1/√13 = 0.277 > 0 > −1/√5 > −2/√4 = −1.
    // IS blocks | IS  t0      t1      t2      | best | OOS t0     t1      t2      | rank of best | λ
    //   {0,1}   |   3/√5   −1/√5   1/√13    |  t0  |   0/√4   1/√5   −1/√5     | 2 of 3       | ln(½/½) = 0
    //   {0,2}   |   1/√5    0/√8   1/√13    |  t0  |   2/√8   0/√4   −1/√5     | 3            | ln(¾/¼) = ln 3
    //   {0,3}   |   1/√5   −1/√5   2/√8     |  t2  |   2/√8   1/√5   −2/√4     | 1            | ln(¼/¾) = −ln 3
    //   {1,2}   |   2/√8    1/√5   −2/√4    |  t0  |   1/√5  −1/√5   2/√8      | 2            | 0
    //   {1,3}   |   2/√8    0/√4   −1/√5    |  t0  |   1/√5   0/√8   1/√13     | 3            | ln 3
    //   {2,3}   |   0/√4    1/√5   −1/√5    |  t1  |   3/√5  −1/√5   1/√13     | 1            | −ln 3
    // λ ≤ 0 in four of six splits: PBO = 4/6 = 2/3.
    const pct = (row: number[]): number[] => row.map((v) => v / 100);
    const matrix = [
      [2, 0, 3],
      [0, -2, 1],
      [3, 1, 0],
      [1, -1, -2],
      [1, 2, 0],
      [-1, 0, -2],
      [1, 1, 1],
      [-1, -1, -1],
    ].map(pct);
    const result = probabilityOfBacktestOverfitting(matrix, { blocks: 4 });
    expect(result.blocks).toBe(4);
    expect(result.combinations).toBe(6);
    expect(result.pbo).toBeCloseTo(2 / 3, 12);
    const ln3 = Math.log(3);
    [0, ln3, -ln3, 0, ln3, -ln3].forEach((lambda, i) => expect(result.logits[i]).toBeCloseTo(lambda, 12));
  });

  it('is 0 when one trial has the best Sharpe ratio on every subset of periods', () => {
    // Every trial is the same noise plus its own constant drift: equal spread everywhere, so the
    // trial with the largest drift has the largest Sharpe ratio in and out of sample, rank N of N, λ = ln N.
    const g = gaussian(3);
    const drifts = [0.0002, -0.0003, 0.003, 0, 0.001];
    const matrix = Array.from({ length: 64 }, () => {
      const common = 0.01 * g();
      return drifts.map((d) => common + d);
    });
    const result = probabilityOfBacktestOverfitting(matrix);
    expect(result.combinations).toBe(12870);
    expect(result.pbo).toBe(0);
    expect(maxDistance(result.logits, Math.log(drifts.length))).toBeLessThan(1e-12);
  });

  it('is near 1 when the in-sample winners are the out-of-sample losers by construction', () => {
    // Trials A, −A, B, −B, each of whose second half is the first half with its sign flipped: every
    // trial sums to 0, so over equal blocks its out-of-sample mean is minus its in-sample mean. The
    // in-sample winner X has a positive in-sample Sharpe ratio, so a negative one out of sample while
    // its mirror's is positive and one of the other pair is ≥ 0: rank 1 or 2 of 4, λ < 0. The exception:
    // the C(8, 4) = 70 of 12,870 splits that put each block beside its mirror block (b and b + 8) hold
    // a mean of exactly 0 for every trial on both sides, and rounding ranks them.
    const g = gaussian(11);
    const half = Array.from({ length: 32 }, () => [0.01 * g(), 0.01 * g()]);
    const matrix = [...half, ...half.map(([a, b]) => [-a!, -b!])].map(([a, b]) => [a!, -a!, b!, -b!]);
    const result = probabilityOfBacktestOverfitting(matrix, { blocks: 16 });
    expect(result.blocks).toBe(16);
    expect(result.combinations).toBe(12870);
    expect(result.pbo).toBeGreaterThanOrEqual(1 - 70 / 12870);
  });

  it('is about ½ for trials of pure noise (seeded simulation)', () => {
    // One data set's PBO under the null is widely spread (0.20 to 0.87 over 40 seeds of this size,
    // mean 0.52); the average over data sets sits near ½, the in-sample winner as likely below the
    // out-of-sample median as above it. These ten seeds average 0.43.
    const pbos: number[] = [];
    for (let seed = 1; seed <= 10; seed++) pbos.push(probabilityOfBacktestOverfitting(noise(160, 20, seed)).pbo!);
    const mean = pbos.reduce((a, b) => a + b, 0) / pbos.length;
    expect(mean).toBeGreaterThan(0.3);
    expect(mean).toBeLessThan(0.7);
  });

  it('breaks ties by the lowest trial index in sample and by mid-rank out of sample', () => {
    // Trials 0 and 1 identical, trial 2 the same minus 1 % a period: trial 0 wins every split (tied
    // with 1, lower index), out of sample one trial is worse and one tied: rank 1 + 1 + ½ = 2.5,
    // ω̄ = 2.5 / 4 = 0.625, λ = ln(0.625 / 0.375) = ln(5/3).
    const g = gaussian(5);
    const matrix = Array.from({ length: 16 }, () => {
      const r = 0.01 * g();
      return [r, r, r - 0.01];
    });
    const result = probabilityOfBacktestOverfitting(matrix, { blocks: 4 });
    expect(result.pbo).toBe(0);
    expect(maxDistance(result.logits, Math.log(5 / 3))).toBeLessThan(1e-12);
    // All trials identical: the winner sits at the median, λ = 0, which counts as overfit.
    const same = probabilityOfBacktestOverfitting(
      matrix.map(([r]) => [r!, r!, r!]),
      { blocks: 4 },
    );
    expect(same.pbo).toBe(1);
    expect(maxDistance(same.logits, 0)).toBe(0);
  });

  it('gives a period set whose returns are all equal a Sharpe ratio of 0, not a rounding artefact', () => {
    // Trial 0 earns 10 % every period: its std is 0 (≈ 1e-17 after rounding a three-row block mean),
    // so its Sharpe ratio is 0 and trial 1 (2 %, 1 %, … : mean 1.5 %, Sharpe ≈ 2.7) wins every split
    // in sample and out.
    const matrix = Array.from({ length: 12 }, (_, t) => [0.1, t % 2 === 0 ? 0.02 : 0.01]);
    const result = probabilityOfBacktestOverfitting(matrix, { blocks: 4 });
    expect(result.pbo).toBe(0);
    expect(maxDistance(result.logits, Math.log(2))).toBeLessThan(1e-12);
  });

  it('caps S so that every block holds at least two periods, and cuts uneven blocks', () => {
    // T = 10: ⌊10/2⌋ = 5 → S = 4, C(4, 2) = 6. T = 9, S = 4: blocks of 2, 2, 2 and 3 periods.
    expect(probabilityOfBacktestOverfitting(noise(10, 3, 1))).toMatchObject({ blocks: 4, combinations: 6 });
    expect(probabilityOfBacktestOverfitting(noise(9, 3, 1), { blocks: 4 })).toMatchObject({ blocks: 4, combinations: 6 });
    expect(probabilityOfBacktestOverfitting(noise(40, 3, 1), { blocks: 8 })).toMatchObject({ blocks: 8, combinations: 70 });
  });

  it('is deterministic', () => {
    const m = noise(80, 6, 9);
    expect(probabilityOfBacktestOverfitting(m)).toEqual(probabilityOfBacktestOverfitting(m));
  });

  it('is null for fewer than two trials or four periods', () => {
    expect(probabilityOfBacktestOverfitting(noise(40, 1, 1))).toEqual({ pbo: null, combinations: 0, blocks: 16, logits: [] });
    expect(probabilityOfBacktestOverfitting(noise(3, 5, 1)).pbo).toBeNull();
    expect(probabilityOfBacktestOverfitting([]).pbo).toBeNull();
  });

  it('throws on an odd S, ragged rows or a non-finite return', () => {
    expect(() => probabilityOfBacktestOverfitting(noise(40, 3, 1), { blocks: 5 })).toThrow(/even integer/);
    expect(() => probabilityOfBacktestOverfitting(noise(40, 3, 1), { blocks: 0 })).toThrow(/even integer/);
    expect(() => probabilityOfBacktestOverfitting([[0.1, 0.2], [0.1]])).toThrow(/row 1 has 1 trials/);
    expect(() => probabilityOfBacktestOverfitting([[0.1, Number.NaN]])).toThrow(/trial 1 in period 0/);
  });
});
