import { INDICATOR_CATALOGUE, INDICATOR_TYPES, type IndicatorConfig, type IndicatorType } from '@ktrdr/agent-domain';
import { CancelledError } from '@ktrdr/errors';
import { computeIndicator, computeIndicators } from './indicator.engine.js';
import { barsFrom, head, randomBars } from './testing.fixtures.js';

// A small crafted series; every reference value below is computed with plain arithmetic in this file.
const close = [44, 44.5, 43.8, 45, 46.2, 45.9, 47, 46.5, 48, 47.2, 48.5, 49, 48.1, 49.5, 50, 49.2];
const high = close.map((c, i) => c + 0.6 + (i % 3) * 0.2);
const low = close.map((c, i) => c - 0.5 - (i % 2) * 0.3);
const volume = close.map((_, i) => 1000 + i * 100);
const bars = barsFrom(close, { high, low, volume });
const n = close.length;

const cfg = (type: IndicatorType, params: Record<string, number> = {}): IndicatorConfig => {
  const defaults = INDICATOR_CATALOGUE[type].params.parse(params) as Record<string, number>;
  return { type, ...defaults } as IndicatorConfig;
};
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const window = (xs: number[], t: number, p: number): number[] => xs.slice(t - p + 1, t + 1);

/** The first index that is not NaN, after which none is NaN. */
function warmUp(a: Float64Array): number {
  const first = a.findIndex((v) => !Number.isNaN(v));
  expect(first).toBeGreaterThanOrEqual(0);
  for (let i = first; i < a.length; i++) expect(Number.isNaN(a[i]!)).toBe(false);
  return first;
}

function expectSeries(actual: Float64Array, expected: (number | null)[], digits = 9): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    if (e === null) expect(actual[i]).toBeNaN();
    else expect(actual[i]).toBeCloseTo(e, digits);
  });
}

describe('computeIndicator against hand-computed values', () => {
  it('SMA value and distance = close/SMA - 1, NaN for the first period-1 bars', async () => {
    const out = await computeIndicator(bars, cfg('sma', { period: 3 }));
    const expected = close.map((_, t) => (t < 2 ? null : mean(window(close, t, 3))));
    expectSeries(out.value!, expected);
    expectSeries(
      out.distance!,
      expected.map((v, t) => (v === null ? null : close[t]! / v - 1)),
    );
  });

  it('EMA seeded with the first close (the library convention), reported from bar period-1', async () => {
    const out = await computeIndicator(bars, cfg('ema', { period: 4 }));
    const alpha = 2 / (4 + 1);
    const ema: number[] = [];
    close.forEach((c, t) => ema.push(t === 0 ? c : alpha * c + (1 - alpha) * ema[t - 1]!));
    expectSeries(
      out.value!,
      ema.map((v, t) => (t < 3 ? null : v)),
    );
    expect(out.distance![5]).toBeCloseTo(close[5]! / ema[5]! - 1, 12);
  });

  it("RSI with Wilder's smoothing (first average a plain mean of `period` moves), NaN until bar `period`", async () => {
    const p = 5;
    const out = await computeIndicator(bars, cfg('rsi', { period: p }));
    const gains = close.map((c, t) => (t === 0 ? 0 : Math.max(c - close[t - 1]!, 0)));
    const losses = close.map((c, t) => (t === 0 ? 0 : Math.max(close[t - 1]! - c, 0)));
    const expected: (number | null)[] = [];
    let ag = 0;
    let al = 0;
    for (let t = 0; t < n; t++) {
      if (t < p) {
        expected.push(null);
        continue;
      }
      if (t === p) {
        ag = mean(gains.slice(1, p + 1));
        al = mean(losses.slice(1, p + 1));
      } else {
        ag = (ag * (p - 1) + gains[t]!) / p;
        al = (al * (p - 1) + losses[t]!) / p;
      }
      expected.push(al === 0 ? 100 : 100 - 100 / (1 + ag / al));
    }
    expectSeries(out.value!, expected);
  });

  it('ROC in percent, NaN for the first `period` bars', async () => {
    const out = await computeIndicator(bars, cfg('roc', { period: 3 }));
    expectSeries(
      out.value!,
      close.map((c, t) => (t < 3 ? null : ((c - close[t - 3]!) / close[t - 3]!) * 100)),
    );
  });

  it('Williams %R over the highest high and lowest low of the window', async () => {
    const p = 4;
    const out = await computeIndicator(bars, cfg('williams_r', { period: p }));
    expectSeries(
      out.value!,
      close.map((c, t) => {
        if (t < p - 1) return null;
        const hh = Math.max(...window(high, t, p));
        const ll = Math.min(...window(low, t, p));
        return ((hh - c) / (hh - ll)) * -100;
      }),
    );
  });

  it('MACD, signal and histogram (EMAs seeded with the first value) divided by close', async () => {
    const [fast, slow, sig] = [3, 5, 2];
    const out = await computeIndicator(bars, cfg('macd', { fast_period: fast, slow_period: slow, signal_period: sig }));
    const ema = (xs: number[], p: number): number[] => {
      const a = 2 / (p + 1);
      const r: number[] = [];
      xs.forEach((x, i) => r.push(i === 0 ? x : a * x + (1 - a) * r[i - 1]!));
      return r;
    };
    const macdLine = ema(close, fast).map((f, i) => f - ema(close, slow)[i]!);
    // The signal EMA starts at the first MACD the library reports (bar slow-1).
    const signalLine = ema(macdLine.slice(slow - 1), sig);
    for (const t of [slow - 1, slow, 9, n - 1]) expect(out.macd![t]).toBeCloseTo(macdLine[t]! / close[t]!, 12);
    expect(out.macd![slow - 2]).toBeNaN();
    // Signal and histogram wait until the signal EMA has seen `signal_period` MACD values.
    expect(out.signal![slow - 1]).toBeNaN();
    for (const t of [slow + sig - 2, 10, n - 1]) {
      const s = signalLine[t - (slow - 1)]!;
      expect(out.signal![t]).toBeCloseTo(s / close[t]!, 12);
      expect(out.histogram![t]).toBeCloseTo((macdLine[t]! - s) / close[t]!, 12);
    }
  });

  it('Bollinger bands with population std, %B and width', async () => {
    const p = 5;
    const k = 2;
    const out = await computeIndicator(bars, cfg('bbands', { period: p, std_dev: k }));
    expect(warmUp(out.middle!)).toBe(p - 1);
    for (const t of [p - 1, 8, n - 1]) {
      const w = window(close, t, p);
      const m = mean(w);
      const sd = Math.sqrt(mean(w.map((x) => (x - m) ** 2)));
      expect(out.middle![t]).toBeCloseTo(m, 12);
      expect(out.upper![t]).toBeCloseTo(m + k * sd, 12);
      expect(out.lower![t]).toBeCloseTo(m - k * sd, 12);
      expect(out.width![t]).toBeCloseTo((2 * k * sd) / m, 12);
      expect(out.percent_b![t]).toBeCloseTo((close[t]! - (m - k * sd)) / (2 * k * sd), 12);
    }
  });

  it('ATR (Wilder) and percent = ATR / close', async () => {
    const p = 4;
    const out = await computeIndicator(bars, cfg('atr', { period: p }));
    const tr = close.map((_, t) =>
      t === 0 ? high[0]! - low[0]! : Math.max(high[t]! - low[t]!, Math.abs(high[t]! - close[t - 1]!), Math.abs(low[t]! - close[t - 1]!)),
    );
    const atr: (number | null)[] = [];
    for (let t = 0; t < n; t++) {
      if (t < p - 1) atr.push(null);
      else if (t === p - 1) atr.push(mean(tr.slice(0, p)));
      else atr.push((atr[t - 1]! * (p - 1) + tr[t]!) / p);
    }
    expectSeries(out.value!, atr);
    expectSeries(
      out.percent!,
      atr.map((v, t) => (v === null ? null : v / close[t]!)),
    );
  });

  it('Stochastic %K (smoothed fast %K) and %D', async () => {
    const [kp, dp, sm] = [4, 3, 2];
    const out = await computeIndicator(bars, cfg('stochastic', { k_period: kp, d_period: dp, smooth: sm }));
    const fastK = close.map((c, t) => {
      if (t < kp - 1) return Number.NaN;
      const hh = Math.max(...window(high, t, kp));
      const ll = Math.min(...window(low, t, kp));
      return ((c - ll) / (hh - ll)) * 100;
    });
    const slowK = fastK.map((_, t) => (t < kp - 1 + sm - 1 ? Number.NaN : mean(window(fastK, t, sm))));
    const first = kp - 1 + sm - 1 + dp - 1;
    expect(warmUp(out.d!)).toBe(first);
    expect(warmUp(out.k!)).toBe(first);
    for (const t of [first, 10, n - 1]) {
      expect(out.k![t]).toBeCloseTo(slowK[t]!, 9);
      expect(out.d![t]).toBeCloseTo(mean(window(slowK, t, dp)), 9);
    }
  });

  it('CCI = (typical price - its SMA) / (0.015 × mean absolute deviation)', async () => {
    const p = 5;
    const out = await computeIndicator(bars, cfg('cci', { period: p }));
    const tp = close.map((c, t) => (high[t]! + low[t]! + c) / 3);
    expectSeries(
      out.value!,
      tp.map((x, t) => {
        if (t < p - 1) return null;
        const w = window(tp, t, p);
        const m = mean(w);
        return (x - m) / (0.015 * mean(w.map((v) => Math.abs(v - m))));
      }),
    );
  });

  it('OBV slope = OBV change over `period` bars / mean volume of those bars', async () => {
    const p = 3;
    const out = await computeIndicator(bars, cfg('obv', { period: p }));
    const obv: number[] = [0];
    for (let t = 1; t < n; t++) obv.push(obv[t - 1]! + Math.sign(close[t]! - close[t - 1]!) * volume[t]!);
    expectSeries(
      out.slope!,
      close.map((_, t) => (t < p ? null : (obv[t]! - obv[t - p]!) / mean(window(volume, t, p)))),
    );
  });

  it('ADX with +DI/-DI in 0-100: the first ADX is the mean of the first `period` DX values from those DIs', async () => {
    const p = 5;
    const b = randomBars(80, { seed: 3 });
    const out = await computeIndicator(b, cfg('adx', { period: p }));
    const diStart = warmUp(out.plus_di!);
    expect(warmUp(out.minus_di!)).toBe(diStart);
    const adxStart = warmUp(out.adx!);
    expect(adxStart).toBe(diStart + p - 1);
    // +DI = 100 × Wilder(+DM) / ATR, both smoothed over `period` with bar 0 as a zero move (the library's convention).
    const wilder = (xs: number[]): number[] => {
      const r: number[] = [];
      xs.forEach((x, t) => r.push(t < p - 1 ? Number.NaN : t === p - 1 ? mean(xs.slice(0, p)) : (r[t - 1]! * (p - 1) + x) / p));
      return r;
    };
    const [h, l, c] = [Array.from(b.high), Array.from(b.low), Array.from(b.close)];
    const plusDm = h.map((_, t) => (t === 0 ? 0 : h[t]! - h[t - 1]! > Math.max(l[t - 1]! - l[t]!, 0) ? h[t]! - h[t - 1]! : 0));
    const minusDm = h.map((_, t) => (t === 0 ? 0 : l[t - 1]! - l[t]! > Math.max(h[t]! - h[t - 1]!, 0) ? l[t - 1]! - l[t]! : 0));
    const tr = h.map((_, t) => (t === 0 ? h[0]! - l[0]! : Math.max(h[t]! - l[t]!, Math.abs(h[t]! - c[t - 1]!), Math.abs(l[t]! - c[t - 1]!))));
    const atr = wilder(tr);
    expect(diStart).toBe(p - 1);
    for (const t of [p - 1, 20, 79]) {
      expect(out.plus_di![t]).toBeCloseTo((100 * wilder(plusDm)[t]!) / atr[t]!, 9);
      expect(out.minus_di![t]).toBeCloseTo((100 * wilder(minusDm)[t]!) / atr[t]!, 9);
    }
    const dx = (t: number): number => (100 * Math.abs(out.plus_di![t]! - out.minus_di![t]!)) / (out.plus_di![t]! + out.minus_di![t]!);
    const dxs = Array.from({ length: p }, (_, i) => dx(diStart + i));
    expect(out.adx![adxStart]).toBeCloseTo(mean(dxs), 9);
    // Wilder's smoothing from there on.
    expect(out.adx![adxStart + 1]).toBeCloseTo((out.adx![adxStart]! * (p - 1) + dx(adxStart + 1)) / p, 9);
    for (const a of [out.adx!, out.plus_di!, out.minus_di!]) {
      for (const v of a) if (!Number.isNaN(v)) expect(v >= 0 && v <= 100).toBe(true);
    }
  });

  it('+DI beats -DI in a steady uptrend and the other way round in a downtrend', async () => {
    const up = Array.from({ length: 40 }, (_, i) => 100 + i);
    const upOut = await computeIndicator(barsFrom(up), cfg('adx', { period: 5 }));
    expect(upOut.plus_di![39]!).toBeGreaterThan(upOut.minus_di![39]!);
    const downOut = await computeIndicator(barsFrom(up.slice().reverse()), cfg('adx', { period: 5 }));
    expect(downOut.minus_di![39]!).toBeGreaterThan(downOut.plus_di![39]!);
  });

  it('flat prices give defined values where a ratio would be 0/0 (CCI 0, %B 0.5, OBV slope 0)', async () => {
    const flat = barsFrom(new Array(30).fill(50), { high: new Array(30).fill(50), low: new Array(30).fill(50) });
    expect((await computeIndicator(flat, cfg('cci', { period: 5 }))).value![29]).toBe(0);
    expect((await computeIndicator(flat, cfg('bbands', { period: 5 }))).percent_b![29]).toBe(0.5);
    expect((await computeIndicator(flat, cfg('obv', { period: 5 }))).slope![29]).toBe(0);
  });
});

describe('computeIndicators', () => {
  const all: Record<string, IndicatorConfig> = Object.fromEntries(INDICATOR_TYPES.map((t) => [`${t}_x`, cfg(t)]));
  const series = randomBars(300, { seed: 11 });

  it('returns every catalogue output of every indicator, aligned with the bars, NaN only during warm-up', async () => {
    const out = await computeIndicators(series, all);
    for (const type of INDICATOR_TYPES) {
      for (const output of INDICATOR_CATALOGUE[type].outputs) {
        const col = out[`${type}_x`]![output]!;
        expect(col).toHaveLength(300);
        const first = warmUp(col);
        expect(first).toBeGreaterThan(0);
        expect(first).toBeLessThan(60);
      }
    }
    // Default parameters give the textbook warm-ups.
    expect(warmUp(out.sma_x!.value!)).toBe(19);
    expect(warmUp(out.rsi_x!.value!)).toBe(14);
    expect(warmUp(out.roc_x!.value!)).toBe(10);
    expect(warmUp(out.macd_x!.signal!)).toBe(25 + 8);
  });

  it('has no look-ahead: on the series cut at bar k, every output up to k is identical', async () => {
    const full = await computeIndicators(series, all);
    for (const k of [0, 17, 60, 150, 298]) {
      const cut = await computeIndicators(head(series, k + 1), all);
      for (const [id, outputs] of Object.entries(full)) {
        for (const [name, values] of Object.entries(outputs)) {
          const part = cut[id]![name]!;
          expect(part).toHaveLength(k + 1);
          expect(Array.from(part)).toEqual(Array.from(values.subarray(0, k + 1)));
        }
      }
    }
  });

  it('stops with CancelledError when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(computeIndicators(series, all, controller.signal)).rejects.toBeInstanceOf(CancelledError);
  });
});
