import { Label, NO_LABEL } from './features.types.js';
import { classCounts, zigzagLabels } from './zigzag.labeler.js';

const { Buy: B, Hold: H, Sell: S } = Label;
const label = (closes: number[], threshold: number, lookahead: number): Promise<number[]> =>
  zigzagLabels(Float64Array.from(closes), { threshold, lookahead }).then((l) => Array.from(l));

describe('zigzagLabels', () => {
  it('BUY when the rise reaches the threshold first, even if a bigger fall follows', async () => {
    // From 100: +5 % at bar 2, then -20 % at bar 3 — the rise came first.
    const l = await label([100, 102, 105, 80, 80, 80], 0.05, 3);
    expect(l[0]).toBe(B);
  });

  it('SELL when the fall reaches the threshold first, even if a bigger rise follows', async () => {
    const l = await label([100, 99, 95, 130, 130, 130], 0.05, 3);
    expect(l[0]).toBe(S);
  });

  it('HOLD when neither move reaches the threshold within the horizon (a later move does not count)', async () => {
    // The +10 % at bar 4 is beyond a 3-bar horizon from bar 0.
    const l = await label([100, 103, 98, 104, 110, 110, 110, 110], 0.05, 3);
    expect(l[0]).toBe(H);
    expect(l[1]).toBe(B); // from 103: 98 is only -4.9 %, then 110 (+6.8 %) 3 bars ahead
  });

  it('counts a move of exactly the threshold', async () => {
    const l = await label([100, 103, 100, 100], 0.03, 2);
    expect(l[0]).toBe(B);
    const d = await label([100, 97, 100, 100], 0.03, 2);
    expect(d[0]).toBe(S);
  });

  it('leaves the last `lookahead` bars unlabelled, even when their move already shows', async () => {
    const closes = [100, 100, 100, 100, 120, 60];
    const l = await label(closes, 0.05, 2);
    // t = 0..3 have a full horizon; t = 4, 5 do not (t = 4 would be SELL at bar 5).
    expect(l).toEqual([H, H, B, B, NO_LABEL, NO_LABEL]);
  });

  it('labels a crafted zigzag exactly', async () => {
    const closes = [100, 101, 104, 102, 98, 95, 96, 99, 101, 100, 100, 100];
    const l = await label(closes, 0.03, 3);
    // t0: 104 at +2 → BUY. t1: 104 is +2.97 % <3 %, 102, 98 -2.97 % → HOLD. t2: 98 -5.8 % → SELL.
    // t3: 98 -3.9 % → SELL. t4: 95 -3.06 % → SELL. t5: 99 +4.2 % → BUY. t6: 99 +3.1 % → BUY.
    // t7: 101 +2.0 %, 100, 100 → HOLD. t8: 100, 100, 100 → HOLD. t9..t11: horizon past the end.
    expect(l).toEqual([B, H, S, S, S, B, B, H, H, NO_LABEL, NO_LABEL, NO_LABEL]);
    expect(classCounts(l.filter((x) => x >= 0))).toEqual([3, 3, 3]);
  });

  it('gives no label to every bar when the data is shorter than the horizon', async () => {
    expect(await label([100, 110, 90], 0.05, 5)).toEqual([NO_LABEL, NO_LABEL, NO_LABEL]);
  });
});
