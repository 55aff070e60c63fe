import { z } from 'zod';
import { response } from './registry.js';

/** The one error envelope: every non-2xx answer carries it. */
export const ErrorDetailSchema = response(
  'ErrorDetail',
  z.object({
    code: z.string().meta({ description: 'Stable machine code, e.g. VALIDATION_FAILED, OPERATION_NOT_FOUND (docs/ERRORS.md)', example: 'OPERATION_NOT_FOUND' }),
    message: z.string().meta({ example: 'Operation not found: op_training_20261125_143022_ab12cd34' }),
    details: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: 'Code-specific context, e.g. `errors: [{field, message}]` for VALIDATION_FAILED' }),
  }),
);
export type ErrorDetail = z.infer<typeof ErrorDetailSchema>;

export const ErrorEnvelopeSchema = response(
  'ErrorEnvelope',
  z.object({ success: z.literal(false), error: ErrorDetailSchema }),
  'Every error answer: `{success: false, error: {code, message, details?}}`.',
);
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;

/** `details` of a 422 VALIDATION_FAILED: one entry per bad field. */
export const ValidationDetailsSchema = response('ValidationDetails', z.object({ errors: z.array(z.object({ field: z.string(), message: z.string() })) }));

/** `details` of a 422 CSV_INVALID answer: the bad rows by line number. */
export const CsvProblemsSchema = response(
  'CsvProblems',
  z.object({
    problems: z.array(z.object({ line: z.number(), message: z.string() })),
    total_problems: z.number().optional(),
  }),
);
export type CsvProblems = z.infer<typeof CsvProblemsSchema>;

/**
 * How a reader of any error body finds its code and message: the envelope, or the agent routes'
 * documented top-level `reason`/`message`, or both.
 */
export const AnyErrorBodySchema = z.object({
  error: z.object({ code: z.string().optional(), message: z.string().optional(), details: z.unknown().optional() }).optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});
export type AnyErrorBody = z.infer<typeof AnyErrorBodySchema>;
