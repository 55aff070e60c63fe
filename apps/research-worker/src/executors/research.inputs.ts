import { INDICATOR_CATALOGUE, TIMEFRAME_MS, type CycleParameters, type StrategyConfig, type Timeframe } from '@ktrdr/agent-domain';
import type { CycleKey } from '@ktrdr/api-contract';
import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import type { BarsBySymbol, BarsByTimeframe } from '@ktrdr/features';
import type { DateWindow, MarketDataRepository } from '@ktrdr/market-data';
import type { StrategyStore } from '@ktrdr/strategies';
import type { ModelBlobs } from './model.blobs.js';

/** What the real executors share: strategies, market data and models, all in the store of record. */
export interface ResearchDeps {
  strategies: StrategyStore;
  marketData: MarketDataRepository;
  models: ModelBlobs;
}

/** The cycle keys whose value is text. */
type TextKey = { [K in CycleKey]-?: NonNullable<CycleParameters[K]> extends string ? K : never }[CycleKey];

/** A value the cycle must carry for this phase (the orchestrator wrote it when the previous phase ended). */
export function cycleString(cycle: CycleParameters, key: TextKey, phase: string): string {
  const v = cycle[key];
  if (typeof v === 'string' && v) return v;
  throw new KtrdrError(ErrorCode.ExecutorFailed, `the cycle has no ${key} for the ${phase} phase`);
}

/** The timeframes the strategy's features read: every one an nn_input names (default: all listed). */
export function featureTimeframes(config: StrategyConfig): Timeframe[] {
  const used = new Set<Timeframe>();
  for (const input of config.nn_inputs) {
    for (const tf of input.timeframes === 'all' ? config.training_data.timeframes : input.timeframes) used.add(tf);
  }
  return config.training_data.timeframes.filter((tf) => used.has(tf));
}

/**
 * How far before a window to start loading so the indicators are warm at its first bar: the
 * longest look-back any indicator has (MACD's slow + signal, ADX's double smoothing…), tripled
 * for the exponential ones to settle, in calendar time with room for weekends and holidays.
 */
export function warmupStart(config: StrategyConfig, start: string): string {
  let lookback = 1;
  for (const ind of Object.values(config.indicators)) {
    const periods = Object.keys(INDICATOR_CATALOGUE[ind.type].params.shape).map((k) => Number(ind[k]) || 0);
    lookback = Math.max(
      lookback,
      periods.reduce((a, b) => a + b, 0),
    );
  }
  const coarsest = Math.max(...featureTimeframes(config).map((tf) => TIMEFRAME_MS[tf]));
  const bars = lookback * 3 + 10;
  // Trading calendars skip weekends and holidays: 1.6× the bar time covers a 5-day week with slack.
  const ms = Math.ceil(bars * coarsest * 1.6) + 7 * 86_400_000;
  return new Date(Date.parse(start) - ms).toISOString().slice(0, 10);
}

/** Bars of every feature timeframe of one symbol over a window. */
export async function loadSymbolBars(
  data: MarketDataRepository,
  config: StrategyConfig,
  symbol: string,
  window: DateWindow,
  signal: AbortSignal,
): Promise<BarsByTimeframe> {
  const out: BarsByTimeframe = {};
  for (const tf of featureTimeframes(config)) out[tf] = await data.load(symbol, tf, window, signal);
  return out;
}

/**
 * Every bar a walk-forward evaluation reads, per symbol: from the indicator warm-up before the
 * training window to the end of the backtest window (rows are taken from the training start on).
 */
export async function loadWalkForwardBars(data: MarketDataRepository, config: StrategyConfig, signal: AbortSignal): Promise<BarsBySymbol> {
  const window = { start: warmupStart(config, config.training_data.date_range.start), end: config.backtest.date_range.end };
  const out: BarsBySymbol = {};
  for (const symbol of config.training_data.symbols) out[symbol] = await loadSymbolBars(data, config, symbol, window, signal);
  return out;
}

/**
 * A campaign trial never reads a bar of the campaign's sealed holdout: its design was cut to end
 * before it, and a strategy that still reaches it (edited since) fails the phase rather than peek.
 */
export function refuseSealedBars(cycle: CycleParameters, config: StrategyConfig): void {
  const sealed = cycle.sealed_from;
  if (!sealed) return;
  const end = config.backtest.date_range.end > config.training_data.date_range.end ? config.backtest.date_range.end : config.training_data.date_range.end;
  if (Date.parse(end) >= Date.parse(sealed)) {
    throw new KtrdrError(ErrorCode.ExecutorFailed, `strategy ${config.name} reads bars up to ${end}, inside the campaign's sealed holdout (from ${sealed})`, {
      sealed_from: sealed,
      window_end: end,
    });
  }
}
