import type { BacktestResult, SymbolBacktestResult } from '@ktrdr/agent-domain';
import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import { metrics } from './backtest.metrics.js';
import { CurveTracker } from './curve.stats.js';
import type { CurveAxis, CurveResult, SimulationResult } from './simulation.types.js';

/**
 * A strategy naming several symbols is backtested as a portfolio of equal-weight sleeves: each
 * symbol gets `initial_capital / n`, is simulated on its own (its own fills and costs, fully
 * invested while in a position), and the portfolio is the sum of the sleeves. Nothing is
 * rebalanced between sleeves: a sleeve that grows weighs more, as money left in each would.
 */

/** Separates the symbols in a portfolio's `symbol` (`SP500,SYNTH_TREND`); never part of a symbol. */
export const PORTFOLIO_SYMBOL_SEPARATOR = ',';

/** One symbol's simulation over its own window bars. */
export interface Sleeve {
  bars: CurveAxis;
  result: SimulationResult;
}

/** The combined curves (on `axis`, the union of the sleeves' bar times) and the pooled trades. */
export interface Portfolio {
  axis: CurveAxis;
  result: CurveResult;
}

function invalid(message: string): KtrdrError {
  return new KtrdrError(ErrorCode.ValidationFailed, `Backtest portfolio invalid: ${message}`);
}

/** The sorted union of strictly increasing time series (a time in several of them once). */
export function unionTimes(series: readonly Float64Array[]): Float64Array {
  const k = series.length;
  const cursor = new Int32Array(k);
  const out = new Float64Array(series.reduce((a, s) => a + s.length, 0));
  let m = 0;
  for (;;) {
    let next = Infinity;
    for (let j = 0; j < k; j++) if (cursor[j]! < series[j]!.length && series[j]![cursor[j]!]! < next) next = series[j]![cursor[j]!]!;
    if (next === Infinity) return out.slice(0, m);
    out[m++] = next;
    for (let j = 0; j < k; j++) if (cursor[j]! < series[j]!.length && series[j]![cursor[j]!] === next) cursor[j]!++;
  }
}

/**
 * Sums the sleeves on the union of their bar times. Between its own bars a sleeve's equity (and
 * buy-and-hold value) is carried forward from its last bar; before its first bar it is its
 * capital in cash. The combined curves' statistics come from the same `CurveTracker` the
 * simulation uses; trades are pooled (in entry-time order, each naming its symbol); exposure counts
 * each portfolio bar by the fraction of sleeves holding a position then (a sleeve holds what it held
 * at its last bar, and nothing once its last bar is behind it).
 *
 * With one sleeve every number is the sleeve's own: the union is its bar times, every sum is its
 * value alone, and the same tracker sees the same points.
 */
export function combineSleeves(sleeves: readonly Sleeve[]): Portfolio {
  const k = sleeves.length;
  if (k === 0) throw invalid('no sleeves');
  const timeframe = sleeves[0]!.bars.timeframe;
  for (const s of sleeves) {
    if (s.bars.timeframe !== timeframe) throw invalid(`${s.bars.symbol} is on ${s.bars.timeframe}, ${sleeves[0]!.bars.symbol} on ${timeframe}`);
    if (s.result.equity.length !== s.bars.time.length)
      throw invalid(`${s.bars.symbol} has ${s.result.equity.length} equity points for ${s.bars.time.length} bars`);
  }
  const time = unionTimes(sleeves.map((s) => s.bars.time));
  const n = time.length;
  const equity = new Float64Array(n);
  const benchmark = new Float64Array(n);
  // Sums start from the first sleeve's value (not 0 + it), so one sleeve's values pass through unchanged.
  let initialCapital = sleeves[0]!.result.initialCapital;
  for (let j = 1; j < k; j++) initialCapital += sleeves[j]!.result.initialCapital;
  const strategy = new CurveTracker(initialCapital);
  const bench = new CurveTracker(initialCapital);
  const cursor = new Int32Array(k);
  let held = 0;
  for (let i = 0; i < n; i++) {
    const at = time[i]!;
    let e = 0;
    let be = 0;
    for (let j = 0; j < k; j++) {
      const { bars, result } = sleeves[j]!;
      const own = bars.time;
      let c = cursor[j]!;
      while (c < own.length && own[c]! <= at) c++;
      cursor[j] = c;
      // The sleeve's state is that of its bar c − 1, the last one at or before `at`.
      const ej = c > 0 ? result.equity[c - 1]! : result.initialCapital;
      const bj = c > 0 ? result.benchmark[c - 1]! : result.initialCapital;
      e = j === 0 ? ej : e + ej;
      be = j === 0 ? bj : be + bj;
      if (c > 0 && result.position[c - 1] !== 0 && (c < own.length || own[c - 1] === at)) held++;
    }
    equity[i] = e;
    benchmark[i] = be;
  }
  strategy.pushRange(equity, 0, n);
  bench.pushRange(benchmark, 0, n);
  const trades = sleeves.flatMap((s) => s.result.trades).sort((a, b) => a.entry_time - b.entry_time);
  return {
    axis: { symbol: sleeves.map((s) => s.bars.symbol).join(PORTFOLIO_SYMBOL_SEPARATOR), timeframe, time },
    result: {
      equity,
      benchmark,
      trades,
      initialCapital,
      stats: { strategy: strategy.stats(), benchmark: bench.stats(), exposedBars: held / k },
    },
  };
}

/** A sleeve's own numbers, as the portfolio result lists them in `per_symbol`. */
export function sleeveSummary(sleeve: Sleeve): SymbolBacktestResult {
  const m = metrics(sleeve.bars, sleeve.result);
  return {
    symbol: m.symbol,
    bars: m.bars,
    total_return: m.total_return,
    sharpe_ratio: m.sharpe_ratio,
    max_drawdown: m.max_drawdown,
    win_rate: m.win_rate,
    profit_factor: m.profit_factor,
    total_trades: m.total_trades,
    exposure: m.exposure,
    benchmark_return: m.benchmark_return,
    initial_capital: m.initial_capital,
    final_equity: m.final_equity,
  };
}

/**
 * The backtest phase's result for a portfolio: the headline numbers of the combined curve (what
 * the gates judge), and with more than one sleeve each symbol's own numbers in `per_symbol`.
 */
export function portfolioMetrics(sleeves: readonly Sleeve[], portfolio: Portfolio = combineSleeves(sleeves)): BacktestResult {
  const result = metrics(portfolio.axis, portfolio.result);
  return sleeves.length > 1 ? { ...result, per_symbol: sleeves.map(sleeveSummary) } : result;
}
