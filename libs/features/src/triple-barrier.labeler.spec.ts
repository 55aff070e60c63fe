import { CancelledError } from '@ktrdr/errors';
import { Label, NO_LABEL } from './features.types.js';
import { rollingVolatility, tripleBarrierLabels, type TripleBarrierOptions } from './triple-barrier.labeler.js';

const { Buy: B, Hold: H, Sell: S } = Label;
const N = NO_LABEL;
const label = (closes: number[], options: TripleBarrierOptions): Promise<number[]> =>
  tripleBarrierLabels(Float64Array.from(closes), options).then((l) => Array.from(l));

// Returns +1 %, −1 %, 0 (101 × 0.99 = 99.99): over a 3-bar window σ_3 = √((0.01² + 0.01² + 0²) / 2) = 1 %.
const VOLATILE = [100, 101, 99.99, 99.99];
// Returns +0.5 %, −0.4975 %, 0: σ_3 ≈ 0.4988 %.
const CALM = [100, 100.5, 100, 100];
// Bar 3 is the only bar with a volatility and a full 3-bar horizon in a 7-bar series.
const opts: TripleBarrierOptions = { horizon: 3, profitTake: 2, stopLoss: 1, volatilityWindow: 3 };

describe('rollingVolatility', () => {
  it('is the sample std of the last `window` one-bar returns, NaN before the window fills', async () => {
    expect(Array.from(await rollingVolatility(Float64Array.from(VOLATILE), 3))).toEqual([NaN, NaN, NaN, expect.closeTo(0.01, 12)]);
    expect((await rollingVolatility(Float64Array.from(CALM), 3))[3]).toBeCloseTo(0.0049876, 6);
    // Window 2: σ_t = |r_t − r_{t−1}| / √2. Returns +1 %, −0.990 %, +2 %, −2.941 %, 0, +4.040 %, 0.
    const sigma = await rollingVolatility(Float64Array.from([100, 101, 100, 102, 99, 99, 103, 103]), 2);
    expect(sigma[0]).toBeNaN();
    expect(sigma[1]).toBeNaN();
    [0.014072, 0.021143, 0.034939, 0.020797, 0.02857, 0.02857].forEach((s, i) => expect(sigma[i + 2]).toBeCloseTo(s, 6));
  });

  it('reads no bar after t: a series cut after bar t gives the same σ up to t', async () => {
    const closes = Float64Array.from({ length: 60 }, (_, i) => 100 * Math.exp(0.02 * Math.sin(i * 1.3) + 0.001 * i));
    const full = await rollingVolatility(closes, 10);
    for (const cut of [10, 25, 59]) expect(Array.from(await rollingVolatility(closes.slice(0, cut + 1), 10))).toEqual(Array.from(full.slice(0, cut + 1)));
  });

  it('is NaN while the window holds a close that is not a positive number', async () => {
    const sigma = await rollingVolatility(Float64Array.from([100, 101, NaN, 100, 101, 102, 103]), 2);
    // Returns at 2 and 3 read the NaN: σ_t for t = 2, 3, 4 includes one of them.
    expect(Array.from(sigma).map(Number.isNaN)).toEqual([true, true, true, true, true, false, false]);
  });
});

describe('tripleBarrierLabels', () => {
  it('SELL when the stop-loss is hit before the profit-take', async () => {
    // From 99.99, σ 1 %: upper +2 %, lower −1 %. −0.49 %, then −1.09 % (stop-loss) — the +3.01 % after it is too late.
    expect(await label([...VOLATILE, 99.5, 98.9, 103], opts)).toEqual([N, N, N, S, N, N, N]);
  });

  it('BUY when the profit-take is hit first', async () => {
    // +1.01 %, then +2.01 % (profit-take); the −5 % fall after it does not count.
    expect(await label([...VOLATILE, 101, 102, 95], opts)).toEqual([N, N, N, B, N, N, N]);
  });

  it('HOLD when the closes reach neither barrier before the vertical one', async () => {
    // +0.51 %, −0.49 %, +1.51 %: inside (−1 %, +2 %) for all 3 bars; a later +10 % is past the horizon.
    const l = await label([...VOLATILE, 100.5, 99.5, 101.5, 110], opts);
    expect(l[3]).toBe(H);
    expect(l.slice(5)).toEqual([N, N, N]);
  });

  it('sets the barriers in volatilities: the same +1.5 % is BUY after a calm window, HOLD after a volatile one', async () => {
    // Calm: σ ≈ 0.499 %, upper ≈ +0.998 %; volatile: σ = 1 %, upper +2 %.
    expect(await label([...CALM, 101.5, 101.5, 101.5], opts)).toEqual([N, N, N, B, N, N, N]);
    expect(await label([...VOLATILE, 101.49, 101.49, 101.49], opts)).toEqual([N, N, N, H, N, N, N]);
  });

  it('labels a crafted series exactly: no label before the window fills nor in the last `horizon` bars', async () => {
    // Window 2, horizon 2, profit-take 1.2 σ, stop-loss 1 σ; σ_2…σ_5 = 1.407 %, 2.114 %, 3.494 %, 2.080 % (rollingVolatility above).
    // t2 (100): 102 is +2 % ≥ 1.689 % → BUY. t3 (102): 99 is −2.94 % ≤ −2.114 % → SELL.
    // t4 (99): 99, then 103 (+4.04 % < 4.193 %) → HOLD. t5 (99): 103 is +4.04 % ≥ 2.496 % → BUY.
    // t6, t7: the horizon runs past the data (t6 would be HOLD, t7 has no bar ahead).
    const closes = [100, 101, 100, 102, 99, 99, 103, 103];
    expect(await label(closes, { horizon: 2, profitTake: 1.2, stopLoss: 1, volatilityWindow: 2 })).toEqual([N, N, B, S, H, B, N, N]);
  });

  it('gives no label where the window is flat (σ = 0: both barriers on the close)', async () => {
    expect(await label([100, 100, 100, 100, 102, 98, 98], opts)).toEqual([N, N, N, N, N, N, N]);
  });

  it('gives no label to every bar when the data is shorter than the window plus the horizon', async () => {
    expect(await label([100, 101, 99.99, 99.99, 120, 80], opts)).toEqual([N, N, N, N, N, N]);
    expect(await label([], opts)).toEqual([]);
  });

  it('stops with CancelledError when aborted, also mid-run (the loops yield)', async () => {
    const c = new AbortController();
    c.abort('Parent cancelled');
    await expect(tripleBarrierLabels(Float64Array.from(VOLATILE), opts, c.signal)).rejects.toBeInstanceOf(CancelledError);
    const long = Float64Array.from({ length: 500_000 }, (_, i) => 100 + Math.sin(i / 7));
    const mid = new AbortController();
    setImmediate(() => mid.abort('Parent cancelled'));
    await expect(tripleBarrierLabels(long, { horizon: 20, profitTake: 2, stopLoss: 2, volatilityWindow: 20 }, mid.signal)).rejects.toBeInstanceOf(
      CancelledError,
    );
  });
});
