import { DataImportRequestSchema } from '@ktrdr/api-contract';

/**
 * `POST /data/import` (the contract's schema): the CSV travels as text in a JSON body, under the
 * import route's own body limit (KTRDR_IMPORT_BODY_LIMIT, default 50mb).
 */
export const importBodySchema = DataImportRequestSchema;
