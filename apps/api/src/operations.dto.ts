import { CancelOperationRequestSchema, ListOperationsQuerySchema } from '@ktrdr/api-contract';

/** Request schemas come from the contract (libs/api-contract); these are the API's names for them. */
export const listQuerySchema = ListOperationsQuerySchema;

/** The body is optional: no body is the same as `{}`. */
export const cancelBodySchema = CancelOperationRequestSchema.optional().transform((v) => v ?? {});
