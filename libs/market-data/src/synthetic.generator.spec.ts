import { REGIMES, SYNTHETIC_ORIGIN_MS, generateSyntheticSeries, syntheticBarCount, syntheticFamily } from './synthetic.generator';
import type { Bars } from './bars.types';

function logReturns(close: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 1; i < close.length; i++) out.push(Math.log(close[i]! / close[i - 1]!));
  return out;
}
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
function moments(xs: readonly number[]): { sd: number; kurtosis: number } {
  const m = mean(xs);
  const v = mean(xs.map((x) => (x - m) ** 2));
  return { sd: Math.sqrt(v), kurtosis: mean(xs.map((x) => (x - m) ** 4)) / (v * v) };
}
function corr(a: readonly number[], b: readonly number[]): number {
  const ma = mean(a);
  const mb = mean(b);
  let s = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    s += (a[i]! - ma) * (b[i]! - mb);
    sa += (a[i]! - ma) ** 2;
    sb += (b[i]! - mb) ** 2;
  }
  return s / Math.sqrt(sa * sb);
}

function expectSaneBars(bars: Bars): void {
  let bad = 0;
  for (let i = 0; i < bars.time.length; i++) {
    const o = bars.open[i]!;
    const c = bars.close[i]!;
    const ok =
      bars.high[i]! >= Math.max(o, c) &&
      bars.low[i]! <= Math.min(o, c) &&
      bars.low[i]! > 0 &&
      bars.volume[i]! >= 0 &&
      Number.isInteger(bars.volume[i]!) &&
      (i === 0 || bars.time[i]! > bars.time[i - 1]!) &&
      ![0, 6].includes(new Date(bars.time[i]!).getUTCDay());
    if (!ok) bad += 1;
  }
  expect(bad).toBe(0);
}

describe('synthetic series', () => {
  const h1 = generateSyntheticSeries('SYNTH_TEST', '1h');

  it('is the same for the same symbol and different for another symbol or seed', () => {
    const again = generateSyntheticSeries('SYNTH_TEST', '1h');
    expect(again.bars.close).toEqual(h1.bars.close);
    expect(again.bars.volume).toEqual(h1.bars.volume);
    expect(generateSyntheticSeries('SYNTH_OTHER', '1h').bars.close[100]).not.toBe(h1.bars.close[100]);
    expect(generateSyntheticSeries('SYNTH_TEST', '1h', 7).bars.close[100]).not.toBe(h1.bars.close[100]);
  });

  it('covers weekdays, 24 bars a day, from 2015-01-01', () => {
    expect(h1.bars.time[0]).toBe(SYNTHETIC_ORIGIN_MS);
    expect(h1.bars.time.length).toBe(syntheticBarCount('1h'));
    expect(h1.bars.time.length).toBeGreaterThan(70_000);
    expect(h1.bars.time[24]! - h1.bars.time[0]!).toBe(86_400_000);
  });

  it.each(['1h', '4h', '1d'] as const)('keeps every %s bar consistent (high/low enclose open/close, positive, increasing, weekdays)', (tf) => {
    expectSaneBars(generateSyntheticSeries('SYNTH_TEST', tf).bars);
  });

  it('builds 4h and 1d bars from the 1h bars of the same symbol', () => {
    const h4 = generateSyntheticSeries('SYNTH_TEST', '4h').bars;
    const d1 = generateSyntheticSeries('SYNTH_TEST', '1d').bars;
    const j = 1234;
    const hours = Array.from({ length: 4 }, (_, k) => 4 * j + k);
    expect(h4.time[j]).toBe(h1.bars.time[4 * j]);
    expect(h4.open[j]).toBe(h1.bars.open[4 * j]);
    expect(h4.close[j]).toBe(h1.bars.close[4 * j + 3]);
    expect(h4.high[j]).toBe(Math.max(...hours.map((i) => h1.bars.high[i]!)));
    expect(h4.low[j]).toBe(Math.min(...hours.map((i) => h1.bars.low[i]!)));
    expect(h4.volume[j]).toBe(hours.reduce((s, i) => s + h1.bars.volume[i]!, 0));
    expect(d1.close[100]).toBe(h1.bars.close[100 * 24 + 23]);
    expect(new Date(d1.time[100]!).getUTCHours()).toBe(0);
  });

  it('has fat tails: kurtosis of 1h log returns above 3', () => {
    expect(moments(logReturns(h1.bars.close)).kurtosis).toBeGreaterThan(3);
  });

  it('switches between regimes that really differ in drift and volatility', () => {
    const r = logReturns(h1.bars.close);
    const by = REGIMES.map((_, g) => r.filter((_x, i) => h1.regimes[i + 1] === g && h1.regimes[i] === g));
    for (const rs of by) expect(rs.length).toBeGreaterThan(1000);
    const [bull, bear, sideways] = by.map((rs) => ({ ...moments(rs), mean: mean(rs) }));
    expect(bear!.sd).toBeGreaterThan(1.5 * bull!.sd);
    expect(sideways!.sd).toBeGreaterThan(bull!.sd);
    expect(bull!.mean).toBeGreaterThan(bear!.mean);
    // Several regime spells, not one switch.
    let switches = 0;
    for (let i = 1; i < h1.regimes.length; i++) if (h1.regimes[i] !== h1.regimes[i - 1]) switches += 1;
    expect(switches).toBeGreaterThan(10);
  });

  it('trades more volume on bigger moves', () => {
    const r = logReturns(h1.bars.close).map(Math.abs);
    const v = Array.from(h1.bars.volume.slice(1));
    expect(corr(r, v)).toBeGreaterThan(0.3);
  });
});

/**
 * The planted edge of SYNTH_EDGE_ (mean reversion to the recent mean) as a trader would measure it:
 * after a close stretched below its recent mean, the mean forward log return, over triggers at
 * least `horizon` bars apart (so the samples do not overlap), in standard errors.
 */
function afterStretch(close: Float64Array, lookback: number, horizon: number, stretch: number): { t: number; n: number; mean: number } {
  const x = Array.from(close, Math.log);
  const out: number[] = [];
  for (let i = lookback; i + horizon < x.length;) {
    let m = 0;
    for (let j = i - lookback + 1; j <= i; j++) m += x[j]! / lookback;
    if (x[i]! - m < -stretch) {
      out.push(x[i + horizon]! - x[i]!);
      i += horizon;
    } else i += 1;
  }
  const { sd } = moments(out);
  return { t: mean(out) / (sd / Math.sqrt(out.length)), n: out.length, mean: mean(out) };
}

function lag1(xs: readonly number[]): number {
  return corr(xs.slice(1), xs.slice(0, -1));
}

describe('learning-test families', () => {
  it('SYNTH_EDGE_ and SYNTH_WALK_ need a name after the prefix; other SYNTH_ symbols keep the regimes', () => {
    expect(syntheticFamily('SYNTH_EDGE_A')).toBe('edge');
    expect(syntheticFamily('SYNTH_WALK_A')).toBe('walk');
    expect(syntheticFamily('SYNTH_EDGE')).toBe('regimes');
    expect(syntheticFamily('SYNTH_WALKER')).toBe('regimes');
    expect(syntheticFamily('SYNTH_TEST')).toBe('regimes');
  });

  it('leaves the regime-switching series as they were, bar for bar', () => {
    // Values of the generator before the two families existed.
    const h1 = generateSyntheticSeries('SYNTH_TEST', '1h').bars.close;
    expect(h1[1000]).toBe(190.2657);
    expect(h1[h1.length - 1]).toBe(434.2736);
    expect(generateSyntheticSeries('SYNTH_WALKER', '1d').bars.close[1000]).toBe(108.0532);
  });

  it.each(['SYNTH_EDGE_A', 'SYNTH_WALK_A'])('%s is seeded, consistent on every timeframe and has no regimes', (symbol) => {
    const a = generateSyntheticSeries(symbol, '1h');
    expect(generateSyntheticSeries(symbol, '1h').bars.close).toEqual(a.bars.close);
    expect(generateSyntheticSeries(symbol, '1h', 3).bars.close[500]).not.toBe(a.bars.close[500]);
    expect(a.regimes.every((r) => r === 2)).toBe(true);
    for (const tf of ['1h', '4h', '1d'] as const) expectSaneBars(generateSyntheticSeries(symbol, tf).bars);
    expect(generateSyntheticSeries(symbol, '1d').bars.close[100]).toBe(a.bars.close[100 * 24 + 23]);
    expect(moments(logReturns(a.bars.close)).kurtosis).toBeGreaterThan(3);
  });

  it('SYNTH_EDGE_ reverts after a stretch below its recent mean, by many standard errors; SYNTH_WALK_ does not', () => {
    for (const name of ['A', 'B', 'C']) {
      const edge = generateSyntheticSeries(`SYNTH_EDGE_${name}`, '1h').bars.close;
      const walk = generateSyntheticSeries(`SYNTH_WALK_${name}`, '1h').bars.close;
      // A close 1 % below its 5-day mean, the next day's return.
      const e = afterStretch(edge, 120, 24, 0.01);
      const w = afterStretch(walk, 120, 24, 0.01);
      expect(e.n).toBeGreaterThan(300);
      expect(e.t).toBeGreaterThan(8);
      // More than a round trip's cost (0.3 %) on average.
      expect(e.mean).toBeGreaterThan(0.003);
      expect(Math.abs(w.t)).toBeLessThan(3);
      // On daily bars too: the close 1 % below its 5-day mean, the next 5 days.
      const ed = afterStretch(generateSyntheticSeries(`SYNTH_EDGE_${name}`, '1d').bars.close, 5, 5, 0.01);
      const wd = afterStretch(generateSyntheticSeries(`SYNTH_WALK_${name}`, '1d').bars.close, 5, 5, 0.01);
      expect(ed.t).toBeGreaterThan(4);
      expect(Math.abs(wd.t)).toBeLessThan(3);
    }
  });

  it('SYNTH_WALK_ has zero drift and constant volatility; SYNTH_EDGE_ shows its reversion as negative autocorrelation', () => {
    for (const name of ['A', 'B', 'C']) {
      const r = logReturns(generateSyntheticSeries(`SYNTH_WALK_${name}`, '1h').bars.close);
      const { sd } = moments(r);
      expect(Math.abs(mean(r)) / (sd / Math.sqrt(r.length))).toBeLessThan(3);
      // Each year's mean absolute return within 5 % of the whole span's (the standard deviation of
      // Student-t(4) draws is itself too noisy a year at a time to show it).
      const perYear = 260 * 24;
      const absMean = (xs: readonly number[]): number => mean(xs.map(Math.abs));
      const all = absMean(r);
      for (let y = 0; y + perYear <= r.length; y += perYear) {
        expect(Math.abs(absMean(r.slice(y, y + perYear)) / all - 1)).toBeLessThan(0.05);
      }
      const daily = (symbol: string): number[] => logReturns(generateSyntheticSeries(symbol, '1d').bars.close);
      expect(Math.abs(lag1(daily(`SYNTH_WALK_${name}`)))).toBeLessThan(0.06);
      expect(lag1(daily(`SYNTH_EDGE_${name}`))).toBeLessThan(-0.1);
    }
  });
});
