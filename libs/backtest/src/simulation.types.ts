import type { ArtifactTrade } from '@ktrdr/api-contract';
import type { Bars } from '@ktrdr/market-data';

/** Per-bar signal values: a signal at bar t is acted on at bar t+1's open. */
export const SIGNAL = { BUY: 1, HOLD: 0, SELL: -1 } as const;

export const POSITION_MODES = ['long_only', 'long_short'] as const;
/**
 * `long_only`: BUY opens a long when flat, SELL closes it (a SELL when flat does nothing).
 * `long_short`: BUY targets long, SELL targets short; a flip closes then opens, both legs charged.
 * HOLD keeps whatever position is held in both modes.
 */
export type PositionMode = (typeof POSITION_MODES)[number];

/** Costs and sizing of a backtest; the numbers of a strategy's `backtest` block. */
export interface SimulationOptions {
  positionMode: PositionMode;
  initialCapital: number;
  /** Fraction of the notional charged on every leg (entry and exit). */
  commission: number;
  /** Adverse fraction on every fill: a buy pays price×(1+s), a sell receives price×(1−s). */
  slippage: number;
}

export interface SimulationInput extends SimulationOptions {
  bars: Bars;
  /** One value per bar: +1 BUY, 0 HOLD, −1 SELL (any positive / negative value counts as BUY / SELL). */
  signals: Int8Array;
}

export interface SimulateControl {
  /** Aborting rejects the run with CancelledError at the next slice boundary. */
  signal?: AbortSignal;
  /** Called with bars done and bars in total, at most every 100 ms and once at the end (done === total). */
  onProgress?: (done: number, total: number) => void;
  /** Longest stretch of synchronous work before yielding to the event loop (default 8 ms). */
  sliceMs?: number;
}

export type TradeSide = 'long' | 'short';

/**
 * One round trip. Times are epoch milliseconds (bar open times, as in `Bars.time`): the
 * simulation can close hundreds of thousands of trades, and formatting dates there would cost
 * more than the simulation itself; `equityArtifact` turns them into ISO strings. The other fields
 * (fill prices with slippage, quantity, P&L after both legs' fees, return on the committed equity,
 * fees, open at the end) are the artifact's trade as the contract defines it; `slippage_cost` is
 * the simulation's own (summed into `costs_paid`, not part of the artifact).
 */
export interface Trade extends Omit<ArtifactTrade, 'entry_time' | 'exit_time' | 'side'> {
  side: TradeSide;
  /** Bar indices in the traded symbol's own bars. */
  entry_index: number;
  exit_index: number;
  entry_time: number;
  exit_time: number;
  /**
   * Slippage given up on both legs, in the account's currency: Σ |fill price − reference price| ×
   * quantity, the reference being the bar's open (or the last close for a position closed at the
   * end). `fees` is the commission; the two together are what the trade cost.
   */
  slippage_cost: number;
}

/** Statistics of one equity curve, gathered inside the simulation loop (no second pass). */
export interface CurveStats {
  /** Per-bar returns counted: one per bar, bar 0 measured against the initial capital. */
  returnCount: number;
  sumReturns: number;
  sumSquaredReturns: number;
  /** Σ min(r, 0)²: the downside part, for the Sortino ratio. */
  sumSquaredDownside: number;
  /** Largest fall from a running peak (the initial capital counts as the first peak), as a fraction of that peak. */
  maxDrawdown: number;
  /** Bar of the peak and of the trough of the largest drawdown; −1 when there was none. */
  peakIndex: number;
  troughIndex: number;
}

export interface SimulationResult {
  /** Strategy equity at each bar's close; the last point is the liquidation value (see README). */
  equity: Float64Array;
  /** Buy-and-hold over the same bars: bought at the first open, same costs, liquidated at the last close. */
  benchmark: Float64Array;
  /** Position held during each bar (after that bar's open fill): 1 long, −1 short, 0 flat. */
  position: Int8Array;
  trades: Trade[];
  initialCapital: number;
  positionMode: PositionMode;
  stats: {
    strategy: CurveStats;
    benchmark: CurveStats;
    /**
     * Bars with a position (for exposure). A portfolio counts each of its bars by the fraction of
     * its sleeves holding a position then, so the count can be fractional.
     */
    exposedBars: number;
  };
}

/** The time axis a curve is measured on: one symbol's bars, or a portfolio's union of bar times. */
export type CurveAxis = Pick<Bars, 'symbol' | 'timeframe' | 'time'>;

/**
 * What the metrics and the equity artifact read of a run: a `SimulationResult` (one symbol), or a
 * portfolio's combined curves and pooled trades (`combineSleeves`).
 */
export type CurveResult = Pick<SimulationResult, 'equity' | 'benchmark' | 'trades' | 'initialCapital' | 'stats'>;
