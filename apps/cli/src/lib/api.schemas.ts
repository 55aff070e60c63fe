/**
 * Wire shapes of the ktrdr API (SPEC §3, §4) as the CLI reads them.
 *
 * The CLI is a separate deployable that only speaks HTTP, so it keeps its own copy of the contract
 * instead of importing the server libraries. Every response is validated here: a server that
 * answers with something else produces one clear "unexpected response" line instead of a
 * TypeError deep inside a formatter. Objects are loose (unknown extra fields are kept) and
 * fields the CLI can live without are optional, so additive API changes never break it.
 */
import { z } from 'zod';

export const OPERATION_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export const OPERATION_TYPES = ['agent_research', 'agent_design', 'training', 'backtesting', 'agent_assessment'] as const;
export const TERMINAL_STATUSES: readonly string[] = ['completed', 'failed', 'cancelled'];

export type OperationStatus = (typeof OPERATION_STATUSES)[number];
export type OperationType = (typeof OPERATION_TYPES)[number];

const nullableString = z.string().nullable().optional();
const nullableNumber = z.number().nullable().optional();

export const ProgressSchema = z.looseObject({
  percentage: z.number().default(0),
  current_step: nullableString,
  steps_completed: nullableNumber,
  steps_total: nullableNumber,
});
export type Progress = z.infer<typeof ProgressSchema>;

export const OperationInfoSchema = z.looseObject({
  operation_id: z.string(),
  operation_type: z.string(),
  status: z.string(),
  parent_operation_id: nullableString,
  created_at: nullableString,
  started_at: nullableString,
  completed_at: nullableString,
  progress: ProgressSchema.nullable()
    .optional()
    .transform((p) => p ?? { percentage: 0, current_step: null }),
  metadata: z
    .looseObject({ parameters: z.record(z.string(), z.unknown()).nullable().optional() })
    .nullable()
    .optional(),
  result_summary: z.record(z.string(), z.unknown()).nullable().optional(),
  error_message: nullableString,
  cancelled_at: nullableString,
  cancellation_reason: nullableString,
});
export type OperationInfo = z.infer<typeof OperationInfoSchema>;

export const OperationEnvelopeSchema = z.looseObject({ success: z.boolean().optional(), data: OperationInfoSchema });

// ---- artifacts and live events (§4a) ----------------------------------------------------------

export const ArtifactListSchema = z.looseObject({
  success: z.boolean().optional(),
  data: z.looseObject({ operation_id: z.string(), artifacts: z.array(z.string()) }),
});
export type ArtifactList = z.infer<typeof ArtifactListSchema>['data'];

/** An artifact is whatever JSON the phase published; only the envelope is checked. */
export const ArtifactEnvelopeSchema = z.looseObject({ success: z.boolean().optional(), data: z.unknown() });

/** The payload of `update` and `end` events on GET /operations/{id}/events. */
export const OperationEventSchema = z.looseObject({
  operation: OperationInfoSchema,
  child: OperationInfoSchema.nullable()
    .optional()
    .transform((c) => c ?? null),
});
export type OperationEvent = z.infer<typeof OperationEventSchema>;

export const OperationSummarySchema = z.looseObject({
  operation_id: z.string(),
  operation_type: z.string(),
  status: z.string(),
  created_at: nullableString,
  progress_percentage: nullableNumber,
  current_step: nullableString,
  duration_seconds: nullableNumber,
});
export type OperationSummary = z.infer<typeof OperationSummarySchema>;

export const OperationListSchema = z.looseObject({
  success: z.boolean().optional(),
  data: z.array(OperationSummarySchema),
  total_count: z.number(),
  active_count: z.number(),
});
export type OperationList = z.infer<typeof OperationListSchema>;

export const CancelOperationSchema = z.looseObject({
  success: z.boolean().optional(),
  data: z.looseObject({
    operation_id: z.string(),
    status: z.string(),
    cancelled_at: nullableString,
    cancellation_reason: nullableString,
    children_cancelled: z.array(z.string()).default([]),
  }),
});
export type CancelOperationResult = z.infer<typeof CancelOperationSchema>['data'];

// ---- agent routes (§4) ------------------------------------------------------------------------

export const TriggerStartedSchema = z.looseObject({
  triggered: z.literal(true),
  operation_id: z.string(),
  model: nullableString,
  message: nullableString,
});
export type TriggerStarted = z.infer<typeof TriggerStartedSchema>;

/** A documented refusal: 409 active_cycle_exists / at_capacity, 429 budget_exhausted. */
export const TriggerRefusedSchema = z.looseObject({
  triggered: z.literal(false),
  reason: z.string(),
  operation_id: nullableString,
  message: nullableString,
  active_count: nullableNumber,
  limit: nullableNumber,
});
export type TriggerRefused = z.infer<typeof TriggerRefusedSchema>;
export type TriggerResult = TriggerStarted | TriggerRefused;

const CapacitySchema = z.looseObject({ active: z.number(), limit: z.number() }).nullable().optional();

export const ActiveResearchSchema = z.looseObject({
  operation_id: z.string(),
  phase: nullableString,
  child_operation_id: nullableString,
  strategy_name: nullableString,
  duration_seconds: nullableNumber,
});
export type ActiveResearch = z.infer<typeof ActiveResearchSchema>;

export const AgentActiveSchema = z.looseObject({
  status: z.literal('active'),
  operation_id: z.string(),
  phase: nullableString,
  child_operation_id: nullableString,
  // SPEC §4 names the field without fixing its shape: accept the progress object or a bare percentage.
  progress: z.union([ProgressSchema, z.number()]).nullable().optional(),
  strategy_name: nullableString,
  started_at: nullableString,
  active_researches: z.array(ActiveResearchSchema).default([]),
  capacity: CapacitySchema,
});
export type AgentActive = z.infer<typeof AgentActiveSchema>;

export const LastCycleSchema = z.looseObject({
  operation_id: z.string(),
  outcome: z.string(),
  strategy_name: nullableString,
  completed_at: nullableString,
  /** Not in SPEC §4 but served by the API; when absent the CLI looks the cycle up. */
  error_message: nullableString,
});
export type LastCycle = z.infer<typeof LastCycleSchema>;

export const AgentIdleSchema = z.looseObject({
  status: z.literal('idle'),
  last_cycle: LastCycleSchema.nullable().optional(),
  active_researches: z.array(ActiveResearchSchema).default([]),
  capacity: CapacitySchema,
});
export type AgentIdle = z.infer<typeof AgentIdleSchema>;

export const AgentStatusSchema = z.discriminatedUnion('status', [AgentActiveSchema, AgentIdleSchema]);
export type AgentStatus = z.infer<typeof AgentStatusSchema>;

export const CycleCancelledSchema = z.looseObject({
  success: z.literal(true),
  operation_id: z.string(),
  child_cancelled: nullableString,
  message: nullableString,
});
export type CycleCancelled = z.infer<typeof CycleCancelledSchema>;

export const NoActiveCycleSchema = z.looseObject({
  success: z.literal(false),
  reason: z.literal('no_active_cycle'),
  message: nullableString,
});
export type NoActiveCycle = z.infer<typeof NoActiveCycleSchema>;

/** `GET /agent/budget`: today's (UTC) LLM spend against the daily limit (limit 0 = no limit). */
export const BudgetSchema = z.looseObject({
  date: z.string(),
  spent_usd: z.number(),
  limit_usd: z.number(),
  remaining_usd: z.number().nullable(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  calls: z.number(),
  enabled: z.boolean().optional(),
});
export type BudgetInfo = z.infer<typeof BudgetSchema>;
export type CancelCycleResult = CycleCancelled | NoActiveCycle;

/** The error envelope every route uses (§3); the agent refusals carry top-level reason/message instead or as well. */
export const ErrorBodySchema = z.looseObject({
  error: z
    .looseObject({ code: z.string().optional(), message: z.string().optional(), details: z.unknown().optional() })
    .optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

// ---- market data and strategies (§8) ----------------------------------------------------------

/** The timeframes the API accepts (a copy of the domain's list: the CLI only speaks HTTP). */
export const DATA_TIMEFRAMES = ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w'] as const;

export const DataSetInfoSchema = z.looseObject({
  symbol: z.string(),
  timeframe: z.string(),
  source: z.string(),
  start: z.string(),
  end: z.string(),
  bars: z.number(),
  path: nullableString,
  error: nullableString,
});
export type DataSetInfo = z.infer<typeof DataSetInfoSchema>;
export const DataListSchema = z.looseObject({ success: z.boolean().optional(), data: z.array(DataSetInfoSchema) });

export const DataImportSchema = z.looseObject({
  success: z.boolean().optional(),
  data: z.looseObject({
    symbol: z.string(),
    timeframe: z.string(),
    bars: z.number(),
    start: z.string(),
    end: z.string(),
    path: nullableString,
    replaced: z.boolean().optional(),
  }),
});
export type DataImportResult = z.infer<typeof DataImportSchema>['data'];

/** `details.problems` of a 422 CSV_INVALID answer. */
export const CsvProblemsSchema = z.looseObject({
  problems: z.array(z.looseObject({ line: z.number(), message: z.string() })),
  total_problems: z.number().optional(),
});
export type CsvProblems = z.infer<typeof CsvProblemsSchema>;

export const StrategySummarySchema = z.looseObject({
  name: z.string(),
  valid: z.boolean(),
  errors: z.array(z.string()).optional(),
  description: z.string().default(''),
  symbols: z.array(z.string()).default([]),
  timeframes: z.array(z.string()).default([]),
  path: nullableString,
});
export type StrategySummary = z.infer<typeof StrategySummarySchema>;
export const StrategyListSchema = z.looseObject({ success: z.boolean().optional(), data: z.array(StrategySummarySchema) });

/** A parsed strategy (v3 shape). Only what `strategies show` prints is typed; the rest passes through. */
export const StrategyConfigSchema = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
  version: z.union([z.string(), z.number()]).optional(),
  hypothesis: z.string().optional(),
  training_data: z
    .looseObject({
      symbols: z.array(z.string()).default([]),
      timeframes: z.array(z.string()).default([]),
      date_range: z.looseObject({ start: z.string(), end: z.string() }).optional(),
    })
    .optional(),
  indicators: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  fuzzy_sets: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  nn_inputs: z.array(z.looseObject({ fuzzy_set: z.string(), timeframes: z.unknown().optional() })).optional(),
  model: z.record(z.string(), z.unknown()).optional(),
  decisions: z.record(z.string(), z.unknown()).optional(),
  training: z.record(z.string(), z.unknown()).optional(),
  backtest: z.record(z.string(), z.unknown()).optional(),
});
export type StrategyConfig = z.infer<typeof StrategyConfigSchema>;
export const StrategyEnvelopeSchema = z.looseObject({ success: z.boolean().optional(), data: StrategyConfigSchema });
