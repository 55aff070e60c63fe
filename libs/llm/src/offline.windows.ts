import { TIMEFRAMES, TIMEFRAME_MS, type Timeframe } from '@ktrdr/agent-domain';
import { SYNTHETIC_TIMEFRAMES, isSyntheticSymbol, isSyntheticTimeframe, type SyntheticTimeframe } from '@ktrdr/market-data';
import type { AvailableData } from './llm.types.js';

/**
 * Which symbol, timeframe and date windows the offline designer trains and backtests on: only
 * windows that hold data. The built-in S&P 500 sample has daily bars 2000-01-03 → 2020-04-17;
 * synthetic `SYNTH_*` series exist on 1h, 4h and 1d from 2015 through 2026 (weekdays only).
 * Evaluation is walk-forward: the backtest window is cut into test folds, each predicted by models
 * trained on every bar before it, so the training window is only the first fold's history and the
 * backtest window is long — a default cycle judges some 3,000 out-of-sample bars, enough for dozens
 * of trades. Windows stay within about 5,000 training and 4,500 backtest bars so a cycle's 5 folds
 * × 3 seeds finish within a minute or two on two cores.
 */

export const DEFAULT_SYMBOL = 'SP500';
export const DEFAULT_TIMEFRAME: Timeframe = '1d';
/** Used when the brief asks for a timeframe no listed symbol has. */
export const DEFAULT_SYNTHETIC_SYMBOL = 'SYNTH_DEMO';
export { SYNTHETIC_TIMEFRAMES };

export interface Windows {
  training: { start: string; end: string };
  backtest: { start: string; end: string };
}

const w = (ts: string, te: string, bs: string, be: string): Windows => ({ training: { start: ts, end: te }, backtest: { start: bs, end: be } });

/** The built-in sample: first training window 2000–2007 (~2,000 bars), walk-forward over 2008 → the last bar (~3,100 bars). */
const SP500_DAILY = w('2000-01-01', '2007-12-31', '2008-01-01', '2020-04-17');

/** First training window / walk-forward window, in bars (weekdays only): 1h ~3,100 / 4,600; 4h ~3,100 / 3,100; 1d ~1,300 / 1,300. */
const SYNTHETIC_WINDOWS: Readonly<Record<SyntheticTimeframe, Windows>> = {
  '1h': w('2023-01-01', '2023-06-30', '2023-07-01', '2024-03-31'),
  '4h': w('2021-01-01', '2022-12-31', '2023-01-01', '2024-12-31'),
  '1d': w('2015-01-01', '2019-12-31', '2020-01-01', '2024-12-31'),
};

const MAX_TRAIN_BARS = 5_000;
const MAX_BACKTEST_BARS = 4_500;
const DAY = 86_400_000;

const isTimeframe = (v: string): v is Timeframe => (TIMEFRAMES as readonly string[]).includes(v);
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function inside(win: Windows, entry: AvailableData): boolean {
  const s = Date.parse(entry.start.slice(0, 10));
  const e = Date.parse(entry.end.slice(0, 10));
  return Date.parse(win.training.start) >= s - 7 * DAY && Date.parse(win.backtest.end) <= e + DAY;
}

/** Recent bars for the walk-forward backtest (the larger share), earlier ones for the first training window, each bounded in bar count. */
function deriveWindows(entry: AvailableData, tf: Timeframe): Windows | null {
  const start = Date.parse(entry.start.slice(0, 10));
  const end = Date.parse(entry.end.slice(0, 10));
  const span = end - start;
  if (!(span > 10 * DAY)) return null;
  const bar = TIMEFRAME_MS[tf];
  const backtestMs = Math.max(2 * DAY, Math.min(0.6 * span, MAX_BACKTEST_BARS * bar));
  const backtestStart = end - backtestMs;
  const trainEnd = backtestStart - DAY;
  const trainStart = Math.max(start, trainEnd - Math.min(0.4 * span, MAX_TRAIN_BARS * bar));
  if (trainEnd - trainStart < 3 * DAY) return null;
  return w(day(trainStart), day(trainEnd), day(backtestStart), day(end));
}

/** The listing names synthetic series once, as `SYNTH_*`: that row stands for every SYNTH_ symbol. */
function listed(a: AvailableData, symbol: string): boolean {
  return a.symbol === symbol || (a.symbol === 'SYNTH_*' && isSyntheticSymbol(symbol));
}

/** A (symbol, timeframe) the data layer can serve: listed, synthetic, or the built-in sample. */
export function servable(symbol: string, tf: Timeframe, available: readonly AvailableData[]): boolean {
  if (available.some((a) => listed(a, symbol) && a.timeframe === tf)) return true;
  if (isSyntheticSymbol(symbol)) return isSyntheticTimeframe(tf);
  return symbol === DEFAULT_SYMBOL && tf === DEFAULT_TIMEFRAME && !available.some((a) => a.symbol === DEFAULT_SYMBOL);
}

/** The synthetic timeframe nearest (in bar length) to `tf`. */
export function nearestSyntheticTimeframe(tf: Timeframe): SyntheticTimeframe {
  const logDistance = (a: Timeframe): number => Math.abs(Math.log(TIMEFRAME_MS[a] / TIMEFRAME_MS[tf]));
  return [...SYNTHETIC_TIMEFRAMES].sort((a, b) => logDistance(a) - logDistance(b))[0]!;
}

/** Timeframes listed for a symbol, daily first. */
export function listedTimeframes(symbol: string, available: readonly AvailableData[]): Timeframe[] {
  const tfs = available
    .filter((a) => listed(a, symbol))
    .map((a) => a.timeframe)
    .filter(isTimeframe);
  return [...new Set(tfs)].sort((a, b) => (a === '1d' ? -1 : b === '1d' ? 1 : TIMEFRAME_MS[a] - TIMEFRAME_MS[b]));
}

export function windowsFor(symbol: string, tf: Timeframe, available: readonly AvailableData[]): Windows {
  const entry = available.find((a) => listed(a, symbol) && a.timeframe === tf);
  const preferred =
    symbol === DEFAULT_SYMBOL && tf === '1d' ? SP500_DAILY : isSyntheticSymbol(symbol) && isSyntheticTimeframe(tf) ? SYNTHETIC_WINDOWS[tf] : null;
  if (preferred && (!entry || inside(preferred, entry))) return preferred;
  const derived = entry ? deriveWindows(entry, tf) : null;
  return derived ?? preferred ?? SP500_DAILY;
}
