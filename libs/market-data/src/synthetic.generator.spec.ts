import { REGIMES, SYNTHETIC_ORIGIN_MS, generateSyntheticSeries, syntheticBarCount } from './synthetic.generator';
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
