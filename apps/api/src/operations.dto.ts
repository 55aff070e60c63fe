import { OPERATION_STATUSES, OPERATION_TYPES } from '@ktrdr/operations';
import { z } from 'zod';

const intParam = (min: number, max: number, def: number) =>
  z
    .string({ message: 'expected a single integer' })
    .regex(/^-?\d{1,9}$/, 'expected an integer')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be ≥ ${min}`).max(max, `must be ≤ ${max}`))
    .optional()
    .transform((v) => v ?? def);

export const listQuerySchema = z.object({
  status: z.enum(OPERATION_STATUSES, { message: `expected one of ${OPERATION_STATUSES.join(', ')}` }).optional(),
  operation_type: z.enum(OPERATION_TYPES, { message: `expected one of ${OPERATION_TYPES.join(', ')}` }).optional(),
  limit: intParam(1, 1000, 10),
  offset: intParam(0, 1_000_000_000, 0),
  active_only: z.enum(['true', 'false', '1', '0'], { message: 'expected true or false' }).optional().transform((v) => v === 'true' || v === '1'),
});

export const cancelBodySchema = z
  .object({ reason: z.string().trim().min(1, 'must not be empty').max(500, 'at most 500 characters').optional() })
  .strict()
  .optional()
  .transform((v) => v ?? {});
