import type { Timeframe } from '@ktrdr/agent-domain';

/**
 * OHLCV bars as columns (struct of arrays): the indicator, training and backtest loops walk
 * millions of bars, and typed arrays keep that fast and compact. `time` is the bar's open time
 * in epoch milliseconds, strictly increasing.
 */
export interface Bars {
  symbol: string;
  timeframe: Timeframe;
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

export interface DateWindow {
  /** ISO date or date-time, inclusive. */
  start: string;
  /** ISO date or date-time, inclusive (a bare date means the whole day). */
  end: string;
}

export function barCount(bars: Bars): number {
  return bars.time.length;
}
