import { TIMEFRAME_MS, type BacktestResult } from '@ktrdr/agent-domain';
import type { CurveAxis, CurveResult, CurveStats } from './simulation.types.js';

/** A calendar year (365.25 days) in milliseconds: the basis of CAGR and of bars per year. */
export const YEAR_MS = 365.25 * 86_400_000;

export interface MetricsOptions {
  /** Overrides the bars per year used to annualise volatility, Sharpe and Sortino. */
  barsPerYear?: number;
}

/**
 * Bars per year for annualising: observed from the window when it spans time ((bars − 1) per
 * calendar year between the first and last bar), so market hours, weekends and holidays count as
 * they occur (≈252 for daily stocks, ≈8766 for a 24/7 hourly series); from the timeframe alone
 * (a year divided by the bar length) when there is a single bar or no span.
 */
export function barsPerYear(bars: CurveAxis): number {
  const n = bars.time.length;
  const span = n >= 2 ? bars.time[n - 1]! - bars.time[0]! : 0;
  if (span > 0) return (n - 1) / (span / YEAR_MS);
  return YEAR_MS / TIMEFRAME_MS[bars.timeframe];
}

/** Any non-finite value becomes a finite one: NaN → 0, ±∞ → ±Number.MAX_VALUE (the schema allows finite numbers only). */
export function toFinite(x: number): number {
  if (Number.isFinite(x)) return x;
  if (Number.isNaN(x)) return 0;
  return x > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export interface RatioStats {
  volatility: number;
  sharpe: number;
  sortino: number;
}

/** The sums the ratios are computed from: a whole curve's (`CurveStats`), or any set of per-bar returns' (e.g. one regime's bars). */
export type ReturnSums = Pick<CurveStats, 'returnCount' | 'sumReturns' | 'sumSquaredReturns' | 'sumSquaredDownside'>;

/**
 * Annualised volatility (sample standard deviation of per-bar returns × √bars-per-year), Sharpe
 * (mean / std × √bars-per-year, risk-free 0) and Sortino (mean / downside deviation ×
 * √bars-per-year, downside deviation = √(Σ min(r, 0)² / N), target 0). Degenerate cases are 0:
 * fewer than two returns, a flat curve (std 0), no losing bar (downside deviation 0).
 */
export function annualisedRatios(c: ReturnSums, perYear: number): RatioStats {
  const n = c.returnCount;
  if (n < 2) return { volatility: 0, sharpe: 0, sortino: 0 };
  const mean = c.sumReturns / n;
  // One-pass variance from the sums gathered in the loop; returns are small, so cancellation is negligible.
  const variance = Math.max(0, (c.sumSquaredReturns - c.sumReturns * mean) / (n - 1));
  const std = Math.sqrt(variance);
  const downside = Math.sqrt(c.sumSquaredDownside / n);
  const root = Math.sqrt(perYear);
  return {
    volatility: std * root,
    sharpe: std > 0 ? (mean / std) * root : 0,
    sortino: downside > 0 ? (mean / downside) * root : 0,
  };
}

/**
 * The backtest's headline numbers (the `backtesting` phase result) from a simulation over `bars`,
 * or from a portfolio's combined curve over its union of bar times (`combineSleeves`).
 * Trade statistics count the position still open at the end (closed at the last close, costs
 * included). win_rate and exposure are 0 with no trades; profit_factor is null when no trade lost.
 */
export function metrics(bars: CurveAxis, result: CurveResult, opts: MetricsOptions = {}): BacktestResult {
  const n = result.equity.length;
  const first = bars.time[0]!;
  const lastTime = bars.time[n - 1]!;
  const years = (lastTime - first) / YEAR_MS;
  const perYear = opts.barsPerYear ?? barsPerYear(bars);
  const capital = result.initialCapital;
  const finalEquity = result.equity[n - 1]!;
  const growth = finalEquity / capital;
  // CAGR over the calendar time from the first to the last bar; a wiped-out account is −100 %.
  const cagr = growth <= 0 ? -1 : years > 0 ? Math.pow(growth, 1 / years) - 1 : 0;

  let wins = 0;
  let losses = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  for (const t of result.trades) {
    if (t.pnl > 0) {
      wins++;
      grossProfit += t.pnl;
    } else if (t.pnl < 0) {
      losses++;
      grossLoss -= t.pnl;
    }
  }
  const total = result.trades.length;
  const { strategy: s, benchmark: b } = result.stats;
  const r = annualisedRatios(s, perYear);
  const date = (i: number): string | null => (i >= 0 ? iso(bars.time[i]!) : null);
  // What the trades cost and moved: commission as booked, slippage given up on the fills, traded
  // notional (both legs) per initial capital.
  let fees = 0;
  let slippage = 0;
  let notional = 0;
  for (const t of result.trades) {
    fees += t.fees;
    slippage += t.slippage_cost;
    notional += t.quantity * (t.entry_price + t.exit_price);
  }

  return {
    symbol: bars.symbol,
    timeframe: bars.timeframe,
    start: iso(first),
    end: iso(lastTime),
    bars: n,
    total_return: toFinite(growth - 1),
    cagr: toFinite(cagr),
    volatility: toFinite(r.volatility),
    sharpe_ratio: toFinite(r.sharpe),
    sortino_ratio: toFinite(r.sortino),
    max_drawdown: toFinite(s.maxDrawdown),
    max_drawdown_peak: s.maxDrawdown > 0 ? date(s.peakIndex) : null,
    max_drawdown_trough: s.maxDrawdown > 0 ? date(s.troughIndex) : null,
    win_rate: total > 0 ? wins / total : 0,
    profit_factor: losses > 0 ? toFinite(grossProfit / grossLoss) : null,
    total_trades: total,
    exposure: n > 0 ? result.stats.exposedBars / n : 0,
    benchmark_return: toFinite(result.benchmark[n - 1]! / capital - 1),
    benchmark_max_drawdown: toFinite(b.maxDrawdown),
    benchmark_sharpe: toFinite(annualisedRatios(b, perYear).sharpe),
    turnover: capital > 0 ? toFinite(notional / capital) : 0,
    commission_paid: toFinite(fees),
    costs_paid: toFinite(fees + slippage),
    equity_curve_length: n,
    initial_capital: capital,
    final_equity: toFinite(finalEquity),
  };
}
