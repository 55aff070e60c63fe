import { z } from 'zod';
import { request, response } from './registry.js';

/** Strategies in and out of the store: `POST /strategies` (import) and `GET /strategies/{name}/yaml` (export). */

/** Far above any real strategy (a few kB) and within the API's default body limit of 100kb. */
export const MAX_STRATEGY_TEXT_CHARS = 90_000;

/**
 * `POST /strategies`: a strategy as its file text (`yaml`, YAML or JSON, stored as given, comments
 * and all) or as a config object (`config`, stored as YAML with the defaults filled in). Its own
 * `name:` is the name it is stored under.
 */
export const StrategyImportRequestSchema = request(
  'StrategyImportRequest',
  z
    .strictObject(
      {
        yaml: z
          .string({ message: 'expected the strategy file text as a string' })
          .min(1, 'the strategy text is empty')
          .max(MAX_STRATEGY_TEXT_CHARS, `at most ${MAX_STRATEGY_TEXT_CHARS} characters`)
          .optional()
          .meta({ description: 'The strategy file text (YAML or JSON), stored as given' }),
        config: z
          .record(z.string(), z.unknown(), { message: 'expected the strategy as a JSON object' })
          .optional()
          .meta({ description: 'The strategy as an object in the v3 shape, stored as YAML' }),
      },
      { message: 'expected a JSON object' },
    )
    .refine((b) => (b.yaml === undefined) !== (b.config === undefined), { message: 'give exactly one of yaml or config' }),
);
export type StrategyImportRequest = z.input<typeof StrategyImportRequestSchema>;

export const StrategyImportResultSchema = response(
  'StrategyImportResult',
  z.object({
    name: z.string(),
    created: z.boolean().meta({ description: 'false: the same text was already stored under the name (200; importing twice is harmless)' }),
    hash: z.string().meta({ description: 'SHA-256 of the stored text' }),
    path: z.string().meta({ description: 'Where the API process keeps its copy in KTRDR_STRATEGIES_DIR (for display)' }),
  }),
);
export type StrategyImportResult = z.infer<typeof StrategyImportResultSchema>;
export const StrategyImportEnvelopeSchema = response('StrategyImportEnvelope', z.object({ success: z.literal(true), data: StrategyImportResultSchema }));

export const StrategySourceSchema = response(
  'StrategySource',
  z.object({
    name: z.string(),
    yaml: z.string().meta({ description: 'The stored text as it was saved or imported' }),
    valid: z.boolean(),
    errors: z.array(z.string()).optional().meta({ description: 'Why it does not pass the v3 schema' }),
  }),
);
export type StrategySource = z.infer<typeof StrategySourceSchema>;
export const StrategySourceEnvelopeSchema = response('StrategySourceEnvelope', z.object({ success: z.literal(true), data: StrategySourceSchema }));
