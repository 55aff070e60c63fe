import { z } from 'zod';
import { nullable, request, response } from './registry.js';
import { ARTIFACT_NAMES, OPERATION_ID_EXAMPLE, OPERATION_STATUSES, OPERATION_TYPES } from './vocabulary.js';

/** Operations. Field names are snake_case on purpose: they are the API. */

export const OperationStatusSchema = z.enum(OPERATION_STATUSES);
export const OperationTypeSchema = z.enum(OPERATION_TYPES);

export const OperationProgressSchema = response(
  'OperationProgress',
  z.object({
    percentage: z.number().meta({ description: '0-100' }),
    current_step: nullable(z.string()),
    steps_completed: z.number().default(0),
    steps_total: z.number().default(0),
  }),
);
export type OperationProgress = z.infer<typeof OperationProgressSchema>;

export const OperationInfoSchema = response(
  'OperationInfo',
  z.object({
    operation_id: z.string().meta({ example: OPERATION_ID_EXAMPLE }),
    operation_type: OperationTypeSchema,
    status: OperationStatusSchema,
    parent_operation_id: nullable(z.string()).meta({ description: 'null for a research cycle' }),
    created_at: z.string().meta({ description: 'ISO-8601 UTC' }),
    started_at: nullable(z.string()),
    completed_at: nullable(z.string()),
    progress: OperationProgressSchema,
    metadata: z.object({
      parameters: z.record(z.string(), z.unknown()).meta({ description: 'A cycle keeps its state here (phase, *_op_id, strategy_name, results)' }),
    }),
    result_summary: nullable(z.record(z.string(), z.unknown())).meta({ description: 'The result; `stub: true` when any phase ran as a stub' }),
    error_message: nullable(z.string()),
    failure_code: nullable(z.string()).meta({
      description: 'Error code of a failed operation (e.g. GATE_FAILED, EXECUTOR_FAILED, WORKER_LOST), null otherwise',
    }),
    cancelled_at: nullable(z.string()),
    cancellation_reason: nullable(z.string()),
    cancelled_by: nullable(z.string()).meta({ description: 'The route that cancelled it, e.g. `DELETE /api/v1/agent/cancel/{id}`' }),
  }),
);
export type OperationInfo = z.infer<typeof OperationInfoSchema>;

export const OperationSummarySchema = response(
  'OperationSummary',
  z.object({
    operation_id: z.string(),
    operation_type: OperationTypeSchema,
    status: OperationStatusSchema,
    created_at: z.string(),
    progress_percentage: z.number(),
    current_step: nullable(z.string()),
    duration_seconds: nullable(z.number()),
  }),
);
export type OperationSummary = z.infer<typeof OperationSummarySchema>;

export const OperationEnvelopeSchema = response('OperationEnvelope', z.object({ success: z.literal(true), data: OperationInfoSchema }));

export const OperationListSchema = response(
  'OperationList',
  z.object({ success: z.literal(true), data: z.array(OperationSummarySchema), total_count: z.number(), active_count: z.number() }),
);
export type OperationList = z.infer<typeof OperationListSchema>;

export const OperationChildrenSchema = response(
  'OperationChildren',
  z.object({ success: z.literal(true), data: z.array(OperationInfoSchema), total_count: z.number(), active_count: z.number() }),
);

export const CancelOperationResultSchema = response(
  'CancelOperationResult',
  z.object({
    operation_id: z.string(),
    status: OperationStatusSchema,
    cancelled_at: nullable(z.string()),
    cancellation_reason: nullable(z.string()),
    children_cancelled: z.array(z.string()).default([]),
  }),
);
export type CancelOperationResult = z.infer<typeof CancelOperationResultSchema>;
export const CancelOperationEnvelopeSchema = response('CancelOperationEnvelope', z.object({ success: z.literal(true), data: CancelOperationResultSchema }));

// ---- requests ---------------------------------------------------------------------------------

const intParam = (min: number, max: number, def: number) =>
  z
    .string({ message: 'expected a single integer' })
    .regex(/^-?\d{1,9}$/, 'expected an integer')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be ≥ ${min}`).max(max, `must be ≤ ${max}`))
    .optional()
    .transform((v) => v ?? def);

/** `GET /operations` query (strings on the wire, typed after parsing). */
export const ListOperationsQuerySchema = z.object({
  status: z.enum(OPERATION_STATUSES, { message: `expected one of ${OPERATION_STATUSES.join(', ')}` }).optional(),
  operation_type: z.enum(OPERATION_TYPES, { message: `expected one of ${OPERATION_TYPES.join(', ')}` }).optional(),
  limit: intParam(1, 1000, 10),
  offset: intParam(0, 1_000_000_000, 0),
  active_only: z
    .enum(['true', 'false', '1', '0'], { message: 'expected true or false' })
    .optional()
    .transform((v) => v === 'true' || v === '1'),
});
export type ListOperationsQuery = z.output<typeof ListOperationsQuerySchema>;

/** `GET /agent/campaigns` query. */
export const ListCampaignsQuerySchema = z.object({
  status: z.enum(OPERATION_STATUSES, { message: `expected one of ${OPERATION_STATUSES.join(', ')}` }).optional(),
  limit: intParam(1, 100, 20),
  offset: intParam(0, 1_000_000_000, 0),
});
export type ListCampaignsQuery = z.output<typeof ListCampaignsQuerySchema>;

/** `DELETE /operations/{id}` body (optional). */
export const CancelOperationRequestSchema = request(
  'CancelOperationRequest',
  z.strictObject({ reason: z.string().trim().min(1, 'must not be empty').max(500, 'at most 500 characters').optional() }),
);
export type CancelOperationRequest = z.input<typeof CancelOperationRequestSchema>;

// ---- artifacts and live events ----------------------------------------------------------

export const ArtifactNameSchema = z.enum(ARTIFACT_NAMES, { message: `expected one of ${ARTIFACT_NAMES.join(', ')}` });

export const ArtifactListSchema = response('ArtifactList', z.object({ operation_id: z.string(), artifacts: z.array(z.string()) }));
export type ArtifactList = z.infer<typeof ArtifactListSchema>;
export const ArtifactListEnvelopeSchema = response('ArtifactListEnvelope', z.object({ success: z.literal(true), data: ArtifactListSchema }));

/** An artifact is the JSON its phase published (strategy config, training history, equity curve, assessment). */
export const ArtifactEnvelopeSchema = response('ArtifactEnvelope', z.object({ success: z.literal(true), data: z.unknown() }));

/** The payload of `update` and `end` events on GET /operations/{id}/events. */
export const OperationEventSchema = response(
  'OperationEvent',
  z.object({ operation: OperationInfoSchema, child: nullable(OperationInfoSchema).meta({ description: "A cycle's current child, else null" }) }),
  'Data of an `update` or `end` server-sent event.',
);
export type OperationEvent = z.infer<typeof OperationEventSchema>;
