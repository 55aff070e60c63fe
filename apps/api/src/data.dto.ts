import { DataImportRequestSchema } from '@ktrdr/api-contract';
import type { z } from 'zod';

/**
 * `POST /data/import` (the contract's schema): the CSV travels as text in a JSON body, so the API's
 * body limit (KTRDR_BODY_LIMIT, default 100kb) caps the file size; raise it for larger files (e.g. 20mb).
 */
export const importBodySchema = DataImportRequestSchema;

export type ImportBody = z.infer<typeof importBodySchema>;
