import { z } from 'zod';
import { CANCEL_REFUSALS, RESUME_REFUSALS, RefusalReason } from './cycle.schema.js';
import { ErrorDetailSchema } from './envelope.schema.js';
import { OperationProgressSchema, OperationStatusSchema } from './operations.schema.js';
import { nullable, request, response } from './registry.js';
import { ACTIVE_PHASES, OPERATION_ID_EXAMPLE, PHASES, type ActivePhase } from './vocabulary.js';

/** The agent API. Refusals keep their documented top-level fields and carry `error` as well. */

export const PhaseSchema = z.enum(PHASES);
export const ActivePhaseSchema = z.enum(ACTIVE_PHASES as [ActivePhase, ...ActivePhase[]]);

// ---- trigger ----------------------------------------------------------------------------------

/**
 * `POST /agent/trigger` body: the wire shape. The API adds the checks that need the domain (the
 * model resolves, the strategy name is well formed, brief and strategy are not both given).
 */
export const TriggerRequestSchema = request(
  'TriggerRequest',
  z.strictObject(
    {
      model: z
        .string({ message: 'expected a string' })
        .max(100, 'at most 100 characters')
        .optional()
        .meta({ description: 'opus | sonnet | haiku or a full model id' }),
      brief: z.string({ message: 'expected a string' }).max(4000, 'at most 4000 characters').optional().meta({ description: 'Free text guiding the design' }),
      strategy: z
        .string({ message: 'expected a string' })
        .max(64, 'at most 64 characters')
        .optional()
        .meta({ description: 'An existing strategy: skips design. Not with brief.' }),
      bypass_gates: z.boolean({ message: 'expected true or false' }).optional(),
    },
    { message: 'expected a JSON object' },
  ),
);
export type TriggerRequest = z.input<typeof TriggerRequestSchema>;

export const TriggerStartedSchema = response(
  'TriggerStarted',
  z.object({ triggered: z.literal(true), operation_id: z.string().meta({ example: OPERATION_ID_EXAMPLE }), model: z.string(), message: z.string() }),
);
export type TriggerStarted = z.infer<typeof TriggerStartedSchema>;

/** 409 active_cycle_exists / at_capacity, 429 budget_exhausted. */
export const TriggerRefusedSchema = response(
  'TriggerRefused',
  z.object({
    triggered: z.literal(false),
    reason: z.enum(RESUME_REFUSALS).meta({
      description:
        'Why no cycle started: a trigger answers active_cycle_exists, at_capacity or budget_exhausted; a resume also not_found, not_research or not_resumable',
    }),
    operation_id: nullable(z.string()).meta({ description: 'The (oldest) active cycle' }),
    message: z.string(),
    active_count: z.number().optional(),
    limit: z.number().optional(),
    date: z.string().optional(),
    spent_usd: z.number().optional(),
    limit_usd: z.number().optional(),
    resets_at: z.string().optional(),
    error: ErrorDetailSchema.optional(),
  }),
);
export type TriggerRefused = z.infer<typeof TriggerRefusedSchema>;
export type TriggerResult = TriggerStarted | TriggerRefused;

// ---- resume -----------------------------------------------------------------------------------

export const ResumeRequestSchema = request(
  'ResumeRequest',
  z.strictObject(
    { from_phase: z.enum(ACTIVE_PHASES as [ActivePhase, ...ActivePhase[]], { message: `expected one of ${ACTIVE_PHASES.join(', ')}` }).optional() },
    { message: 'expected a JSON object' },
  ),
);
export type ResumeRequest = z.input<typeof ResumeRequestSchema>;

export const ResumeStartedSchema = response(
  'ResumeStarted',
  z.object({
    triggered: z.literal(true),
    operation_id: z.string(),
    resumed_from: z.string(),
    start_phase: ActivePhaseSchema,
    reused_phases: z.array(ActivePhaseSchema).optional().meta({ description: 'Finished phases of the old cycle the new one takes over (not re-run)' }),
    message: z.string(),
  }),
);
export type ResumeStarted = z.infer<typeof ResumeStartedSchema>;

// ---- status -----------------------------------------------------------------------------------

export const CapacitySchema = response('Capacity', z.object({ active: z.number(), limit: z.number() }));

export const ActiveResearchSchema = response(
  'ActiveResearch',
  z.object({
    operation_id: z.string(),
    phase: PhaseSchema,
    child_operation_id: nullable(z.string()),
    strategy_name: nullable(z.string()),
    duration_seconds: z.number(),
    resumed_from: nullable(z.string()).meta({ description: 'The cycle this one resumed (POST /agent/resume), or null' }),
  }),
);
export type ActiveResearch = z.infer<typeof ActiveResearchSchema>;

export const AgentActiveSchema = response(
  'AgentActive',
  z.object({
    status: z.literal('active'),
    operation_id: z.string(),
    phase: PhaseSchema,
    child_operation_id: nullable(z.string()),
    progress: OperationProgressSchema,
    strategy_name: nullable(z.string()),
    resumed_from: nullable(z.string()),
    started_at: z.string(),
    active_researches: z.array(ActiveResearchSchema),
    capacity: CapacitySchema,
  }),
);
export type AgentActive = z.infer<typeof AgentActiveSchema>;

export const LastCycleSchema = response(
  'LastCycle',
  z.object({
    operation_id: z.string(),
    outcome: OperationStatusSchema,
    strategy_name: nullable(z.string()),
    completed_at: nullable(z.string()),
    error_message: nullable(z.string()),
    resumed_from: nullable(z.string()),
  }),
);
export type LastCycle = z.infer<typeof LastCycleSchema>;

export const AgentIdleSchema = response(
  'AgentIdle',
  z.object({
    status: z.literal('idle'),
    last_cycle: nullable(LastCycleSchema).meta({ description: 'The newest finished cycle, whatever its outcome' }),
    active_researches: z.array(ActiveResearchSchema),
    capacity: CapacitySchema,
  }),
);
export type AgentIdle = z.infer<typeof AgentIdleSchema>;

export const AgentStatusSchema = response('AgentStatus', z.discriminatedUnion('status', [AgentActiveSchema, AgentIdleSchema]));
export type AgentStatus = z.infer<typeof AgentStatusSchema>;

// ---- cancel -----------------------------------------------------------------------------------

export const CycleCancelledSchema = response(
  'CycleCancelled',
  z.object({
    success: z.literal(true),
    operation_id: z.string(),
    child_cancelled: nullable(z.string()),
    children_cancelled: z.array(z.string()).default([]),
    message: z.string(),
  }),
);
export type CycleCancelled = z.infer<typeof CycleCancelledSchema>;

/** 404 no_active_cycle / not_found, 409 not_cancellable, 422 not_research. */
export const CancelRefusedSchema = response(
  'CancelRefused',
  z.object({
    success: z.literal(false),
    reason: z.enum(CANCEL_REFUSALS),
    operation_id: z.string().optional(),
    status: OperationStatusSchema.optional(),
    message: z.string(),
    error: ErrorDetailSchema.optional(),
  }),
);
export type CancelRefused = z.infer<typeof CancelRefusedSchema>;
export const NoActiveCycleSchema = CancelRefusedSchema.extend({ reason: z.literal(RefusalReason.NoActiveCycle) });
export type NoActiveCycle = z.infer<typeof NoActiveCycleSchema>;
export type CancelCycleResult = CycleCancelled | NoActiveCycle;

// ---- budget -----------------------------------------------------------------------------------

export const BudgetSchema = response(
  'Budget',
  z.object({
    date: z.string().meta({ description: 'UTC day, YYYY-MM-DD' }),
    spent_usd: z.number(),
    limit_usd: z.number().meta({ description: '0 means no limit' }),
    remaining_usd: nullable(z.number()).meta({ description: 'null when there is no limit' }),
    input_tokens: z.number(),
    output_tokens: z.number(),
    calls: z.number(),
    enabled: z.boolean(),
  }),
  "Today's (UTC) LLM spend against KTRDR_DAILY_BUDGET_USD.",
);
export type BudgetInfo = z.infer<typeof BudgetSchema>;
