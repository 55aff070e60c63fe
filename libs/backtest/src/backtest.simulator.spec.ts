import { CancelledError, ErrorCode, KtrdrError } from '@ktrdr/errors';
import { barsOf, firstDifference, randomWalk } from './bars.fixture';
import { simulate, simulateSync } from './backtest.simulator';
import type { SimulationOptions } from './simulation.types';

const C = 10_000;
const free: SimulationOptions = { positionMode: 'long_only', initialCapital: C, commission: 0, slippage: 0 };
const sig = (...v: number[]): Int8Array => Int8Array.from(v);

describe('simulateSync: fills, costs and trades', () => {
  it('one long round trip: enters at the next open with slippage, pays commission on both legs', () => {
    const c = 0.001;
    const s = 0.002;
    const bars = barsOf([
      [100, 100],
      [101, 102],
      [103, 105],
      [106, 104],
      [104, 103],
    ]);
    const r = simulateSync({ bars, signals: sig(1, 0, -1, 0, 0), positionMode: 'long_only', initialCapital: C, commission: c, slippage: s });

    const entry = 101 * (1 + s); // BUY at bar 0 → bar 1's open, paying slippage
    const qty = C / (entry * (1 + c)); // fully invested: notional + entry commission = equity
    const entryFee = qty * entry * c;
    const exit = 106 * (1 - s); // SELL at bar 2 → bar 3's open, receiving less
    const exitFee = qty * exit * c;
    const pnl = qty * (exit - entry) - entryFee - exitFee;

    expect(r.trades).toHaveLength(1);
    const t = r.trades[0]!;
    expect(t.side).toBe('long');
    expect([t.entry_index, t.exit_index]).toEqual([1, 3]);
    expect(t.entry_time).toBe(bars.time[1]);
    expect(t.exit_time).toBe(bars.time[3]);
    expect(t.entry_price).toBeCloseTo(entry, 10);
    expect(t.exit_price).toBeCloseTo(exit, 10);
    expect(t.quantity).toBeCloseTo(qty, 10);
    expect(t.fees).toBeCloseTo(entryFee + exitFee, 10);
    expect(t.pnl).toBeCloseTo(pnl, 8);
    expect(t.return).toBeCloseTo(pnl / C, 12);
    expect(t.open_at_end).toBe(false);
    expect(Array.from(r.position)).toEqual([0, 1, 1, 0, 0]);
    expect(r.equity[0]).toBe(C);
    expect(r.equity[1]).toBeCloseTo(qty * 102, 8); // cash is 0 when fully invested
    expect(r.equity[2]).toBeCloseTo(qty * 105, 8);
    expect(r.equity[3]).toBeCloseTo(C + pnl, 8);
    expect(r.equity[4]).toBeCloseTo(C + pnl, 8);
    expect(r.stats.exposedBars).toBe(2);
  });

  it('fills at the next bar open, not the signal bar close, across a gap', () => {
    const bars = barsOf([
      [100, 100],
      [110, 121],
      [121, 121],
    ]);
    const r = simulateSync({ ...free, bars, signals: sig(1, 0, 0) });
    expect(r.trades[0]!.entry_price).toBe(110);
    expect(r.equity[1]).toBeCloseTo((C / 110) * 121, 9); // 11000, not 12100
  });

  it('ignores a signal on the last bar: there is no next open', () => {
    const bars = barsOf([
      [100, 101],
      [101, 102],
      [102, 103],
    ]);
    const r = simulateSync({ ...free, commission: 0.01, bars, signals: sig(0, 0, 1) });
    expect(r.trades).toEqual([]);
    expect(Array.from(r.position)).toEqual([0, 0, 0]);
    expect(Array.from(r.equity)).toEqual([C, C, C]);
  });

  it('long_short flips at one open (both legs charged) and closes the open short at the last close', () => {
    const c = 0.001;
    const s = 0.001;
    const bars = barsOf([
      [100, 100],
      [100, 110],
      [120, 115],
      [110, 100],
      [90, 95],
    ]);
    const r = simulateSync({ bars, signals: sig(1, -1, 0, 0, 0), positionMode: 'long_short', initialCapital: C, commission: c, slippage: s });

    const e1 = 100 * (1 + s);
    const q1 = C / (e1 * (1 + c));
    const x1 = 120 * (1 - s);
    const pnl1 = q1 * (x1 - e1) - q1 * e1 * c - q1 * x1 * c;
    const equityAtFlip = C + pnl1;
    const e2 = 120 * (1 - s); // short entry sells: receives less
    const q2 = equityAtFlip / (e2 * (1 + c));
    const x2 = 95 * (1 + s); // covered at the last close, paying more
    const pnl2 = q2 * (e2 - x2) - q2 * e2 * c - q2 * x2 * c;

    expect(Array.from(r.position)).toEqual([0, 1, -1, -1, -1]);
    expect(r.trades.map((t) => [t.side, t.entry_index, t.exit_index, t.open_at_end])).toEqual([
      ['long', 1, 2, false],
      ['short', 2, 4, true],
    ]);
    expect(r.trades[0]!.pnl).toBeCloseTo(pnl1, 8);
    expect(r.trades[1]!.entry_price).toBeCloseTo(e2, 10);
    expect(r.trades[1]!.exit_price).toBeCloseTo(x2, 10);
    expect(r.trades[1]!.quantity).toBeCloseTo(q2, 10);
    expect(r.trades[1]!.pnl).toBeCloseTo(pnl2, 8);
    expect(r.trades[1]!.fees).toBeCloseTo(q2 * e2 * c + q2 * x2 * c, 10);
    // Short marked at bar 3's close: equity at the flip + short sale proceeds − fee − cost to cover at 100.
    expect(r.equity[3]).toBeCloseTo(equityAtFlip + q2 * e2 - q2 * e2 * c - q2 * 100, 8);
    // The last point is the liquidation value, so it agrees with the trades.
    expect(r.equity[4]).toBeCloseTo(C + pnl1 + pnl2, 8);
  });

  it('long_only: SELL closes a long and never opens a short; SELL when flat does nothing', () => {
    const bars = barsOf([
      [100, 100],
      [100, 110],
      [120, 115],
      [110, 100],
      [90, 95],
    ]);
    const r = simulateSync({ ...free, bars, signals: sig(-1, 1, -1, -1, 0) });
    expect(Array.from(r.position)).toEqual([0, 0, 1, 0, 0]);
    expect(r.trades.map((t) => [t.side, t.entry_price, t.exit_price])).toEqual([['long', 120, 110]]);
  });

  it('a long still open at the end is sold at the last close with slippage and commission', () => {
    const c = 0.002;
    const s = 0.001;
    const bars = barsOf([
      [50, 50],
      [50, 55],
      [56, 60],
    ]);
    const r = simulateSync({ bars, signals: sig(1, 0, 0), positionMode: 'long_only', initialCapital: C, commission: c, slippage: s });
    const q = C / (50 * (1 + s) * (1 + c));
    const proceeds = q * 60 * (1 - s) * (1 - c);
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]!.open_at_end).toBe(true);
    expect(r.trades[0]!.exit_price).toBeCloseTo(60 * (1 - s), 12);
    expect(r.equity[2]).toBeCloseTo(proceeds, 8);
    expect(r.trades[0]!.pnl).toBeCloseTo(proceeds - C, 8);
    expect(r.position[2]).toBe(1);
  });

  it('benchmark: bought at the first open with the same costs, marked at each close, sold at the last close', () => {
    const c = 0.001;
    const s = 0.0005;
    const bars = barsOf([
      [100, 101],
      [102, 99],
      [98, 105],
    ]);
    const r = simulateSync({ bars, signals: sig(0, 0, 0), positionMode: 'long_only', initialCapital: C, commission: c, slippage: s });
    const q = C / (100 * (1 + s) * (1 + c));
    expect(r.benchmark[0]).toBeCloseTo(q * 101, 9);
    expect(r.benchmark[1]).toBeCloseTo(q * 99, 9);
    expect(r.benchmark[2]).toBeCloseTo(q * 105 * (1 - s) * (1 - c), 9);
  });

  it('final equity equals the initial capital plus every trade P&L, in both modes (random walk)', () => {
    const { bars, signals } = randomWalk(20_000, 7, 0.05);
    for (const positionMode of ['long_only', 'long_short'] as const) {
      const r = simulateSync({ bars, signals, positionMode, initialCapital: C, commission: 0.001, slippage: 0.0005 });
      const sumPnl = r.trades.reduce((a, t) => a + t.pnl, 0);
      expect(r.trades.length).toBeGreaterThan(100);
      expect(r.equity[r.equity.length - 1]).toBeCloseTo(C + sumPnl, 6);
      // Between trades the account is flat: equity only changes while a position is held.
      let movedWhileFlat = 0;
      for (let i = 1; i < r.equity.length; i++) {
        if (r.position[i] === 0 && r.position[i - 1] === 0 && r.equity[i] !== r.equity[i - 1]) movedWhileFlat++;
      }
      expect(movedWhileFlat).toBe(0);
    }
  });
});

describe('simulateSync: input checks', () => {
  const bars = barsOf([
    [100, 100],
    [101, 101],
  ]);

  it.each([
    [{ signals: sig(0) }, /1 signals for 2 bars/],
    [{ commission: 1 }, /commission/],
    [{ slippage: -0.1 }, /slippage/],
    [{ initialCapital: 0 }, /initialCapital/],
    [
      {
        bars: barsOf([
          [100, 100],
          [101, -1],
        ]),
      },
      /bar 1 has close -1/,
    ],
  ])('refuses %p with VALIDATION_FAILED', (change, message) => {
    let thrown: unknown;
    try {
      simulateSync({ ...free, bars, signals: sig(0, 0), ...change });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(KtrdrError);
    expect(thrown).toMatchObject({ code: ErrorCode.ValidationFailed, message: expect.stringMatching(message) });
  });
});

describe('simulate (async, sliced)', () => {
  it('gives exactly the result of the synchronous run, reporting progress up to the total', async () => {
    const { bars, signals } = randomWalk(40_000, 11, 0.03);
    const input = { bars, signals, positionMode: 'long_short' as const, initialCapital: C, commission: 0.001, slippage: 0.0005 };
    const progress: Array<[number, number]> = [];
    const a = await simulate({ ...input, sliceMs: 1, onProgress: (d, t) => progress.push([d, t]) });
    const b = simulateSync(input);
    expect(firstDifference(a.equity, b.equity)).toBe(-1);
    expect(firstDifference(a.benchmark, b.benchmark)).toBe(-1);
    expect(firstDifference(a.position, b.position)).toBe(-1);
    expect(a.trades.length).toBeGreaterThan(100);
    expect(a.trades).toEqual(b.trades);
    expect(a.stats).toEqual(b.stats);
    expect(progress.at(-1)).toEqual([40_000, 40_000]);
  });

  it('a cancel from the event loop during a long run rejects with CancelledError before the end', async () => {
    const { bars, signals } = randomWalk(1_000_000, 3, 0.02);
    const ac = new AbortController();
    const progress: number[] = [];
    let timerRan = false;
    const run = simulate({ ...free, bars, signals, signal: ac.signal, sliceMs: 1, onProgress: (d) => progress.push(d) });
    setTimeout(() => {
      timerRan = true;
      ac.abort('Cancelled by user');
    }, 1);
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    await expect(run).rejects.toThrow('Cancelled by user');
    expect(timerRan).toBe(true);
    expect(progress).not.toContain(1_000_000); // the final report never came: it stopped part way
  });

  it('rejects at once when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(simulate({ ...free, bars: barsOf([[1, 1]]), signals: sig(0), signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
  });
});
