import { z } from 'zod';
import { request, response } from './registry.js';
import { SYMBOL, SYMBOL_RULE, TIMEFRAMES } from './vocabulary.js';

/** Market data and strategies. */

export const TimeframeSchema = z.enum(TIMEFRAMES, { message: `expected one of ${TIMEFRAMES.join(', ')}` });

export const DataSetInfoSchema = response(
  'DataSetInfo',
  z.object({
    symbol: z.string(),
    timeframe: z.string(),
    source: z.string().meta({
      description: 'store (imported into Redis, read by every worker) | csv (a file in the data directory not yet in the store) | builtin | synthetic',
    }),
    start: z.string(),
    end: z.string(),
    bars: z.number(),
    path: z.string().optional().meta({ description: 'The file behind a csv or builtin entry' }),
    name: z.string().optional().meta({ description: 'A store entry: its name, data:<SYMBOL>:<timeframe>' }),
    hash: z.string().optional().meta({ description: 'A store entry: the SHA-256 of the blob its name points at' }),
    error: z.string().optional().meta({ description: 'Why a CSV in the data directory (or a stored import) cannot be read' }),
  }),
);
export type DataSetInfo = z.infer<typeof DataSetInfoSchema>;
export const DataListSchema = response('DataList', z.object({ success: z.literal(true), data: z.array(DataSetInfoSchema) }));

/**
 * `POST /data/import`: the CSV travels as text in a JSON body, so the API's import body limit
 * (KTRDR_IMPORT_BODY_LIMIT, default 50mb) caps the file size.
 */
export const DataImportRequestSchema = request(
  'DataImportRequest',
  z.strictObject(
    {
      symbol: z.string({ message: 'expected a string' }).regex(SYMBOL, SYMBOL_RULE),
      timeframe: TimeframeSchema,
      csv: z.string({ message: 'expected the CSV text as a string' }).min(1, 'the CSV is empty'),
    },
    { message: 'expected a JSON object' },
  ),
);
export type DataImportRequest = z.input<typeof DataImportRequestSchema>;

export const DataImportResultSchema = response(
  'DataImportResult',
  z.object({
    symbol: z.string(),
    timeframe: z.string(),
    bars: z.number(),
    start: z.string(),
    end: z.string(),
    name: z.string().optional().meta({ description: 'The store name now pointing at the import: data:<SYMBOL>:<timeframe>' }),
    hash: z.string().optional().meta({ description: 'SHA-256 of the stored blob (typed columns)' }),
    path: z.string().optional().meta({ description: 'The file written by a repository without a store (tests, tools); the API stores imports in Redis' }),
    replaced: z.boolean(),
  }),
);
export type DataImportResult = z.infer<typeof DataImportResultSchema>;
export const DataImportEnvelopeSchema = response('DataImportEnvelope', z.object({ success: z.literal(true), data: DataImportResultSchema }));

export const StrategySummarySchema = response(
  'StrategySummary',
  z.object({
    name: z.string(),
    valid: z.boolean(),
    errors: z.array(z.string()).optional(),
    description: z.string().default(''),
    symbols: z.array(z.string()).default([]),
    timeframes: z.array(z.string()).default([]),
    path: z.string(),
  }),
);
export type StrategySummary = z.infer<typeof StrategySummarySchema>;
export const StrategyListSchema = response(
  'StrategyList',
  z.object({ success: z.literal(true), data: z.array(StrategySummarySchema), total_count: z.number() }),
);

/**
 * A parsed strategy (the v3 shape, defaults filled in). The full rules live in the domain's strategy
 * schema; the wire names the top-level sections and passes their contents through.
 */
const section = z.record(z.string(), z.unknown());
export const StrategyConfigSchema = response(
  'StrategyConfig',
  z.looseObject({
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
    indicators: z.record(z.string(), section).optional(),
    fuzzy_sets: z.record(z.string(), section).optional(),
    nn_inputs: z.array(z.looseObject({ fuzzy_set: z.string(), timeframes: z.unknown().optional() })).optional(),
    model: z.looseObject({ type: z.string().optional(), architecture: section.optional(), training: section.optional() }).optional(),
    decisions: section.optional(),
    training: section.optional(),
    backtest: z
      .looseObject({
        date_range: z.looseObject({ start: z.string(), end: z.string() }).optional(),
        initial_capital: z.number().optional(),
        commission: z.number().optional(),
        slippage: z.number().optional(),
      })
      .optional(),
  }),
);
export type StrategyConfigWire = z.infer<typeof StrategyConfigSchema>;
export const StrategyEnvelopeSchema = response('StrategyEnvelope', z.object({ success: z.literal(true), data: StrategyConfigSchema }));

// ---- health -----------------------------------------------------------------------------------

export const StoreKindUsageSchema = response(
  'StoreKindUsage',
  z.object({
    blobs: z.number().meta({ description: 'Stored blobs of this kind' }),
    bytes: z.number().meta({ description: 'Their content bytes' }),
  }),
);
export type StoreKindUsage = z.infer<typeof StoreKindUsageSchema>;

export const StoreUsageSchema = response(
  'StoreUsage',
  z.object({
    blobs: z.number().meta({ description: 'Stored blobs (content-addressed, not yet expired), every kind' }),
    bytes: z.number().meta({ description: 'Their content bytes: what was put, not the memory Redis spends on it' }),
    by_kind: z.record(z.string(), StoreKindUsageSchema).meta({
      description: 'Per kind of blob: strategy, assessment, bars (imported market data), model… (a kind appears once a blob of it is stored)',
    }),
  }),
  "What the blob store in Redis holds (BlobStore.usage(): the store's index read in batches, entries of expired blobs pruned).",
);
export type StoreUsage = z.infer<typeof StoreUsageSchema>;

export const RedisHealthSchema = response(
  'RedisHealth',
  z.object({
    connected: z.boolean(),
    latency_ms: z.number().optional().meta({ description: 'The PING round trip' }),
    used_memory_bytes: z.number().optional().meta({
      description:
        '`INFO memory` used_memory: everything this Redis holds (operations, queues, the blob store, other key prefixes), not the store alone; absent when INFO is refused or slow',
    }),
    error: z.string().optional().meta({ description: 'Unhealthy: why Redis could not be reached' }),
  }),
);

export const HealthSchema = response(
  'Health',
  z.object({
    success: z.boolean(),
    status: z.enum(['healthy', 'unhealthy']),
    redis: RedisHealthSchema,
    queues: z.record(z.string(), z.record(z.string(), z.number())).optional().meta({ description: 'Job counts per queue and state' }),
    workers: z.record(z.string(), z.unknown()).optional().meta({ description: 'Live workers per queue' }),
    store: StoreUsageSchema.nullable()
      .optional()
      .meta({ description: 'What the blob store holds (healthy answers only); null when its index could not be read within 1 s, which leaves health 200' }),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  }),
  '200 healthy; 503 unhealthy (Redis unreachable) with `error`.',
);
export type Health = z.infer<typeof HealthSchema>;
