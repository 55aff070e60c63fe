import { z } from 'zod';
import { nullable, request, response } from './registry.js';
import { SYMBOL, SYMBOL_RULE, TIMEFRAMES } from './vocabulary.js';

/**
 * Research campaigns: an `agent_campaign` operation whose children are research cycles, run one
 * after another (or a few at a time) until a stop rule fires. Every cycle is a trial in the
 * campaign's ledger; selection deflates each trial's Sharpe ratio by the number of trials tried, and
 * the finalists meet a sealed holdout once at the end.
 */

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optional = <S extends z.ZodType>(schema: S) => schema.optional().catch(undefined);

export const CAMPAIGN_OPERATION_TYPE = 'agent_campaign' as const;

/** Which rule ended the search. */
export const STOP_REASONS = ['max_cycles', 'max_duration', 'budget', 'unproductive', 'target_reached', 'cancelled'] as const;
export type StopReason = (typeof STOP_REASONS)[number];

export const CAMPAIGN_VERDICTS = ['found', 'nothing_found'] as const;
export type CampaignVerdict = (typeof CAMPAIGN_VERDICTS)[number];

export const TRIAL_OUTCOMES = ['passed', 'gate_failed', 'failed', 'cancelled'] as const;
export type TrialOutcome = (typeof TRIAL_OUTCOMES)[number];

/** How the offline designer picks each trial's design: learning from the ledger, or at random (the control). */
export const CAMPAIGN_SEARCHES = ['directed', 'random'] as const;
export type CampaignSearch = (typeof CAMPAIGN_SEARCHES)[number];

/** Where the campaign is: searching (trials), evaluating its finalists on the holdout, or done. */
export const CAMPAIGN_STAGES = ['searching', 'holdout', 'done'] as const;
export type CampaignStage = (typeof CAMPAIGN_STAGES)[number];

const DURATION = /^(\d{1,7})(s|m|h|d)$/;
const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `max_duration` as seconds: a number of seconds or a string such as `90m`, `2h`, `1d`. */
export function durationSeconds(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = DURATION.exec(value)!;
  return Number(m[1]) * UNIT_SECONDS[m[2]!]!;
}

const int = (min: number, max: number) =>
  z.number({ message: 'expected a number' }).int('expected a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

// ---- start ------------------------------------------------------------------------------------

export const CampaignRequestSchema = request(
  'CampaignRequest',
  z.strictObject(
    {
      brief: z.string({ message: 'expected a string' }).max(4000, 'at most 4000 characters').optional().meta({ description: 'Free text guiding every design' }),
      model: z
        .string({ message: 'expected a string' })
        .max(100, 'at most 100 characters')
        .optional()
        .meta({ description: 'opus | sonnet | haiku or a full model id (with an API key)' }),
      scope: z
        .strictObject(
          {
            symbols: z
              .array(z.string({ message: 'expected a string' }).regex(SYMBOL, SYMBOL_RULE), { message: 'expected a list of symbols' })
              .min(1, 'name at least one symbol')
              .max(5, 'at most 5 symbols'),
            timeframe: z.enum(TIMEFRAMES, { message: `expected one of ${TIMEFRAMES.join(', ')}` }),
          },
          { message: 'expected an object with symbols and timeframe' },
        )
        .optional()
        .meta({ description: 'The market every trial researches (default: SP500 1d, the built-in sample)' }),
      max_cycles: int(1, 1000).optional().meta({ description: 'Trials at most (default 20)' }),
      max_duration: z
        .union([int(1, 30 * 86_400), z.string().regex(DURATION, 'expected seconds or a duration such as 90m, 2h, 1d')], {
          message: 'expected seconds or a duration such as 90m, 2h, 1d',
        })
        .optional()
        .meta({ description: 'Wall-clock limit of the search: seconds, or 90m / 2h / 1d' }),
      budget_usd: z.number({ message: 'expected a number' }).positive('must be above 0').max(10_000, 'must be at most 10000').optional(),
      concurrency: int(1, 16).optional().meta({ description: 'Cycles at once (default 1); counted against KTRDR_MAX_CONCURRENT_CYCLES' }),
      stop_after_unproductive: int(1, 1000)
        .optional()
        .meta({ description: 'Stop after this many trials in a row that did not raise the best DSR (default 5)' }),
      target_dsr: z.number({ message: 'expected a number' }).gt(0, 'must be above 0').lt(1, 'must be below 1').optional(),
      holdout_fraction: z
        .number({ message: 'expected a number' })
        .min(0.05, 'must be at least 0.05')
        .max(0.5, 'must be at most 0.5')
        .optional()
        .meta({ description: 'Share of the last bars sealed until the end (default 0.2; at least a year on daily bars)' }),
      finalists: int(1, 10).optional().meta({ description: 'Top trials by DSR evaluated on the holdout (default 3)' }),
      seed: int(0, 2 ** 31 - 1)
        .optional()
        .meta({ description: 'Seed of the offline search (default: from the campaign id)' }),
      search: z
        .enum(CAMPAIGN_SEARCHES, { message: `expected one of ${CAMPAIGN_SEARCHES.join(', ')}` })
        .optional()
        .meta({
          description: 'Offline designer: directed (learns from the ledger, default) or random (the control)',
        }),
    },
    { message: 'expected a JSON object' },
  ),
);
export type CampaignRequest = z.input<typeof CampaignRequestSchema>;

export const CampaignStartedSchema = response(
  'CampaignStarted',
  z.object({
    triggered: z.literal(true),
    operation_id: z.string(),
    holdout: z.object({ from: z.string(), to: z.string() }),
    resumed_from: z.string().optional(),
    message: z.string(),
  }),
);
export type CampaignStarted = z.infer<typeof CampaignStartedSchema>;

// ---- the record -------------------------------------------------------------------------------

const holdoutSchema = z.object({ from: z.string(), to: z.string() });
export type HoldoutWindow = z.output<typeof holdoutSchema>;

/** A finalist's one look at the holdout: its cycle, and the numbers or the failure. */
export const HoldoutResultSchema = z.object({
  trial: z.number(),
  cycle_id: z.string().nullable(),
  status: z.enum(['pending', 'running', 'completed', 'failed', 'cancelled']),
  sharpe_ratio: z.number().nullable(),
  total_return: z.number().nullable(),
  max_drawdown: z.number().nullable(),
  total_trades: z.number().nullable(),
  win_rate: z.number().nullable(),
  benchmark_return: z.number().nullable(),
  error: z.string().nullable(),
});
export type HoldoutResult = z.output<typeof HoldoutResultSchema>;

/** A finalist's look before its cycle has any number: claimed, or shown as still to come. */
export function pendingHoldoutResult(trial: number): HoldoutResult {
  return {
    trial,
    cycle_id: null,
    status: 'pending',
    sharpe_ratio: null,
    total_return: null,
    max_drawdown: null,
    total_trades: null,
    win_rate: null,
    benchmark_return: null,
    error: null,
  };
}

export const BestTrialSchema = z.object({ trial: z.number(), dsr: z.number(), sharpe: z.number(), strategy_name: z.string().nullable() });

/** The campaign's state, in its `metadata.parameters`. */
export const CampaignParametersSchema = z.object({
  stage: z.enum(CAMPAIGN_STAGES).catch('searching'),
  brief: z.string().nullable().default(null).catch(null),
  model: z.string().nullable().default(null).catch(null),
  scope: z.object({ symbols: z.array(z.string()), timeframe: z.string() }).catch({ symbols: ['SP500'], timeframe: '1d' }),
  max_cycles: z.number().default(20).catch(20),
  max_duration_seconds: z.number().nullable().default(null).catch(null),
  budget_usd: z.number().nullable().default(null).catch(null),
  concurrency: z.number().default(1).catch(1),
  stop_after_unproductive: z.number().default(5).catch(5),
  target_dsr: z.number().nullable().default(null).catch(null),
  holdout_fraction: z.number().default(0.2).catch(0.2),
  finalists: z.number().default(3).catch(3),
  seed: z.number().default(1).catch(1),
  search: z.enum(CAMPAIGN_SEARCHES).catch('directed'),
  holdout: optional(holdoutSchema),
  /** Whose trials these are: the first campaign's id, shared by every campaign resumed from it. */
  ledger_id: optional(z.string()),
  resumed_from: optional(z.string()),
  /** Cycles created so far (trials and holdout evaluations); the guard that keeps concurrent steps from starting one twice. */
  cycles_started: z.number().default(0).catch(0),
  /** The campaign's own clock: when its search started (a resumed campaign's clock starts again). */
  started_search_at: optional(z.string()),
  best: optional(BestTrialSchema.nullable()),
  unproductive_streak: optional(z.number()),
  spent_usd: optional(z.number()),
  stop_reason: optional(z.enum(STOP_REASONS)),
  finalist_trials: optional(z.array(z.number())),
  verdict: optional(z.enum(CAMPAIGN_VERDICTS)),
  verdict_reason: optional(z.string()),
  pbo: optional(z.number().nullable()),
  failure: optional(z.custom<Record<string, unknown>>(isRecord)),
});
export type CampaignParameters = z.output<typeof CampaignParametersSchema>;
export type CampaignParametersPatch = Partial<CampaignParameters>;

export function readCampaignParameters(raw: unknown): CampaignParameters {
  return CampaignParametersSchema.parse(isRecord(raw) ? raw : {});
}

// ---- the ledger -------------------------------------------------------------------------------

/** The walk-forward numbers a trial is judged by (null when the cycle did not get that far). */
export const TrialMetricsSchema = z.object({
  accuracy: z.number().nullable(),
  majority_baseline: z.number().nullable(),
  sharpe_ratio: z.number().nullable(),
  total_return: z.number().nullable(),
  max_drawdown: z.number().nullable(),
  win_rate: z.number().nullable(),
  total_trades: z.number().nullable(),
  random_entry_p_value: z.number().nullable(),
  psr: z.number().nullable(),
  /** The per-bar (not annualised) Sharpe ratio of the out-of-sample returns: the one DSR deflates. */
  per_bar_sharpe: z.number().nullable(),
  bars: z.number(),
});
export type TrialMetrics = z.output<typeof TrialMetricsSchema>;

/** The idea behind a design: its family (what the search learns over) and its hypothesis. */
export const TrialIdeaSchema = z.object({ family: z.string(), hypothesis: z.string().nullable() });

/** The design parameters the search varies, as recorded. */
export const TrialParamsSchema = z.object({
  indicators: z.array(z.string()),
  label: z.string().nullable(),
  hidden_layers: z.array(z.number()),
  confidence_threshold: z.number().nullable(),
  symbol: z.string().nullable(),
  timeframe: z.string().nullable(),
});

/** One trial as it is kept in the ledger (its returns are kept beside it, not in it). */
export const TrialRecordSchema = z.object({
  trial: z.number(),
  cycle_id: z.string(),
  campaign_id: z.string(),
  strategy_name: z.string().nullable(),
  strategy_hash: z.string().nullable(),
  idea: TrialIdeaSchema.nullable(),
  params: TrialParamsSchema.nullable(),
  outcome: z.enum(TRIAL_OUTCOMES),
  reason: z.string().nullable(),
  metrics: TrialMetricsSchema,
  recorded_at: z.string(),
  /** The DSR with the trials recorded up to and including this one (what the stop rule saw). */
  dsr_at_record: z.number().nullable(),
});
export type TrialRecord = z.output<typeof TrialRecordSchema>;

/** A trial as the API shows it: its record and its DSR among every trial so far. */
export const TrialSchema = response(
  'CampaignTrial',
  TrialRecordSchema.extend({
    dsr: nullable(z.number()).meta({ description: 'Deflated Sharpe Ratio among every trial of the ledger so far; null without out-of-sample returns' }),
    holdout_result: HoldoutResultSchema.nullable(),
  }),
);
export type Trial = z.infer<typeof TrialSchema>;

export const TrialListSchema = response(
  'CampaignTrials',
  z.object({
    success: z.literal(true),
    data: z.array(TrialSchema),
    total_count: z.number(),
    dsr_threshold: z.number().meta({ description: 'KTRDR_CAMPAIGN_MIN_DSR: the DSR a finalist needs for the verdict found' }),
    expected_max_sharpe: nullable(z.number()).meta({ description: 'SR₀, the per-bar Sharpe the best of N skill-less trials would show' }),
  }),
);

export const LeaderboardSchema = response(
  'CampaignLeaderboard',
  z.object({
    success: z.literal(true),
    data: z.array(TrialSchema.extend({ rank: z.number() })),
    trials: z.number(),
    pbo: nullable(z.number()).meta({ description: 'Probability of Backtest Overfitting (CSCV) over the trials with out-of-sample returns' }),
    pbo_trials: z.number(),
    pbo_bars: z.number(),
    dsr_threshold: z.number(),
    pbo_threshold: z.number(),
  }),
);

/** What the campaign learned, in numbers per idea family and in words. */
export const FamilyLessonSchema = z.object({
  family: z.string(),
  trials: z.number(),
  passed: z.number(),
  best_dsr: z.number().nullable(),
  mean_sharpe: z.number().nullable(),
});
export type FamilyLesson = z.output<typeof FamilyLessonSchema>;

export const CampaignViewSchema = response(
  'Campaign',
  z.object({
    operation_id: z.string(),
    status: z.enum(['pending', 'running', 'completed', 'failed', 'cancelled']),
    stage: z.enum(CAMPAIGN_STAGES),
    created_at: z.string(),
    started_at: nullable(z.string()),
    completed_at: nullable(z.string()),
    error_message: nullable(z.string()),
    brief: nullable(z.string()),
    scope: z.object({ symbols: z.array(z.string()), timeframe: z.string() }),
    limits: z.object({
      max_cycles: z.number(),
      max_duration_seconds: nullable(z.number()),
      budget_usd: nullable(z.number()),
      concurrency: z.number(),
      stop_after_unproductive: z.number(),
      target_dsr: nullable(z.number()),
      finalists: z.number(),
      search: z.enum(CAMPAIGN_SEARCHES),
      seed: z.number(),
    }),
    holdout: nullable(holdoutSchema),
    ledger_id: z.string(),
    resumed_from: nullable(z.string()),
    trials: z.number().meta({ description: 'Trials in the ledger (every cycle, failures included)' }),
    active_cycles: z.array(z.string()),
    best: nullable(BestTrialSchema),
    spent_usd: z.number(),
    stop_reason: nullable(z.enum(STOP_REASONS)),
    verdict: nullable(z.enum(CAMPAIGN_VERDICTS)),
    verdict_reason: nullable(z.string()),
    pbo: nullable(z.number()),
    finalists: z.array(HoldoutResultSchema),
    lessons: z.array(FamilyLessonSchema),
    report: z.array(z.string()).meta({ description: 'What the campaign found and learned, in sentences' }),
  }),
);
export type CampaignView = z.infer<typeof CampaignViewSchema>;

export const CampaignEnvelopeSchema = response('CampaignEnvelope', z.object({ success: z.literal(true), data: CampaignViewSchema }));
export const CampaignListSchema = response('CampaignList', z.object({ success: z.literal(true), data: z.array(CampaignViewSchema), total_count: z.number() }));

export const CampaignCancelledSchema = response(
  'CampaignCancelled',
  z.object({
    success: z.literal(true),
    operation_id: z.string(),
    status: z.literal('cancelled'),
    children_cancelled: z.array(z.string()),
    message: z.string(),
  }),
);

/** Why a campaign route refused: the usual envelope plus a reason clients can script against. */
export const CAMPAIGN_REFUSALS = ['not_found', 'not_campaign', 'not_cancellable', 'not_resumable', 'holdout_used'] as const;
