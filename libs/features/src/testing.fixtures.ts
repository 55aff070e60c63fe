import { parseStrategy, seededRandom, TIMEFRAME_MS, type StrategyConfig, type Timeframe } from '@ktrdr/agent-domain';
import type { Bars } from '@ktrdr/market-data';

/**
 * Fixtures for this lib's tests only (excluded from the build): small deterministic bar series (a
 * seeded random walk with consistent OHLC, aggregation, truncation) and strategy configs. Kept here
 * rather than borrowed from libs/market-data so the feature tests pin their own inputs.
 */

export function randomBars(n: number, opts: { seed?: number; timeframe?: Timeframe; start?: number; symbol?: string; vol?: number } = {}): Bars {
  const tf = opts.timeframe ?? '1d';
  const rand = seededRandom(opts.seed ?? 1);
  const vol = opts.vol ?? 0.015;
  const start = opts.start ?? Date.UTC(2020, 0, 1);
  const b = emptyBars(n, opts.symbol ?? 'TEST', tf);
  let price = 100;
  for (let i = 0; i < n; i++) {
    const open = price;
    // Slow regime drift so both up and down swings of a few percent occur.
    const drift = Math.sin(i / 40) * vol * 0.4;
    const close = open * Math.exp(drift + (rand() - 0.5) * 2 * vol);
    const high = Math.max(open, close) * (1 + rand() * vol * 0.5);
    const low = Math.min(open, close) * (1 - rand() * vol * 0.5);
    b.time[i] = start + i * TIMEFRAME_MS[tf];
    b.open[i] = open;
    b.high[i] = high;
    b.low[i] = low;
    b.close[i] = close;
    b.volume[i] = Math.round(1000 + rand() * 9000);
    price = close;
  }
  return b;
}

export function emptyBars(n: number, symbol: string, timeframe: Timeframe): Bars {
  return {
    symbol,
    timeframe,
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
}

/** Bars from plain arrays (closes required; OHLV default around the close). */
export function barsFrom(close: number[], opts: { high?: number[]; low?: number[]; volume?: number[]; timeframe?: Timeframe } = {}): Bars {
  const tf = opts.timeframe ?? '1d';
  const b = emptyBars(close.length, 'TEST', tf);
  close.forEach((c, i) => {
    b.time[i] = Date.UTC(2020, 0, 1) + i * TIMEFRAME_MS[tf];
    b.open[i] = i > 0 ? close[i - 1]! : c;
    b.close[i] = c;
    b.high[i] = opts.high?.[i] ?? c + 1;
    b.low[i] = opts.low?.[i] ?? c - 1;
    b.volume[i] = opts.volume?.[i] ?? 1000;
  });
  return b;
}

/** The first `n` bars. */
export function head(b: Bars, n: number): Bars {
  return {
    symbol: b.symbol,
    timeframe: b.timeframe,
    time: b.time.slice(0, n),
    open: b.open.slice(0, n),
    high: b.high.slice(0, n),
    low: b.low.slice(0, n),
    close: b.close.slice(0, n),
    volume: b.volume.slice(0, n),
  };
}

/**
 * Finer bars grouped into `tf` bars by open time (epoch-aligned buckets). A bucket the data ends
 * inside becomes a partial bar, as a data source would report the bar in progress.
 */
export function aggregate(b: Bars, tf: Timeframe): Bars {
  const ms = TIMEFRAME_MS[tf];
  const groups: number[][] = [];
  let key = Number.NaN;
  for (let i = 0; i < b.time.length; i++) {
    const k = Math.floor(b.time[i]! / ms);
    if (k !== key) groups.push([]);
    key = k;
    groups[groups.length - 1]!.push(i);
  }
  const out = emptyBars(groups.length, b.symbol, tf);
  groups.forEach((g, j) => {
    const first = g[0]!;
    const last = g[g.length - 1]!;
    out.time[j] = Math.floor(b.time[first]! / ms) * ms;
    out.open[j] = b.open[first]!;
    out.close[j] = b.close[last]!;
    out.high[j] = Math.max(...g.map((i) => b.high[i]!));
    out.low[j] = Math.min(...g.map((i) => b.low[i]!));
    out.volume[j] = g.reduce((s, i) => s + b.volume[i]!, 0);
  });
  return out;
}

/**
 * A valid strategy: v3_minimal's shape, with any top-level part replaced. Plain objects go through
 * the real schema (StrategyInput's fuzzy-set type, an index signature beside `indicator: string`,
 * does not accept object literals).
 */
export function strategy(overrides: Record<string, unknown> = {}): StrategyConfig {
  const input: Record<string, unknown> = {
    name: 'v3_minimal_like',
    training_data: { symbols: ['SP500'], timeframes: ['1d'], date_range: { start: '2005-01-01', end: '2016-12-31' } },
    indicators: { rsi_14: { type: 'rsi', period: 14 }, sma_fast: { type: 'sma', period: 10 }, sma_slow: { type: 'sma', period: 50 } },
    fuzzy_sets: {
      rsi_14: {
        indicator: 'rsi_14',
        oversold: { type: 'triangular', parameters: [0, 20, 35] },
        neutral: { type: 'triangular', parameters: [30, 50, 70] },
        overbought: { type: 'triangular', parameters: [65, 80, 100] },
      },
    },
    nn_inputs: [{ fuzzy_set: 'rsi_14', timeframes: ['1d'] }],
    model: {
      type: 'mlp',
      architecture: { hidden_layers: [16, 8], activation: 'relu', dropout: 0.1 },
      training: { learning_rate: 0.001, batch_size: 64, epochs: 50 },
    },
    training: { labels: { source: 'zigzag', zigzag_threshold: 0.03, label_lookahead: 20 }, data_split: { train: 0.7, validation: 0.15, test: 0.15 } },
    backtest: { date_range: { start: '2017-01-01', end: '2020-04-17' } },
    ...overrides,
  };
  const parsed = parseStrategy(input);
  if (!parsed.ok) throw new Error(`fixture strategy invalid: ${parsed.errors.join('; ')}`);
  return parsed.config;
}
