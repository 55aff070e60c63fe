import { z } from 'zod';

/**
 * The indicators a strategy may use, with their parameters and named outputs. The
 * strategy schema validates against this table, the feature pipeline computes exactly these
 * (with `trading-signals`), and the designers (Claude and offline) describe it to choose from.
 * An input like `macd_12_26_9.histogram` picks an output; without a dot the default output is used.
 */

const period = (def: number) =>
  z
    .number({ error: (issue) => (issue.code === 'invalid_type' ? 'expected a positive integer' : undefined) })
    .int({ error: 'expected a positive integer' })
    .min(1, { error: 'expected a positive integer' })
    .max(500, { error: 'expected at most 500' })
    .default(def);

export interface IndicatorSpec {
  /** Parameters besides `type`, with defaults. */
  params: z.ZodObject;
  /** Named outputs; the first is the default. */
  outputs: readonly string[];
  /** One line for people and for the designer prompt: what it measures and its usual range. */
  description: string;
}

export const INDICATOR_CATALOGUE = {
  rsi: {
    params: z.object({ period: period(14) }).strict(),
    outputs: ['value'],
    description: 'Relative Strength Index, 0-100; <30 oversold, >70 overbought',
  },
  sma: {
    params: z.object({ period: period(20) }).strict(),
    outputs: ['distance', 'value'],
    description: 'Simple moving average; `distance` = close/SMA - 1 (fraction, ~-0.1..0.1), `value` in price units',
  },
  ema: {
    params: z.object({ period: period(20) }).strict(),
    outputs: ['distance', 'value'],
    description: 'Exponential moving average; `distance` = close/EMA - 1 (fraction), `value` in price units',
  },
  macd: {
    params: z.object({ fast_period: period(12), slow_period: period(26), signal_period: period(9) }).strict(),
    outputs: ['histogram', 'macd', 'signal'],
    description: 'MACD normalised by close (fractions, ~-0.02..0.02); outputs histogram, macd, signal',
  },
  bbands: {
    params: z
      .object({
        period: period(20),
        std_dev: z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' }).max(10).default(2),
      })
      .strict(),
    outputs: ['percent_b', 'width', 'upper', 'middle', 'lower'],
    description: 'Bollinger Bands; `percent_b` 0..1 inside the bands, `width` = (upper-lower)/middle; bands in price units',
  },
  atr: {
    params: z.object({ period: period(14) }).strict(),
    outputs: ['percent', 'value'],
    description: 'Average True Range; `percent` = ATR/close (fraction, ~0.005..0.05), `value` in price units',
  },
  stochastic: {
    params: z.object({ k_period: period(14), d_period: period(3), smooth: period(3) }).strict(),
    outputs: ['k', 'd'],
    description: 'Stochastic oscillator %K and %D, 0-100; <20 oversold, >80 overbought',
  },
  roc: {
    params: z.object({ period: period(10) }).strict(),
    outputs: ['value'],
    description: 'Rate of change in percent (e.g. -10..10)',
  },
  cci: {
    params: z.object({ period: period(20) }).strict(),
    outputs: ['value'],
    description: 'Commodity Channel Index, typically -200..200; beyond ±100 is extended',
  },
  williams_r: {
    params: z.object({ period: period(14) }).strict(),
    outputs: ['value'],
    description: 'Williams %R, -100..0; < -80 oversold, > -20 overbought',
  },
  adx: {
    params: z.object({ period: period(14) }).strict(),
    outputs: ['adx', 'plus_di', 'minus_di'],
    description: 'Average Directional Index 0-100 (trend strength; >25 trending) with +DI and -DI',
  },
  obv: {
    params: z.object({ period: period(20) }).strict(),
    outputs: ['slope'],
    description: 'On-Balance Volume; `slope` = OBV change over `period` bars / average volume over the same bars (~-10..10)',
  },
} as const satisfies Record<string, IndicatorSpec>;

export type IndicatorType = keyof typeof INDICATOR_CATALOGUE;
export const INDICATOR_TYPES = Object.keys(INDICATOR_CATALOGUE) as IndicatorType[];

export function isIndicatorType(value: unknown): value is IndicatorType {
  return typeof value === 'string' && value in INDICATOR_CATALOGUE;
}

/** `macd_12_26_9.histogram` → {id: 'macd_12_26_9', output: 'histogram'}; no dot → output null (the default). */
export function splitIndicatorRef(ref: string): { id: string; output: string | null } {
  const dot = ref.indexOf('.');
  return dot < 0 ? { id: ref, output: null } : { id: ref.slice(0, dot), output: ref.slice(dot + 1) };
}

export function defaultOutput(type: IndicatorType): string {
  return INDICATOR_CATALOGUE[type].outputs[0]!;
}
