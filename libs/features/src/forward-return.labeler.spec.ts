import { CancelledError } from '@ktrdr/errors';
import { Label, NO_LABEL } from './features.types.js';
import { forwardReturnLabels } from './forward-return.labeler.js';

const { Buy: B, Hold: H, Sell: S } = Label;
const N = NO_LABEL;
const label = (closes: number[], horizon: number, threshold: number, cost = 0): Promise<number[]> =>
  forwardReturnLabels(Float64Array.from(closes), { horizon, threshold, cost }).then((l) => Array.from(l));

describe('forwardReturnLabels', () => {
  // r(t) = close[t + 2] / close[t] − 1 over a 2-bar horizon:
  // t0 102/100 → +2.00 %, t1 103/101 → +1.98 %, t2 98/102 → −3.92 %, t3 100/103 → −2.91 %, t4 100/98 → +2.04 %.
  const closes = [100, 101, 102, 103, 98, 100, 100];

  it('BUY above +threshold, SELL below −threshold, HOLD between; the last `horizon` bars unlabelled', async () => {
    expect(await label(closes, 2, 0.01)).toEqual([B, B, S, S, B, N, N]);
    // A 2.5 % threshold keeps only the two falls.
    expect(await label(closes, 2, 0.025)).toEqual([H, H, S, S, H, N, N]);
  });

  it('adds the round-trip cost to the threshold: a borderline BUY becomes HOLD', async () => {
    // threshold 1 % + cost 1.5 % = 2.5 %: the +2 % moves no longer pay for the trade; the −2.9 % and −3.9 % falls still do.
    expect(await label(closes, 2, 0.01, 0.015)).toEqual([H, H, S, S, H, N, N]);
    // A cost of 0.5 % (1.5 % in all) leaves every label as it was.
    expect(await label(closes, 2, 0.01, 0.005)).toEqual([B, B, S, S, B, N, N]);
    // With no threshold the cost alone decides: +2 % beats 1.99 %, +1.98 % does not.
    expect(await label(closes, 2, 0, 0.0199)).toEqual([B, H, S, S, B, N, N]);
  });

  it('needs a return strictly beyond threshold + cost (exact binary fractions: 0.125 + 0.125 = 0.25)', async () => {
    expect(await label([100, 125], 1, 0.125, 0.125)).toEqual([H, N]);
    expect(await label([100, 75], 1, 0.125, 0.125)).toEqual([H, N]);
    expect(await label([100, 125], 1, 0.125, 0.124)).toEqual([B, N]);
    expect(await label([100, 75], 1, 0.125, 0.124)).toEqual([S, N]);
  });

  it('reads only the close `horizon` bars ahead, not the path to it', async () => {
    // +20 % on the way, back to +0.5 % at the horizon: HOLD (ZigZag would say BUY).
    expect(await label([100, 120, 100.5, 100, 100], 2, 0.01)).toEqual([H, S, H, N, N]);
  });

  it('gives no label to a bar whose close or whose close `horizon` bars ahead is not a positive number', async () => {
    expect(await label([100, NaN, 0, 103, 104, 110], 2, 0.01)).toEqual([N, N, N, B, N, N]);
  });

  it('gives no label to every bar when the data is no longer than the horizon', async () => {
    expect(await label([100, 110, 90], 3, 0.01)).toEqual([N, N, N]);
    expect(await label([], 1, 0.01)).toEqual([]);
  });

  it('stops with CancelledError when aborted, also mid-run (the loop yields)', async () => {
    const c = new AbortController();
    c.abort('Parent cancelled');
    await expect(forwardReturnLabels(Float64Array.from(closes), { horizon: 2, threshold: 0.01, cost: 0 }, c.signal)).rejects.toBeInstanceOf(CancelledError);
    const long = new Float64Array(4_000_000).fill(100);
    const mid = new AbortController();
    setImmediate(() => mid.abort('Parent cancelled'));
    await expect(forwardReturnLabels(long, { horizon: 5, threshold: 0.001, cost: 0 }, mid.signal)).rejects.toBeInstanceOf(CancelledError);
  });
});
