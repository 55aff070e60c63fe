import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import { resolve } from 'node:path';
import { z } from 'zod';

/** Settings every ktrdr process shares. */
export const sharedEnvSchema = z.object({
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  KTRDR_KEY_PREFIX: z
    .string()
    // A whole-prefix hash tag ({ktrdr}) puts every ktrdr key, BullMQ's included, on one Redis Cluster slot.
    .regex(/^(\{[A-Za-z0-9_.-]{1,62}\}|[A-Za-z0-9_.-]{1,64})$/, 'letters, digits, "_", "-" and "." only (1-64), optionally all in braces like {ktrdr} for Redis Cluster')
    .default('ktrdr'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // One setting per directory, read by the API and the workers alike (relative to the working directory).
  KTRDR_STRATEGIES_DIR: z.string().min(1).default('strategies'),
  KTRDR_DATA_DIR: z.string().min(1).default('data'),
  KTRDR_MODELS_DIR: z.string().min(1).default('models'),
  // Artifacts (SPEC §4a) live in Redis beside the records: bounded in age and in size per artifact.
  KTRDR_ARTIFACT_TTL_DAYS: z.coerce.number().positive().max(3650).default(30),
  KTRDR_ARTIFACT_MAX_MB: z.coerce.number().positive().max(256).default(5),
});

/** Where strategies, market data and trained models live, as absolute paths. */
export interface ResearchDirs {
  strategiesDir: string;
  dataDir: string;
  modelsDir: string;
}

export function researchDirs(e: { KTRDR_STRATEGIES_DIR: string; KTRDR_DATA_DIR: string; KTRDR_MODELS_DIR: string }): ResearchDirs {
  return { strategiesDir: resolve(e.KTRDR_STRATEGIES_DIR), dataDir: resolve(e.KTRDR_DATA_DIR), modelsDir: resolve(e.KTRDR_MODELS_DIR) };
}

/** Retention of artifacts, as every process that writes or serves them reads it. */
export interface ArtifactLimits {
  ttlSeconds: number;
  maxBytes: number;
}

export function artifactLimits(e: { KTRDR_ARTIFACT_TTL_DAYS: number; KTRDR_ARTIFACT_MAX_MB: number }): ArtifactLimits {
  return { ttlSeconds: Math.round(e.KTRDR_ARTIFACT_TTL_DAYS * 86_400), maxBytes: Math.floor(e.KTRDR_ARTIFACT_MAX_MB * 1024 * 1024) };
}

/** `true|false|1|0|yes|no` as a boolean; anything else is a validation error naming the variable. */
export const envBoolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export class ConfigError extends KtrdrError {
  constructor(readonly problems: string[]) {
    super(ErrorCode.ConfigInvalid, `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { problems });
  }
}

/**
 * Validates the environment once, at boot, into a typed object. Every bad variable is listed
 * at once (not just the first) so an operator fixes them in one go.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  // Empty strings mean "unset" so `FOO= npm start` falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
  throw new ConfigError(problems);
}
