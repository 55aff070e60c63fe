import { createHash } from 'node:crypto';
import {
  IDEA_THEMES,
  INDICATOR_TYPES,
  THEME_INDICATORS,
  TIMEFRAMES,
  TIMEFRAME_MS,
  defaultOutput,
  hashString,
  parseStrategy,
  strategyContentHash,
  throwIfAborted,
  type IdeaTheme,
  type IndicatorType,
  type StrategyConfig,
  type Timeframe,
} from '@ktrdr/agent-domain';
import {
  ACTIVATIONS,
  CONFIDENCE_THRESHOLDS,
  DROPOUTS,
  HIDDEN_LAYERS,
  LEARNING_RATES,
  SET_MIDDLES,
  SET_SPREADS,
  labelText,
  labelsOf,
  searchCampaign,
  timeframeScale,
  type Genome,
} from './campaign.search.js';
import type { AvailableData, CallOptions, CampaignDesignContext, DesignInput, DesignOutcome, RecentStrategy, StrategyDesigner } from './llm.types.js';
import { OUTPUT_RANGES, PARAM_VARIANTS, PRIMARY_OUTPUT, type OutputRange } from './offline.ranges.js';
import { isSyntheticSymbol } from '@ktrdr/market-data';
import {
  DEFAULT_SYMBOL,
  DEFAULT_SYNTHETIC_SYMBOL,
  DEFAULT_TIMEFRAME,
  listedTimeframes,
  nearestSyntheticTimeframe,
  servable,
  windowsFor,
  type Windows,
} from './offline.windows.js';
import { SeededRandom } from './seeded.random.js';

/**
 * The designer used without an API key: composes a valid, trainable strategy from the indicator
 * catalogue. Deterministic — the same seed, brief and recent strategies give the same strategy —
 * and steered by the brief's words (a theme such as "mean reversion", "trend", "momentum" or
 * "volatility"; indicator names such as RSI or MACD; a symbol such as SP500 or SYNTH_*; a
 * timeframe such as 1h or "daily"; "short" allows short positions) and by history: it never
 * repeats the indicator set of a strategy judged poor. Inside a campaign (`input.campaign`) it
 * designs the campaign's next trial instead: campaign.search.ts chooses, designCampaign renders.
 */

/** The indicator themes (their pools: THEME_INDICATORS in the domain, shared with ideaFamily). */
export type Theme = IdeaTheme;
const THEME_LABEL: Readonly<Record<Theme, string>> = { mean_reversion: 'reversion', trend: 'trend', momentum: 'momentum', volatility: 'volatility' };
const THEME_TEXT: Readonly<Record<Theme, string>> = {
  mean_reversion: 'stretched readings tend to revert',
  trend: 'established trends tend to persist',
  momentum: 'strong recent moves tend to continue',
  volatility: 'volatility regimes shift the odds of the next swing',
};

const THEME_WORDS: readonly [RegExp, Theme][] = [
  [/\bmean[\s-]?revers|\brevers|\bover(sold|bought)\b|\brange[\s-]?bound|\bcontrarian/i, 'mean_reversion'],
  [/\btrend|\bbreakout|\bmoving averages?\b|\bcrossover/i, 'trend'],
  [/\bmomentum|\brate of change\b|\bvolume\b/i, 'momentum'],
  [/\bvolatil|\bbollinger squeeze|\brange expansion|\batr\b/i, 'volatility'],
];

const INDICATOR_WORDS: readonly [RegExp, IndicatorType][] = [
  [/\brsi\b|relative strength/i, 'rsi'],
  [/\bmacd\b/i, 'macd'],
  [/\bbollinger|\bbbands?\b|%b\b/i, 'bbands'],
  [/\batr\b|average true range/i, 'atr'],
  [/\bstoch/i, 'stochastic'],
  [/\bcci\b|commodity channel/i, 'cci'],
  [/\bwilliams|%r\b/i, 'williams_r'],
  [/\badx\b|directional/i, 'adx'],
  [/\bobv\b|on[\s-]balance/i, 'obv'],
  [/\bsma\b|simple moving/i, 'sma'],
  [/\bema\b|exponential moving/i, 'ema'],
  [/\broc\b|rate of change/i, 'roc'],
];

const TIMEFRAME_WORDS: readonly [RegExp, Timeframe][] = [
  [/\b(hourly|1\s?h(our)?|60\s?m(in)?)\b/i, '1h'],
  [/\b(4\s?h(our)?|four[\s-]hour)\b/i, '4h'],
  [/\b(daily|1\s?d(ay)?|end[\s-]of[\s-]day)\b/i, '1d'],
  [/\b(weekly|1\s?w(eek)?)\b/i, '1w'],
  [/\b30\s?m(in)?\b/i, '30m'],
  [/\b15\s?m(in)?\b/i, '15m'],
  [/\b5\s?m(in)?\b/i, '5m'],
  [/\b1\s?m(in)?\b|\bminute bars?\b/i, '1m'],
];

export interface BriefIntent {
  theme: Theme | null;
  indicators: IndicatorType[];
  symbol: string | null;
  timeframe: Timeframe | null;
  allowShort: boolean;
}

/** What the brief asks for, by keyword (first theme and timeframe named win; indicators in order of mention). */
export function readBrief(brief: string | null, available: DesignInput['availableData']): BriefIntent {
  const text = brief ?? '';
  const theme = firstMatch(text, THEME_WORDS);
  const indicators = INDICATOR_WORDS.map(([re, type]) => ({ type, at: text.search(re) }))
    .filter((m) => m.at >= 0)
    .sort((a, b) => a.at - b.at)
    .map((m) => m.type)
    .filter((t, i, all) => all.indexOf(t) === i);
  const timeframe = firstMatch(text, TIMEFRAME_WORDS);
  let symbol: string | null = null;
  const synth = /\bSYNTH_[A-Za-z0-9_]{1,24}\b/.exec(text);
  if (synth) symbol = synth[0].toUpperCase();
  else if (/\bS\s?&\s?P\s?500\b|\bSP\s?500\b|\bSPX\b/i.test(text)) symbol = DEFAULT_SYMBOL;
  else {
    const words = new Set(text.toUpperCase().split(/[^A-Z0-9^._-]+/));
    symbol = available.find((a) => words.has(a.symbol.toUpperCase()))?.symbol ?? null;
  }
  return { theme, indicators, symbol, timeframe, allowShort: /\bshort(s|ing)?\b|long[\s/-]short/i.test(text) };
}

function firstMatch<T>(text: string, table: readonly [RegExp, T][]): T | null {
  let best: { at: number; value: T } | null = null;
  for (const [re, value] of table) {
    const at = text.search(re);
    if (at >= 0 && (!best || at < best.at)) best = { at, value };
  }
  return best?.value ?? null;
}

/** The (symbol, timeframe) to use: what the brief asked for when data exists for it, else the nearest that does. */
export function chooseMarket(intent: BriefIntent, available: DesignInput['availableData']): { symbol: string; timeframe: Timeframe } {
  const { symbol, timeframe } = intent;
  if (symbol && timeframe && servable(symbol, timeframe, available)) return { symbol, timeframe };
  if (symbol) {
    if (isSyntheticSymbol(symbol)) return { symbol, timeframe: timeframe ? nearestSyntheticTimeframe(timeframe) : '1h' };
    const listed = listedTimeframes(symbol, available);
    if (listed.length) return { symbol, timeframe: timeframe && listed.includes(timeframe) ? timeframe : listed[0]! };
    if (symbol === DEFAULT_SYMBOL) return { symbol, timeframe: DEFAULT_TIMEFRAME };
  }
  if (timeframe) {
    if (servable(DEFAULT_SYMBOL, timeframe, available)) return { symbol: DEFAULT_SYMBOL, timeframe };
    const other = available.find((a) => a.timeframe === timeframe && a.symbol !== 'SYNTH_*');
    if (other) return { symbol: other.symbol, timeframe };
    return { symbol: DEFAULT_SYNTHETIC_SYMBOL, timeframe: nearestSyntheticTimeframe(timeframe) };
  }
  return { symbol: DEFAULT_SYMBOL, timeframe: DEFAULT_TIMEFRAME };
}

/** Indicator sets (sorted types) of recent strategies judged poor. */
function poorSets(recent: readonly RecentStrategy[]): Set<string> {
  return new Set(recent.filter((r) => r.verdict === 'poor' && r.indicators?.length).map((r) => signature(r.indicators!)));
}
const signature = (types: readonly string[]): string => [...new Set(types)].sort().join('+');

const round = (v: number, digits = 4): number => Number(v.toPrecision(digits));

/**
 * Low / middle / high membership sets across the output's real range; the outer sets reach past its
 * bounds. `spread` widens (> 1) or narrows the low and high sets around the middle one.
 */
function membershipSets(range: OutputRange, scale: number, spread: number, middleShape: 'triangular' | 'gaussian'): Record<string, unknown> {
  const [lo, hi] = range.bounds;
  const [p0, p1, p2] = range.points;
  const mid = p1 * scale;
  const low = Math.max(lo + (hi - lo) * 1e-4, mid + (p0 * scale - mid) * spread);
  const high = Math.min(hi - (hi - lo) * 1e-4, mid + (p2 * scale - mid) * spread);
  const pad = (hi - lo) * 0.01;
  const [lowName, midName, highName] = range.names;
  const middle =
    middleShape === 'triangular'
      ? { type: 'triangular', parameters: [round(low), round(mid), round(high)] }
      : { type: 'gaussian', parameters: [round(mid), round((high - low) / 4)] };
  return {
    [lowName]: { type: 'trapezoidal', parameters: [round(lo - pad), lo, round(low), round(mid)] },
    [midName]: middle,
    [highName]: { type: 'trapezoidal', parameters: [round(mid), round(high), hi, round(hi + pad)] },
  };
}

function indicatorId(type: IndicatorType, params: Record<string, number>): string {
  return [type, ...Object.values(params).map((v) => String(v).replace('.', 'p'))].join('_');
}

interface Composition {
  theme: Theme;
  types: IndicatorType[];
}

function compose(intent: BriefIntent, rng: SeededRandom, avoid: Set<string>): Composition {
  const theme = intent.theme ?? rng.pick(IDEA_THEMES);
  const count = Math.max(Math.min(intent.indicators.length, 3), rng.int(2, 3));
  let types: IndicatorType[] = [];
  for (let attempt = 0; attempt < 25; attempt++) {
    const pool = rng.shuffle(THEME_INDICATORS[theme]).filter((t) => !intent.indicators.includes(t));
    const rest = rng.shuffle(INDICATOR_TYPES).filter((t) => !intent.indicators.includes(t) && !pool.includes(t));
    types = [...intent.indicators.slice(0, 3), ...pool, ...rest].slice(0, count);
    if (!avoid.has(signature(types))) return { theme, types };
  }
  // Every draw repeated a poor set (the brief pinned it down): widen it by one indicator.
  const extra = rng.shuffle(INDICATOR_TYPES).find((t) => !types.includes(t) && !avoid.has(signature([...types, t])))!;
  return { theme, types: [...types, extra] };
}

export function designOffline(input: DesignInput): StrategyConfig {
  if (input.campaign) return designCampaign(input, input.campaign);
  const intent = readBrief(input.brief, input.availableData);
  const seed = hashString(
    JSON.stringify([input.seed ?? 1, (input.brief ?? '').trim().toLowerCase(), input.recent.map((r) => [r.name, r.verdict, r.indicators ?? []])]),
  );
  const rng = new SeededRandom(seed);
  const { symbol, timeframe } = chooseMarket(intent, input.availableData);
  const windows = windowsFor(symbol, timeframe, input.availableData);
  const { theme, types } = compose(intent, rng, poorSets(input.recent));
  // Price moves (and so fraction-of-price outputs) grow with √(bar length).
  const tfScale = Math.min(3, Math.max(0.05, Math.sqrt(TIMEFRAME_MS[timeframe] / TIMEFRAME_MS['1d'])));

  const indicators: Record<string, Record<string, unknown>> = {};
  const fuzzySets: Record<string, Record<string, unknown>> = {};
  const labels: string[] = [];
  for (const type of types) {
    const params = rng.pick(PARAM_VARIANTS[type]);
    const id = indicatorId(type, params);
    indicators[id] = { type, ...params };
    const output = PRIMARY_OUTPUT[type];
    const range = OUTPUT_RANGES[`${type}.${output}`]!;
    const periodScale = range.periodScaled ? Math.sqrt((params[range.periodScaled.param] ?? range.periodScaled.reference) / range.periodScaled.reference) : 1;
    const ref = output === defaultOutput(type) ? id : `${id}.${output}`;
    const setId = output === defaultOutput(type) ? id : `${id}_${output}`;
    // Drawn in this order (spread, then the middle's shape) so a seed designs what it always did.
    const spread = rng.between(0.85, 1.15);
    const middle = rng.next() < 0.5 ? 'triangular' : 'gaussian';
    fuzzySets[setId] = { indicator: ref, ...membershipSets(range, (range.timeframeScaled ? tfScale : 1) * periodScale, spread, middle) };
    labels.push(`${type.toUpperCase()}(${Object.values(params).join(', ')})`);
  }

  const zigzag = Math.min(0.15, Math.max(0.004, 0.04 * tfScale * rng.between(0.8, 1.2)));
  const brief = input.brief?.trim();
  const body = {
    description: `Offline design (no API key): ${THEME_LABEL[theme]} on ${symbol} ${timeframe}${brief ? `, from the brief "${brief.slice(0, 200)}"` : ''}.`,
    version: '3.0',
    hypothesis: `On ${symbol} ${timeframe} bars ${THEME_TEXT[theme]}: fuzzy readings of ${labels.join(', ')} should let a small network time BUY/SELL swings better than chance.`,
    training_data: { symbols: [symbol], timeframes: [timeframe], date_range: windows.training },
    indicators,
    fuzzy_sets: fuzzySets,
    nn_inputs: Object.keys(fuzzySets).map((fuzzy_set) => ({ fuzzy_set, timeframes: 'all' })),
    model: {
      type: 'mlp',
      architecture: { hidden_layers: rng.pick([[32, 16], [32], [24, 12], [16, 8]]), activation: rng.pick(['relu', 'tanh']), dropout: rng.pick([0, 0.1, 0.2]) },
      training: {
        learning_rate: rng.pick([0.001, 0.002, 0.003]),
        batch_size: 64,
        epochs: rng.pick([25, 30, 40]),
        early_stopping: { patience: 6, min_delta: 0.0005 },
        seed: rng.int(1, 2 ** 31 - 1),
      },
    },
    decisions: {
      output_format: 'classification',
      confidence_threshold: rng.pick([0.3, 0.35, 0.4]),
      position_mode: intent.allowShort ? 'long_short' : 'long_only',
    },
    training: {
      labels: { source: 'zigzag', zigzag_threshold: round(zigzag, 3), label_lookahead: rng.pick([10, 20, 30]) },
      data_split: { train: 0.7, validation: 0.15, test: 0.15 },
    },
    backtest: { date_range: windows.backtest, initial_capital: 100000, commission: 0.001, slippage: 0.0005 },
  };
  const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 8);
  const name = `offline_${types[0]}_${THEME_LABEL[theme]}_${hash}`;
  const parsed = parseStrategy({ name, ...body });
  // A bug here, not bad input: every composition is meant to be valid (the tests sweep many).
  if (!parsed.ok) throw new Error(`offline designer produced an invalid strategy: ${parsed.errors.slice(0, 3).join('; ')}`);
  return parsed.config;
}

// ---- campaign trials --------------------------------------------------------------------------

const DAY = 86_400_000;
const isTimeframe = (v: string): v is Timeframe => (TIMEFRAMES as readonly string[]).includes(v);
const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
/** The listing names synthetic series once, as `SYNTH_*`. */
const listedFor = (a: AvailableData, symbol: string): boolean => a.symbol === symbol || (a.symbol === 'SYNTH_*' && isSyntheticSymbol(symbol));

interface CampaignMarket {
  symbols: string[];
  timeframe: Timeframe;
  windows: Windows;
}

/**
 * The campaign's market and windows: its scope, with windowsFor on the data every scope symbol
 * shares (the caller has already cut the listing to end before the sealed holdout). windowsFor
 * accepts a window ending a day past the data (a bare end date covers its day), so when that would
 * touch the holdout it is asked again with the data ending a day earlier. Throws when a window would
 * still not end before `sealed_from`: a campaign trial must never read a sealed bar.
 */
export function campaignMarket(campaign: Pick<CampaignDesignContext, 'scope' | 'sealed_from'>, available: readonly AvailableData[]): CampaignMarket {
  const { scope, sealed_from } = campaign;
  const timeframe = scope.timeframe;
  if (!isTimeframe(timeframe)) throw new Error(`offline designer: the campaign's timeframe "${timeframe}" is not one of ${TIMEFRAMES.join(', ')}`);
  const symbols = [...scope.symbols];
  if (!symbols.length) throw new Error('offline designer: the campaign names no symbol');
  const sealed = Date.parse(sealed_from.slice(0, 10));
  if (Number.isNaN(sealed)) throw new Error(`offline designer: the campaign's sealed_from "${sealed_from}" is not a date`);

  const entries = symbols.map((sym) => available.find((a) => listedFor(a, sym) && a.timeframe === timeframe));
  const common = (endShift: number): readonly AvailableData[] => {
    if (entries.some((e) => !e)) return available;
    const start = Math.max(...entries.map((e) => Date.parse(e!.start.slice(0, 10))));
    const end = Math.min(...entries.map((e) => Date.parse(e!.end.slice(0, 10)))) - endShift;
    return [{ symbol: symbols[0]!, timeframe, start: dayOf(start), end: dayOf(end) }];
  };
  const endsBefore = (w: Windows): boolean => Date.parse(w.training.end) < sealed && Date.parse(w.backtest.end) < sealed;
  let windows = windowsFor(symbols[0]!, timeframe, common(0));
  if (!endsBefore(windows)) windows = windowsFor(symbols[0]!, timeframe, common(DAY));
  if (!endsBefore(windows)) {
    throw new Error(
      `offline designer: the windows for ${symbols.join(',')} ${timeframe} (training ${windows.training.start} → ${windows.training.end}, backtest ${windows.backtest.start} → ${windows.backtest.end}) do not end before the campaign's sealed holdout (from ${sealed_from.slice(0, 10)}); list the campaign's data only up to the day before it`,
    );
  }
  return { symbols, timeframe, windows };
}

/** The model's training seed in every trial of a campaign: a function of the campaign's seed, so trials differ in design, never in seed alone. */
const campaignModelSeed = (seed: number): number => 1 + (hashString(`campaign-model:${seed}`) % (2 ** 31 - 2));

/** One genome as a strategy on the campaign's market (`note`, how the search chose it, goes into the description). */
function renderCampaign(genome: Genome, note: string, market: CampaignMarket, campaign: CampaignDesignContext, allowShort: boolean): StrategyConfig {
  const { symbols, timeframe, windows } = market;
  const tfScale = timeframeScale(timeframe);
  const indicators: Record<string, Record<string, unknown>> = {};
  const fuzzySets: Record<string, Record<string, unknown>> = {};
  const readings: string[] = [];
  for (const gene of genome.indicators) {
    const params = PARAM_VARIANTS[gene.type][gene.variant]!;
    const id = indicatorId(gene.type, params);
    indicators[id] = { type: gene.type, ...params };
    const output = PRIMARY_OUTPUT[gene.type];
    const range = OUTPUT_RANGES[`${gene.type}.${output}`]!;
    const periodScale = range.periodScaled ? Math.sqrt((params[range.periodScaled.param] ?? range.periodScaled.reference) / range.periodScaled.reference) : 1;
    const ref = output === defaultOutput(gene.type) ? id : `${id}.${output}`;
    const setId = output === defaultOutput(gene.type) ? id : `${id}_${output}`;
    const scale = (range.timeframeScaled ? tfScale : 1) * periodScale;
    fuzzySets[setId] = { indicator: ref, ...membershipSets(range, scale, SET_SPREADS[gene.spread]!, SET_MIDDLES[gene.middle]!) };
    readings.push(`${gene.type.toUpperCase()}(${Object.values(params).join(', ')})`);
  }
  const labels = labelsOf(genome.label, timeframe);
  const where = `${symbols.join(', ')} ${timeframe}`;
  const body = {
    name: 'offline_campaign',
    description: `Offline design for campaign trial ${campaign.trial}: ${THEME_LABEL[genome.theme]} on ${where}; ${note}`.slice(0, 2000),
    version: '3.0',
    hypothesis: `On ${where} bars ${THEME_TEXT[genome.theme]}: fuzzy readings of ${readings.join(', ')} should let a small network time BUY/SELL (labels: ${labelText(labels)}) better than chance.`,
    training_data: { symbols, timeframes: [timeframe], date_range: windows.training },
    indicators,
    fuzzy_sets: fuzzySets,
    nn_inputs: Object.keys(fuzzySets).map((fuzzy_set) => ({ fuzzy_set, timeframes: 'all' })),
    model: {
      type: 'mlp',
      architecture: { hidden_layers: [...HIDDEN_LAYERS[genome.hidden]!], activation: ACTIVATIONS[genome.activation]!, dropout: DROPOUTS[genome.dropout]! },
      training: {
        learning_rate: LEARNING_RATES[genome.learningRate]!,
        batch_size: 64,
        epochs: 40,
        early_stopping: { patience: 6, min_delta: 0.0005 },
        seed: campaignModelSeed(campaign.seed),
      },
    },
    decisions: {
      output_format: 'classification',
      confidence_threshold: CONFIDENCE_THRESHOLDS[genome.threshold]!,
      position_mode: allowShort ? 'long_short' : 'long_only',
    },
    training: { labels, data_split: { train: 0.7, validation: 0.15, test: 0.15 } },
    // No evaluation block: the schema's default walk-forward is every trial's common test (campaign.search.ts).
    backtest: { date_range: windows.backtest, initial_capital: 100000, commission: 0.001, slippage: 0.0005 },
  };
  const parsed = parseStrategy(body);
  // A bug here, not bad input: every genome is meant to render valid (the tests sweep many).
  if (!parsed.ok) throw new Error(`offline designer produced an invalid campaign strategy: ${parsed.errors.slice(0, 3).join('; ')}`);
  const hash = strategyContentHash(parsed.config);
  return { ...parsed.config, name: `offline_${genome.indicators[0]!.type}_${THEME_LABEL[genome.theme]}_${hash.slice(0, 8)}` };
}

/** The campaign's next trial: the search chooses a genome (campaign.search.ts) on the campaign's market, rendered here. */
export function designCampaign(input: DesignInput, campaign: CampaignDesignContext): StrategyConfig {
  const market = campaignMarket(campaign, input.availableData);
  const allowShort = readBrief(input.brief, input.availableData).allowShort;
  const choice = searchCampaign(campaign, market.timeframe, (genome, note) => renderCampaign(genome, note, market, campaign, allowShort));
  return choice.config;
}

export class OfflineDesigner implements StrategyDesigner {
  readonly kind = 'offline' as const;

  async design(input: DesignInput, { signal }: CallOptions): Promise<DesignOutcome> {
    throwIfAborted(signal);
    return { config: designOffline(input), source: 'offline', model: null, usage: { input_tokens: 0, output_tokens: 0 }, cost_usd: 0, turns: 0 };
  }
}
