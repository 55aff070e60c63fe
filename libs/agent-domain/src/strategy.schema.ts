import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { INDICATOR_CATALOGUE, INDICATOR_TYPES, isIndicatorType, splitIndicatorRef, type IndicatorType } from './indicator.catalogue.js';
import { STRATEGY_NAME } from './naming.js';

/**
 * The strategy file (ktrdr v3 YAML), validated by one schema shared by the trainer, the
 * backtester and both designers. Every error names its path (`indicators.rsi_14.period: expected
 * a positive integer`), so a user or Claude can fix the file from the message alone.
 */

import { SYMBOL, SYMBOL_RULE, TIMEFRAMES, type EvaluationPlan, type Timeframe } from '@ktrdr/api-contract';
export { SYMBOL, SYMBOL_RULE, TIMEFRAMES, type Timeframe };
export const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
  '1w': 604_800_000,
};

const ID = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const idKey = z.string().regex(ID, { error: 'expected an id of letters, digits and "_" starting with a letter (1-64)' });

const isoDate = z
  .string({ error: 'expected a date (YYYY-MM-DD)' })
  .regex(/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+Z?)?$/, { error: 'expected a date (YYYY-MM-DD)' })
  .refine((s) => !Number.isNaN(Date.parse(s)), { error: 'not a real date' });

const dateRange = z
  .object({ start: isoDate, end: isoDate })
  .strict()
  .refine((r) => Date.parse(r.start) < Date.parse(r.end), { error: 'start must be before end', path: ['end'] });

const fraction = (what = 'a fraction between 0 and 1') =>
  z
    .number({ error: `expected ${what}` })
    .min(0, { error: `expected ${what}` })
    .max(1, { error: `expected ${what}` });
// The type error only: a schema-level message would also replace `.max()`'s "expected at most N".
const positiveInt = z
  .number({ error: (issue) => (issue.code === 'invalid_type' ? 'expected a positive integer' : undefined) })
  .int({ error: 'expected a positive integer' })
  .min(1, { error: 'expected a positive integer' });

/** One indicator entry: `{type, ...params}`; params are checked against the catalogue, defaults filled in. */
const indicatorEntry = z
  .object({ type: z.string({ error: 'expected an indicator type' }) })
  .loose()
  .transform((entry, ctx) => {
    const { type, ...params } = entry;
    if (!isIndicatorType(type)) {
      ctx.addIssue({ code: 'custom', path: ['type'], message: `unknown indicator type "${type}"; use one of ${INDICATOR_TYPES.join(', ')}` });
      return z.NEVER;
    }
    const parsed = INDICATOR_CATALOGUE[type].params.safeParse(params);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path as PropertyKey[], message: issue.message });
      return z.NEVER;
    }
    return { type, ...(parsed.data as Record<string, number>) } as IndicatorConfig;
  });

export type IndicatorConfig = { type: IndicatorType } & Record<string, number>;

export const MEMBERSHIP_TYPES = ['triangular', 'trapezoidal', 'gaussian'] as const;

const membership = z.discriminatedUnion(
  'type',
  [
    z
      .object({ type: z.literal('triangular'), parameters: z.tuple([z.number(), z.number(), z.number()], { error: 'expected [a, b, c]' }) })
      .strict()
      .refine(({ parameters: [a, b, c] }) => a <= b && b <= c && a < c, { error: 'expected a <= b <= c with a < c', path: ['parameters'] }),
    z
      .object({ type: z.literal('trapezoidal'), parameters: z.tuple([z.number(), z.number(), z.number(), z.number()], { error: 'expected [a, b, c, d]' }) })
      .strict()
      .refine(({ parameters: [a, b, c, d] }) => a <= b && b <= c && c <= d && a < d, { error: 'expected a <= b <= c <= d with a < d', path: ['parameters'] }),
    z
      .object({ type: z.literal('gaussian'), parameters: z.tuple([z.number(), z.number()], { error: 'expected [mean, sigma]' }) })
      .strict()
      .refine(({ parameters: [, sigma] }) => sigma > 0, { error: 'sigma must be positive', path: ['parameters'] }),
  ],
  { error: `expected a membership function of type ${MEMBERSHIP_TYPES.join(', ')}` },
);
export type MembershipConfig = z.infer<typeof membership>;

/** `{indicator: 'rsi_14', oversold: {type, parameters}, …}`: every key besides `indicator` is a set. */
const fuzzySet = z
  .object({ indicator: z.string({ error: 'expected an indicator reference (id or id.output)' }) })
  .catchall(membership)
  .refine((fs) => Object.keys(fs).length >= 2, { error: 'expected at least one membership set besides "indicator"' });
export type FuzzySetConfig = { indicator: string } & Record<string, MembershipConfig | string>;

export const LABEL_SOURCES = ['zigzag', 'forward_return', 'triple_barrier'] as const;
export type LabelSource = (typeof LABEL_SOURCES)[number];

const aboveZeroFraction = z.number().gt(0, { error: 'expected a fraction above 0' }).lt(1, { error: 'expected a fraction below 1' });
const labelHorizonBars = positiveInt.max(500);
// The type error only, as for positiveInt (each bound words its own), and not for a missing key ("required").
const typedNumber = (what: string) =>
  z.number({ error: (issue) => (issue.code === 'invalid_type' && issue.input !== undefined ? `expected ${what}` : undefined) });
const fractionFromZero = typedNumber('a fraction').min(0, { error: 'expected a fraction of at least 0' }).lt(1, { error: 'expected a fraction below 1' });
const volatilityMultiple = typedNumber('a multiple of the volatility').gt(0, { error: 'expected a multiple above 0' }).max(100);

/**
 * `training.labels`, one shape per `source` (the rules: libs/features, docs/RESEARCH.md Training):
 * - zigzag: `zigzag_threshold` (fraction), `label_lookahead` (bars).
 * - forward_return: `horizon` (bars), `threshold` (fraction), optional `cost` (round-trip fraction;
 *   omitted: 2 × (backtest.commission + backtest.slippage), see labelCost).
 * - triple_barrier: `horizon` (bars, the vertical barrier), `profit_take` and `stop_loss` (multiples
 *   of the rolling volatility), `volatility_window` (bars of one-bar returns, default 20).
 */
const labelsSchema = z.discriminatedUnion(
  'source',
  [
    z
      .object({
        source: z.literal('zigzag'),
        zigzag_threshold: aboveZeroFraction,
        label_lookahead: labelHorizonBars,
      })
      .strict(),
    z
      .object({
        source: z.literal('forward_return'),
        horizon: labelHorizonBars,
        threshold: fractionFromZero,
        cost: fractionFromZero.optional(),
      })
      .strict(),
    z
      .object({
        source: z.literal('triple_barrier'),
        horizon: labelHorizonBars,
        profit_take: volatilityMultiple,
        stop_loss: volatilityMultiple,
        volatility_window: typedNumber('a whole number of bars')
          .int({ error: 'expected a whole number of bars' })
          .min(2, { error: 'expected at least 2 bars' })
          .max(500)
          .default(20),
      })
      .strict(),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? `expected a label source: ${LABEL_SOURCES.join(', ')}` : undefined) },
);
export type LabelsConfig = z.output<typeof labelsSchema>;

const timeframe = z.enum(TIMEFRAMES, { error: `expected a timeframe (${TIMEFRAMES.join(', ')})` });

export const strategySchema = z
  .object({
    name: z.string().regex(STRATEGY_NAME, { error: 'expected letters, digits, "_" and "-" only (1-64)' }),
    description: z.string().max(2000).default(''),
    version: z.union([z.string(), z.number()]).transform(String).default('3.0'),
    hypothesis: z.string().max(4000).default(''),
    training_data: z
      .object({
        symbols: z
          .array(z.string().regex(SYMBOL, { error: SYMBOL_RULE }))
          .min(1)
          .max(10),
        timeframes: z.array(timeframe).min(1).max(4),
        date_range: dateRange,
      })
      .strict(),
    indicators: z.record(idKey, indicatorEntry).refine((r) => Object.keys(r).length > 0, { error: 'expected at least one indicator' }),
    fuzzy_sets: z.record(idKey, fuzzySet).refine((r) => Object.keys(r).length > 0, { error: 'expected at least one fuzzy set' }),
    nn_inputs: z.array(z.object({ fuzzy_set: z.string(), timeframes: z.union([z.array(timeframe).min(1), z.literal('all')]).default('all') }).strict()).min(1),
    model: z
      .object({
        type: z.literal('mlp', { error: 'expected "mlp"' }),
        architecture: z
          .object({
            hidden_layers: z.array(positiveInt.max(512)).min(1).max(4),
            activation: z.enum(['relu', 'tanh', 'sigmoid', 'elu']).default('relu'),
            dropout: fraction().max(0.9).default(0),
          })
          .strict(),
        training: z
          .object({
            learning_rate: z.number().positive().max(1).default(0.001),
            batch_size: positiveInt.max(4096).default(64),
            epochs: positiveInt.max(1000).default(50),
            early_stopping: z
              .object({ patience: positiveInt.max(100).default(8), min_delta: z.number().min(0).default(0.0005) })
              .strict()
              .default({ patience: 8, min_delta: 0.0005 }),
            seed: z.number().int().min(0).default(42),
            /**
             * none: plain cross-entropy (the loss gates compare against it); balanced: each class
             * weighs n / (3·n_class), so rare BUY/SELL labels count as much as HOLD — fairer
             * accuracy on minority classes, but the loss rarely drops below ~1.0 on market data.
             */
            class_weighting: z.enum(['none', 'balanced']).default('none'),
          })
          .strict(),
      })
      .strict(),
    decisions: z
      .object({
        output_format: z.literal('classification').default('classification'),
        confidence_threshold: fraction().default(0.5),
        /** long_only: BUY opens a long, SELL closes it; long_short: SELL also opens a short. */
        position_mode: z.enum(['long_only', 'long_short']).default('long_only'),
      })
      .strict()
      .default({ output_format: 'classification', confidence_threshold: 0.5, position_mode: 'long_only' }),
    training: z
      .object({
        labels: labelsSchema,
        data_split: z
          .object({ train: fraction(), validation: fraction(), test: fraction() })
          .strict()
          .refine((s) => Math.abs(s.train + s.validation + s.test - 1) < 1e-6, { error: 'train + validation + test must equal 1' })
          .refine((s) => s.train > 0 && s.validation > 0 && s.test > 0, { error: 'every part must be above 0' }),
      })
      .strict(),
    /**
     * Walk-forward evaluation (docs/RESEARCH.md, Walk-forward): the backtest window is cut into
     * `folds` test folds; each is predicted by models trained only on bars before it (from the
     * training window's start: `expanding`; or a window as long as the first fold's: `rolling`),
     * `purge` bars short of it, skipping `embargo` bars after every earlier test fold; `seeds`
     * models per fold. purge and embargo default to the label horizon (labelHorizon).
     */
    evaluation: z
      .object({
        folds: positiveInt.max(20).default(5),
        scheme: z.enum(['expanding', 'rolling']).default('expanding'),
        purge: z.number().int({ error: 'expected a whole number of bars' }).min(0).max(1000).optional(),
        embargo: z.number().int({ error: 'expected a whole number of bars' }).min(0).max(1000).optional(),
        seeds: positiveInt.max(10).default(3),
      })
      .strict()
      .default({ folds: 5, scheme: 'expanding', seeds: 3 }),
    backtest: z
      .object({
        date_range: dateRange,
        initial_capital: z.number().positive().default(100000),
        commission: z.number().min(0).max(0.1).default(0.001),
        slippage: z.number().min(0).max(0.1).default(0.0005),
      })
      .strict(),
  })
  .strict()
  .superRefine((s, ctx) => {
    for (const [id, fs] of Object.entries(s.fuzzy_sets)) {
      const { id: ref, output } = splitIndicatorRef(fs.indicator);
      const ind = s.indicators[ref];
      if (!ind) {
        ctx.addIssue({
          code: 'custom',
          path: ['fuzzy_sets', id, 'indicator'],
          message: `unknown indicator "${ref}"; defined: ${Object.keys(s.indicators).join(', ')}`,
        });
      } else if (output !== null && !(INDICATOR_CATALOGUE[ind.type].outputs as readonly string[]).includes(output)) {
        ctx.addIssue({
          code: 'custom',
          path: ['fuzzy_sets', id, 'indicator'],
          message: `${ind.type} has no output "${output}"; use one of ${INDICATOR_CATALOGUE[ind.type].outputs.join(', ')}`,
        });
      }
    }
    s.nn_inputs.forEach((input, i) => {
      if (!s.fuzzy_sets[input.fuzzy_set]) {
        ctx.addIssue({ code: 'custom', path: ['nn_inputs', i, 'fuzzy_set'], message: `unknown fuzzy set "${input.fuzzy_set}"` });
      }
      if (input.timeframes !== 'all') {
        const extra = input.timeframes.filter((t) => !s.training_data.timeframes.includes(t));
        if (extra.length)
          ctx.addIssue({ code: 'custom', path: ['nn_inputs', i, 'timeframes'], message: `not in training_data.timeframes: ${extra.join(', ')}` });
      }
    });
    if (Date.parse(s.backtest.date_range.start) <= Date.parse(s.training_data.date_range.end)) {
      ctx.addIssue({
        code: 'custom',
        path: ['backtest', 'date_range', 'start'],
        message: 'must be after training_data.date_range.end (the backtest runs on unseen bars)',
      });
    }
  });

export type StrategyConfig = z.output<typeof strategySchema>;
/** What a file or a designer provides, before defaults are filled in. */
export type StrategyInput = z.input<typeof strategySchema>;

export type StrategyParse = { ok: true; config: StrategyConfig } | { ok: false; errors: string[] };

/** `a.b.0.c: message` for every issue, in schema order. */
export function formatIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string[] {
  return issues.map((i) => {
    // zod words a missing key as a type error; say what a person would.
    const message = /received undefined$/.test(i.message) ? 'required' : i.message;
    return i.path.length ? `${i.path.map(String).join('.')}: ${message}` : message;
  });
}

export function parseStrategy(input: unknown): StrategyParse {
  const parsed = strategySchema.safeParse(input);
  return parsed.success ? { ok: true, config: parsed.data } : { ok: false, errors: formatIssues(parsed.error.issues) };
}

export function parseStrategyYaml(text: string): StrategyParse {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 50 });
  } catch (e) {
    return { ok: false, errors: [`not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`] };
  }
  return parseStrategy(doc);
}

export function strategyToYaml(config: StrategyConfig | StrategyInput): string {
  return stringifyYaml(config, { lineWidth: 0 });
}

/**
 * How many bars after bar t its label reads: a label at t depends on closes t+1 … t+horizon only
 * (zigzag: `label_lookahead`; forward_return and triple_barrier: `horizon`; the triple barrier's
 * volatility reads past bars). The last `horizon` bars have no label.
 */
export function labelHorizon(config: Pick<StrategyConfig, 'training'>): number {
  const labels = config.training.labels;
  switch (labels.source) {
    case 'zigzag':
      return labels.label_lookahead;
    case 'forward_return':
    case 'triple_barrier':
      return labels.horizon;
  }
}

/**
 * The round-trip cost a forward-return label must beat: `training.labels.cost` when given, else
 * 2 × (backtest.commission + backtest.slippage) — commission and slippage on the entry and the exit
 * fill, as the backtest charges them. 0 for the other label sources (they take no cost).
 */
export function labelCost(config: Pick<StrategyConfig, 'training' | 'backtest'>): number {
  const labels = config.training.labels;
  if (labels.source !== 'forward_return') return 0;
  return labels.cost ?? 2 * (config.backtest.commission + config.backtest.slippage);
}

/** The walk-forward plan with its defaults resolved (purge and embargo: the label horizon). */
export function evaluationPlan(config: Pick<StrategyConfig, 'evaluation' | 'training'>): EvaluationPlan {
  const horizon = labelHorizon(config);
  const e = config.evaluation;
  return { scheme: e.scheme, folds: e.folds, purge: e.purge ?? horizon, embargo: e.embargo ?? horizon, seeds: e.seeds };
}

/** The timeframe features and trades are computed on: the finest one the strategy lists. */
export function baseTimeframe(config: Pick<StrategyConfig, 'training_data'>): Timeframe {
  return [...config.training_data.timeframes].sort((a, b) => TIMEFRAME_MS[a] - TIMEFRAME_MS[b])[0]!;
}
