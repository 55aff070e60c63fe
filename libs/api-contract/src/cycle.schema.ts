import { z } from 'zod';
import { VERDICTS, type BacktestResult, type TrainingResult } from './phase-results.schema.js';
import { ACTIVE_PHASES, OperationType, PHASES, type ActivePhase, type ArtifactName } from './vocabulary.js';

/**
 * A research cycle's record: the one phase table every map of phases derives from, and the typed
 * shape of the cycle's `metadata.parameters` (its state), parsed once wherever a record is read.
 */

// ---- the cycle's parameters --------------------------------------------------------------------

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A field that reads as absent when a record holds something else there: a record written by an
 * older or newer ktrdr still reads, field by field, rather than failing as a whole.
 */
const optional = <S extends z.ZodType>(schema: S) => schema.optional().catch(undefined);

const llmUsageSchema = z.object({ input_tokens: z.number(), output_tokens: z.number(), cost_usd: z.number() });
export type LlmUsage = z.output<typeof llmUsageSchema>;

/**
 * The state of a research cycle, in its `metadata.parameters`. The phase results are the phases'
 * own result types (checked where the phase returns them); here they are read as objects, so a
 * record from before a metric existed still reads.
 */
export const CycleParametersSchema = z.object({
  /** Where the cycle is: `idle` until its first child exists, then the phase whose child runs. */
  phase: z.enum(PHASES).catch('idle'),
  // The trigger echo.
  model: z.string().nullable().default(null).catch(null),
  brief: z.string().nullable().default(null).catch(null),
  strategy: z.string().nullable().default(null).catch(null),
  bypass_gates: z.boolean().default(false).catch(false),
  // Each phase's child, written before the child can run.
  design_op_id: optional(z.string()),
  training_op_id: optional(z.string()),
  backtest_op_id: optional(z.string()),
  assessment_op_id: optional(z.string()),
  // What the phases produced.
  strategy_name: optional(z.string().nullable()),
  strategy_path: optional(z.string().nullable()),
  /** Who designed the strategy (claude, offline, stub), as the design result said. */
  designer: optional(z.string().nullable()),
  design_stub: optional(z.boolean()),
  training_result: optional(z.custom<TrainingResult>(isRecord)),
  /** The trained models' address in the blob store, `blob:<sha256>` of the walk-forward manifest (model.schema.ts). */
  model_path: optional(z.string().nullable()),
  backtest_result: optional(z.custom<BacktestResult>(isRecord)),
  assessment_verdict: optional(z.enum(VERDICTS).nullable()),
  /** Tokens and cost of this cycle's own LLM calls (design and assessment), summed. */
  llm_usage: optional(llmUsageSchema),
  // A resumed cycle: where it came from, where it starts, which finished phases it took over.
  resumed_from: optional(z.string()),
  resume_start_phase: optional(z.enum(ACTIVE_PHASES as [ActivePhase, ...ActivePhase[]])),
  reused_phases: optional(z.array(z.enum(ACTIVE_PHASES as [ActivePhase, ...ActivePhase[]]))),
  // A cycle run by a campaign: whose trial it is, where the sealed holdout begins (no phase reads a
  // bar from that day on), or, for a finalist's one look at the holdout, which trial it evaluates.
  campaign_id: optional(z.string()),
  ledger_id: optional(z.string()),
  sealed_from: optional(z.string()),
  holdout_of: optional(z.number()),
  /** A failed cycle's structured details (the gate, its metrics and thresholds; the failed child). */
  failure: optional(z.custom<Record<string, unknown>>(isRecord)),
});
export type CycleParameters = z.output<typeof CycleParametersSchema>;
/** A change to a cycle's parameters: the store merges it into the record key by key. */
export type CycleParametersPatch = Partial<CycleParameters>;
export type CycleKey = keyof CycleParameters;

/** A record's parameters as the typed cycle state; keys it does not know are left out. */
export function readCycleParameters(raw: unknown): CycleParameters {
  return CycleParametersSchema.parse(isRecord(raw) ? raw : {});
}

// ---- the phase table ---------------------------------------------------------------------------

export type ChildOperationType = Exclude<OperationType, 'agent_research'>;
export type PhaseQueue = 'design' | 'training' | 'backtest' | 'assessment';
export type GateName = 'training' | 'backtest';
export type ChildKey = 'design_op_id' | 'training_op_id' | 'backtest_op_id' | 'assessment_op_id';

export interface PhaseRow {
  /** The queue its jobs go on. */
  queue: PhaseQueue;
  /** Its child operation's type. */
  operationType: ChildOperationType;
  /** The cycle key that holds its child's id. */
  childKey: ChildKey;
  /** The quality gate that judges its result, if any. */
  gate: GateName | null;
  /** How messages name it: `Training failed: …`, `Training gate failed: …`. */
  label: string;
  /** The cycle's progress while it runs. */
  percentage: number;
  step: string;
  /** The artifacts its child publishes. */
  artifacts: readonly ArtifactName[];
  /** The cycle keys it writes when its child completes (a resumed cycle copies them from the old one). */
  produces: readonly CycleKey[];
}

/** The phases in the order a cycle walks them, and everything the apps need to know about each. */
export const PHASE_TABLE = {
  designing: {
    queue: 'design',
    operationType: OperationType.AgentDesign,
    childKey: 'design_op_id',
    gate: null,
    label: 'Design',
    percentage: 5,
    step: 'Designing strategy...',
    artifacts: ['strategy'],
    produces: ['strategy_name', 'strategy_path', 'designer', 'design_stub'],
  },
  training: {
    queue: 'training',
    operationType: OperationType.Training,
    childKey: 'training_op_id',
    gate: 'training',
    label: 'Training',
    percentage: 20,
    step: 'Training model...',
    artifacts: ['history'],
    produces: ['training_result', 'model_path'],
  },
  backtesting: {
    queue: 'backtest',
    operationType: OperationType.Backtesting,
    childKey: 'backtest_op_id',
    gate: 'backtest',
    label: 'Backtest',
    percentage: 65,
    step: 'Running backtest...',
    artifacts: ['equity'],
    produces: ['backtest_result'],
  },
  assessing: {
    queue: 'assessment',
    operationType: OperationType.AgentAssessment,
    childKey: 'assessment_op_id',
    gate: null,
    label: 'Assessment',
    percentage: 90,
    step: 'Assessing results...',
    artifacts: ['assessment'],
    produces: ['assessment_verdict'],
  },
} as const satisfies Readonly<Record<ActivePhase, PhaseRow>>;

/** The cycle's progress once it completed. */
export const COMPLETE_PROGRESS = { percentage: 100, step: 'Complete' } as const;

export function isActivePhase(value: unknown): value is ActivePhase {
  return typeof value === 'string' && (ACTIVE_PHASES as readonly string[]).includes(value);
}

/** The phase whose child has this operation type, or null for a cycle or an unknown type. */
export function phaseOfOperationType(type: string): ActivePhase | null {
  return ACTIVE_PHASES.find((p) => PHASE_TABLE[p].operationType === type) ?? null;
}

/** The phase whose jobs go on this queue, or null (the research queue carries cycles, not phases). */
export function phaseOfQueue(queue: string): ActivePhase | null {
  return ACTIVE_PHASES.find((p) => PHASE_TABLE[p].queue === queue) ?? null;
}

export function nextPhase(phase: ActivePhase): ActivePhase | null {
  return ACTIVE_PHASES[ACTIVE_PHASES.indexOf(phase) + 1] ?? null;
}

/** The child of the cycle's current phase, or null (idle, or not yet written). */
export function currentChildId(parameters: CycleParameters): string | null {
  return isActivePhase(parameters.phase) ? (parameters[PHASE_TABLE[parameters.phase].childKey] ?? null) : null;
}

// ---- refusals ----------------------------------------------------------------------------------

/** Why the agent routes refuse: the `reason` of their documented refusal bodies. */
export const RefusalReason = {
  ActiveCycleExists: 'active_cycle_exists',
  AtCapacity: 'at_capacity',
  BudgetExhausted: 'budget_exhausted',
  NoActiveCycle: 'no_active_cycle',
  NotFound: 'not_found',
  NotCancellable: 'not_cancellable',
  NotResearch: 'not_research',
  NotResumable: 'not_resumable',
} as const;
export type RefusalReason = (typeof RefusalReason)[keyof typeof RefusalReason];
export const TRIGGER_REFUSALS = [RefusalReason.ActiveCycleExists, RefusalReason.AtCapacity, RefusalReason.BudgetExhausted] as const;
export const CANCEL_REFUSALS = [RefusalReason.NoActiveCycle, RefusalReason.NotFound, RefusalReason.NotCancellable, RefusalReason.NotResearch] as const;
export const RESUME_REFUSALS = [RefusalReason.NotFound, RefusalReason.NotResearch, RefusalReason.NotResumable, ...TRIGGER_REFUSALS] as const;
