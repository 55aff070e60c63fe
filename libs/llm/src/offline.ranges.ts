import type { IndicatorType } from '@ktrdr/agent-domain';

/**
 * Where each indicator output really lives (see the catalogue's descriptions), for the offline
 * designer's fuzzy sets. `points` are a low, a middle and a high reading on daily bars at the
 * reference period; outputs that are fractions of price widen with the bar length (√ of the
 * timeframe in days, as price moves do) and, where marked, with the indicator's period.
 * `bounds` are values the output (practically) never leaves; the outer sets reach past them so
 * every value has a membership.
 */
export interface OutputRange {
  bounds: [number, number];
  points: [number, number, number];
  names: [string, string, string];
  /** Scale the points with √(timeframe / 1 day). */
  timeframeScaled: boolean;
  /** Scale the points with √(period / referencePeriod) (param name, reference). */
  periodScaled?: { param: string; reference: number };
}

const OSC = ['oversold', 'neutral', 'overbought'] as [string, string, string];
const DIST = ['below', 'near', 'above'] as [string, string, string];
const DIR = ['falling', 'flat', 'rising'] as [string, string, string];

export const OUTPUT_RANGES: Readonly<Record<string, OutputRange>> = {
  'rsi.value': { bounds: [0, 100], points: [30, 50, 70], names: OSC, timeframeScaled: false },
  'stochastic.k': { bounds: [0, 100], points: [20, 50, 80], names: OSC, timeframeScaled: false },
  'stochastic.d': { bounds: [0, 100], points: [20, 50, 80], names: OSC, timeframeScaled: false },
  'williams_r.value': { bounds: [-100, 0], points: [-80, -50, -20], names: OSC, timeframeScaled: false },
  'cci.value': { bounds: [-1000, 1000], points: [-100, 0, 100], names: OSC, timeframeScaled: false },
  'bbands.percent_b': { bounds: [-5, 6], points: [0.1, 0.5, 0.9], names: ['lower', 'middle', 'upper'], timeframeScaled: false },
  'bbands.width': { bounds: [0, 5], points: [0.03, 0.07, 0.14], names: ['narrow', 'normal', 'wide'], timeframeScaled: true },
  'sma.distance': { bounds: [-1, 10], points: [-0.03, 0, 0.03], names: DIST, timeframeScaled: true, periodScaled: { param: 'period', reference: 20 } },
  'ema.distance': { bounds: [-1, 10], points: [-0.025, 0, 0.025], names: DIST, timeframeScaled: true, periodScaled: { param: 'period', reference: 20 } },
  'macd.histogram': { bounds: [-1, 1], points: [-0.003, 0, 0.003], names: ['bearish', 'flat', 'bullish'], timeframeScaled: true },
  'macd.macd': { bounds: [-1, 1], points: [-0.01, 0.001, 0.01], names: ['bearish', 'flat', 'bullish'], timeframeScaled: true },
  'atr.percent': { bounds: [0, 1], points: [0.008, 0.013, 0.025], names: ['calm', 'normal', 'volatile'], timeframeScaled: true },
  'adx.adx': { bounds: [0, 100], points: [15, 25, 40], names: ['weak', 'moderate', 'strong'], timeframeScaled: false },
  'roc.value': { bounds: [-100, 1000], points: [-4, 0, 4], names: DIR, timeframeScaled: true, periodScaled: { param: 'period', reference: 10 } },
  'obv.slope': { bounds: [-1000, 1000], points: [-4, 0, 4], names: DIR, timeframeScaled: false, periodScaled: { param: 'period', reference: 20 } },
};

/** The output the offline designer reads from each indicator type. */
export const PRIMARY_OUTPUT: Readonly<Record<IndicatorType, string>> = {
  rsi: 'value',
  sma: 'distance',
  ema: 'distance',
  macd: 'histogram',
  bbands: 'percent_b',
  atr: 'percent',
  stochastic: 'k',
  roc: 'value',
  cci: 'value',
  williams_r: 'value',
  adx: 'adx',
  obv: 'slope',
};

/** Parameter variants the offline designer chooses from (all within the catalogue's limits). */
export const PARAM_VARIANTS: Readonly<Record<IndicatorType, readonly Record<string, number>[]>> = {
  rsi: [{ period: 7 }, { period: 14 }, { period: 21 }],
  sma: [{ period: 20 }, { period: 50 }, { period: 100 }],
  ema: [{ period: 12 }, { period: 26 }, { period: 50 }],
  macd: [
    { fast_period: 12, slow_period: 26, signal_period: 9 },
    { fast_period: 8, slow_period: 21, signal_period: 5 },
    { fast_period: 19, slow_period: 39, signal_period: 9 },
  ],
  bbands: [
    { period: 20, std_dev: 2 },
    { period: 20, std_dev: 2.5 },
    { period: 10, std_dev: 1.5 },
  ],
  atr: [{ period: 10 }, { period: 14 }, { period: 20 }],
  stochastic: [
    { k_period: 14, d_period: 3, smooth: 3 },
    { k_period: 9, d_period: 3, smooth: 3 },
    { k_period: 21, d_period: 5, smooth: 5 },
  ],
  roc: [{ period: 5 }, { period: 10 }, { period: 20 }],
  cci: [{ period: 14 }, { period: 20 }, { period: 30 }],
  williams_r: [{ period: 10 }, { period: 14 }, { period: 21 }],
  adx: [{ period: 14 }, { period: 20 }],
  obv: [{ period: 10 }, { period: 20 }, { period: 40 }],
};
