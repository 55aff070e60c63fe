import { parseStrategy, parseStrategyYaml, splitIndicatorRef, strategyToYaml, type StrategyConfig } from '@ktrdr/agent-domain';
import { CancelledError } from '@ktrdr/errors';
import type { AvailableData, DesignInput, RecentStrategy } from './llm.types';
import { OfflineDesigner, designOffline, readBrief } from './offline.designer';
import { OUTPUT_RANGES, PRIMARY_OUTPUT } from './offline.ranges';
import { DEFAULT_SYNTHETIC_SYMBOL } from './offline.windows';

/** What the market-data listing serves: the built-in sample and the synthetic family. */
const LISTING: AvailableData[] = [
  { symbol: 'SP500', timeframe: '1d', start: '2000-01-03T00:00:00.000Z', end: '2020-04-17T00:00:00.000Z' },
  { symbol: 'SYNTH_*', timeframe: '1h', start: '2015-01-01T00:00:00.000Z', end: '2026-12-31T23:00:00.000Z' },
  { symbol: 'SYNTH_*', timeframe: '4h', start: '2015-01-01T00:00:00.000Z', end: '2026-12-31T20:00:00.000Z' },
  { symbol: 'SYNTH_*', timeframe: '1d', start: '2015-01-01T00:00:00.000Z', end: '2026-12-31T00:00:00.000Z' },
];

const input = (brief: string | null, seed = 1, recent: RecentStrategy[] = [], availableData = LISTING): DesignInput => ({
  model: 'claude-sonnet-5-5',
  brief,
  availableData,
  recent,
  seed,
});

const types = (c: StrategyConfig): string[] => Object.values(c.indicators).map((i) => i.type);
const day = (s: string): number => Date.parse(s.slice(0, 10));

const BRIEFS = [
  null,
  'RSI mean reversion',
  'MACD trend following on daily SP500',
  'momentum with rate of change and volume',
  'volatility breakout with Bollinger bands and ATR',
  'trend on SYNTH_TREND 1h',
  'hourly mean reversion, long/short',
  'stochastic oversold bounce on 4h SYNTH_ALPHA',
  'williams %R and CCI on weekly bars',
  '15m scalping with EMA',
  'ADX trend strength with OBV on SYNTH_VOL daily',
  'something completely different',
];

describe('offline designer', () => {
  it('is reproducible: the same seed, brief and recent give the same strategy', () => {
    const recent: RecentStrategy[] = [{ name: 'x', verdict: 'mediocre', metrics: { sharpe_ratio: 0.2 }, indicators: ['rsi'] }];
    expect(designOffline(input('RSI trend', 7, recent))).toEqual(designOffline(input('RSI trend', 7, recent)));
    const names = new Set(Array.from({ length: 10 }, (_, seed) => designOffline(input('RSI trend', seed)).name));
    expect(names.size).toBeGreaterThan(5);
  });

  it('produces valid, small, trainable strategies over many seeds and briefs', () => {
    for (const brief of BRIEFS) {
      for (let seed = 0; seed < 25; seed++) {
        const c = designOffline(input(brief, seed));
        // Valid as an object and after a round trip through the YAML file the caller writes.
        expect(parseStrategy(c)).toMatchObject({ ok: true });
        expect(parseStrategyYaml(strategyToYaml(c))).toMatchObject({ ok: true });
        expect(c.name).toMatch(/^offline_[a-z_]+_[0-9a-f]{8}$/);
        expect(Math.max(...c.model.architecture.hidden_layers)).toBeLessThanOrEqual(32);
        expect(c.model.training.epochs).toBeLessThanOrEqual(40);
        expect(c.model.training.batch_size).toBe(64);
        expect(Object.keys(c.indicators).length).toBeGreaterThanOrEqual(2);
        expect(Object.keys(c.indicators).length).toBeLessThanOrEqual(4);
        // Windows inside the data the listing serves for that symbol/timeframe.
        const [symbol] = c.training_data.symbols;
        const [tf] = c.training_data.timeframes;
        const entry = LISTING.find((a) => (a.symbol === symbol || (a.symbol === 'SYNTH_*' && symbol!.startsWith('SYNTH_'))) && a.timeframe === tf);
        expect(entry).toBeDefined();
        expect(day(c.training_data.date_range.start)).toBeGreaterThanOrEqual(day(entry!.start) - 7 * 86_400_000);
        expect(day(c.backtest.date_range.end)).toBeLessThanOrEqual(day(entry!.end));
      }
    }
  });

  it("places every fuzzy set on its indicator output's real range", () => {
    for (const brief of BRIEFS) {
      for (let seed = 0; seed < 10; seed++) {
        const c = designOffline(input(brief, seed));
        for (const fs of Object.values(c.fuzzy_sets)) {
          const { id } = splitIndicatorRef(fs.indicator);
          const type = c.indicators[id]!.type;
          const [lo, hi] = OUTPUT_RANGES[`${type}.${PRIMARY_OUTPUT[type]}`]!.bounds;
          const sets = Object.entries(fs)
            .filter(([k]) => k !== 'indicator')
            .map(([, m]) => m as { type: string; parameters: number[] });
          expect(sets).toHaveLength(3);
          const pad = (hi - lo) * 0.02;
          for (const m of sets)
            for (const p of m.parameters.slice(0, m.type === 'gaussian' ? 1 : undefined)) {
              expect(p).toBeGreaterThanOrEqual(lo - pad);
              expect(p).toBeLessThanOrEqual(hi + pad);
            }
          // The outer sets reach both ends of the range: no value is left without a membership.
          expect(sets[0]!.parameters[1]).toBeLessThanOrEqual(lo);
          expect(sets[2]!.parameters[2]).toBeGreaterThanOrEqual(hi);
        }
        const rsi = Object.entries(c.fuzzy_sets).find(([k]) => k.startsWith('rsi_'));
        if (rsi) {
          const oversold = rsi[1]['oversold'] as { parameters: number[] };
          expect(oversold.parameters[2]).toBeGreaterThan(15);
          expect(oversold.parameters[2]).toBeLessThan(40);
        }
      }
    }
  });

  it('defaults to SP500 daily with a first training window 2000-2007 and the walk-forward backtest 2008 to the last bar', () => {
    const c = designOffline(input(null));
    expect(c.training_data).toMatchObject({ symbols: ['SP500'], timeframes: ['1d'], date_range: { start: '2000-01-01', end: '2007-12-31' } });
    expect(c.backtest.date_range).toEqual({ start: '2008-01-01', end: '2020-04-17' });
    expect(c.decisions.position_mode).toBe('long_only');
  });

  it('follows the brief: theme, indicators, symbol, timeframe and shorting', () => {
    const rsi = designOffline(input('RSI mean reversion'));
    expect(types(rsi)[0]).toBe('rsi');
    expect(rsi.name).toMatch(/^offline_rsi_reversion_/);

    const macd = designOffline(input('MACD trend'));
    expect(types(macd)).toContain('macd');
    expect(macd.name).toMatch(/_trend_/);

    const vol = designOffline(input('trade volatility regimes'));
    expect(vol.name).toMatch(/_volatility_/);
    expect(types(vol).some((t) => ['atr', 'bbands', 'adx'].includes(t))).toBe(true);

    const synth = designOffline(input('trend on SYNTH_TREND 1h'));
    expect(synth.training_data).toMatchObject({ symbols: ['SYNTH_TREND'], timeframes: ['1h'], date_range: { start: '2023-01-01', end: '2023-06-30' } });
    expect(synth.backtest.date_range).toEqual({ start: '2023-07-01', end: '2024-03-31' });
    // Hourly swings are smaller than daily ones, and so are the labels' and the sets' scales.
    expect(synth.training.labels.zigzag_threshold).toBeLessThan(0.02);

    const hourly = designOffline(input('hourly mean reversion, long/short'));
    expect(hourly.training_data).toMatchObject({ symbols: [DEFAULT_SYNTHETIC_SYMBOL], timeframes: ['1h'] });
    expect(hourly.decisions.position_mode).toBe('long_short');

    // No 15m data anywhere: the nearest timeframe that exists.
    expect(designOffline(input('15m scalping with EMA')).training_data.timeframes).toEqual(['1h']);
    // SP500 only has daily bars.
    expect(designOffline(input('SP500 hourly RSI')).training_data).toMatchObject({ symbols: ['SP500'], timeframes: ['1d'] });
  });

  it('uses an imported data set named in the brief, inside its span', () => {
    const available: AvailableData[] = [...LISTING, { symbol: 'EURUSD', timeframe: '1h', start: '2019-01-01T00:00:00Z', end: '2021-06-30T23:00:00Z' }];
    const c = designOffline(input('EURUSD momentum', 3, [], available));
    expect(c.training_data).toMatchObject({ symbols: ['EURUSD'], timeframes: ['1h'] });
    expect(day(c.training_data.date_range.start)).toBeGreaterThanOrEqual(Date.parse('2019-01-01'));
    expect(day(c.backtest.date_range.end)).toBeLessThanOrEqual(Date.parse('2021-06-30'));
    expect(day(c.backtest.date_range.start)).toBeGreaterThan(day(c.training_data.date_range.end));
  });

  it('never repeats the indicator set of a strategy judged poor', () => {
    for (let seed = 0; seed < 20; seed++) {
      const first = designOffline(input('RSI mean reversion', seed));
      const poor: RecentStrategy = { name: first.name, verdict: 'poor', metrics: { sharpe_ratio: -0.9 }, indicators: types(first) };
      const next = designOffline(input('RSI mean reversion', seed, [poor]));
      expect([...types(next)].sort()).not.toEqual([...types(first)].sort());
      expect(types(next)).toContain('rsi'); // still what the brief asked for
    }
    // Even when the brief pins the whole set down, the poor set is not repeated.
    const pinned = designOffline(input('RSI and MACD', 1));
    const pinnedPoor: RecentStrategy = { name: 'p', verdict: 'poor', metrics: {}, indicators: types(pinned) };
    const other = designOffline(input('RSI and MACD', 1, [pinnedPoor, { name: 'q', verdict: 'poor', metrics: {}, indicators: ['rsi', 'macd'] }]));
    expect([...types(other)].sort()).not.toEqual(['macd', 'rsi']);
    expect([...types(other)].sort()).not.toEqual([...types(pinned)].sort());
  });

  it("reads the brief's words", () => {
    expect(readBrief('Use MACD and RSI for a trend idea on hourly SYNTH_abc bars', [])).toEqual({
      theme: 'trend',
      indicators: ['macd', 'rsi'],
      symbol: 'SYNTH_ABC',
      timeframe: '1h',
      allowShort: false,
    });
    expect(readBrief(null, [])).toEqual({ theme: null, indicators: [], symbol: null, timeframe: null, allowShort: false });
  });

  it('reports no usage or cost, and honours a cancelled signal', async () => {
    const d = new OfflineDesigner();
    const out = await d.design(input('RSI'), { signal: new AbortController().signal });
    expect(out).toMatchObject({ source: 'offline', model: null, usage: { input_tokens: 0, output_tokens: 0 }, cost_usd: 0, turns: 0 });
    const ac = new AbortController();
    ac.abort();
    await expect(d.design(input('RSI'), { signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
  });
});
