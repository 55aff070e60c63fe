import { campaignPbo, commonReturns, perBarSharpe, scoreTrials } from './campaign.selection';
import { probabilityOfBacktestOverfitting } from './selection.stats';

describe('selection over a campaign’s trials', () => {
  // A: r = [0.01, −0.01, 0.02, 0]: mean 0.005, deviations ±0.005 and ±0.015, sample variance
  // 5e−4 / 3, SR_A = 0.005 / 0.0129099 = 0.3872983 (SR_A² = 0.15). B: r = [0, 0.01, −0.01, 0]: SR_B = 0.
  const A = { t: [1, 2, 3, 4], r: [0.01, -0.01, 0.02, 0] };
  const B = { t: [1, 2, 3, 4], r: [0, 0.01, -0.01, 0] };
  const trials = [
    { key: 'a', counted: true, returns: A },
    { key: 'b', counted: true, returns: B },
    // Tried but stopped before any out-of-sample return: counts in N, has no DSR.
    { key: 'c', counted: true, returns: null },
    // Cancelled before its design ran: not a trial of the data.
    { key: 'd', counted: false, returns: null },
  ];

  it('per-bar Sharpe ratio: mean over sample standard deviation', () => {
    expect(perBarSharpe(A.r)).toBeCloseTo(0.3872983346, 9);
    expect(perBarSharpe(B.r)).toBe(0);
    expect(perBarSharpe([0.01])).toBeNull();
    expect(perBarSharpe([0.01, 0.01, 0.01])).toBeNull();
  });

  it('every trial’s DSR equals the value computed by hand', () => {
    // N = 3 (a, b, c). V = sample variance of [0.3873, 0] = 0.15 / 2 = 0.075.
    // SR₀ = √0.075 · (0.4227843·Φ⁻¹(2/3) + 0.5772157·Φ⁻¹(1 − 1/(3e))) = 0.2738613 · (0.4227843·0.4307273 + 0.5772157·1.1619713) = 0.2335501.
    // A: skew 0 (symmetric), kurtosis m₄/m₂² = 2.5625e−8 / 1.5625e−8 = 1.64, so the denominator is
    // √(1 + 0.64/4 · 0.15) = √1.024; DSR_A = Φ((0.3872983 − 0.2335501)·√3 / √1.024) = Φ(0.2631605) = 0.6037866.
    // B: SR 0, denominator 1; DSR_B = Φ(−0.2335501·√3) = Φ(−0.4045207) = 0.3429149.
    const s = scoreTrials(trials);
    expect(s.trials).toBe(3);
    expect(s.variance).toBeCloseTo(0.075, 12);
    expect(s.expectedMaxSharpe).toBeCloseTo(0.2335501298, 8);
    // To 1e−7: normalCdf is a rational approximation good to about 1e−8.
    expect(s.dsr.get('a')).toBeCloseTo(0.6037865627, 7);
    expect(s.dsr.get('b')).toBeCloseTo(0.3429149329, 7);
    expect(s.dsr.get('c')).toBeNull();
    expect(s.dsr.get('d')).toBeNull();
  });

  it('more trials tried deflate the same returns further', () => {
    const more = [...trials, ...Array.from({ length: 20 }, (_, i) => ({ key: `x${i}`, counted: true, returns: null }))];
    expect(scoreTrials(more).dsr.get('a')!).toBeLessThan(scoreTrials(trials).dsr.get('a')!);
    // One trial alone is not deflated: SR₀ = 0, the DSR is its PSR against 0.
    expect(scoreTrials([trials[0]!]).expectedMaxSharpe).toBe(0);
  });

  it('compares trials on the bars they share', () => {
    const { rows, times } = commonReturns([
      { t: [1, 2, 3, 4], r: [0.1, 0.2, 0.3, 0.4] },
      { t: [2, 3, 4, 5], r: [-0.2, -0.3, -0.4, -0.5] },
    ]);
    expect(times).toEqual([2, 3, 4]);
    expect(rows).toEqual([
      [0.2, -0.2],
      [0.3, -0.3],
      [0.4, -0.4],
    ]);
  });

  it('PBO runs CSCV over the aligned matrix and is null with fewer than two trials with returns', () => {
    const series = Array.from({ length: 3 }, (_, k) => ({
      t: Array.from({ length: 64 }, (_, i) => i),
      r: Array.from({ length: 64 }, (_, i) => Math.sin(i * (k + 1)) / 100),
    }));
    const out = campaignPbo(
      series.map((returns, i) => ({ key: String(i), counted: true, returns })),
      8,
    );
    const { rows } = commonReturns(series);
    expect(out).toEqual({ pbo: probabilityOfBacktestOverfitting(rows, { blocks: 8 }).pbo, trials: 3, bars: 64 });
    expect(campaignPbo([{ key: 'a', counted: true, returns: A }])).toEqual({ pbo: null, trials: 1, bars: 0 });
  });
});
