import { configProblemsText, ErrorCode, KtrdrError, type ConfigProblem } from '@ktrdr/errors';
import { resolve } from 'node:path';
import { z } from 'zod';

/** Settings every ktrdr process shares. */
export const sharedEnvSchema = z.object({
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  KTRDR_KEY_PREFIX: z
    .string()
    // A whole-prefix hash tag ({ktrdr}) puts every ktrdr key, BullMQ's included, on one Redis Cluster slot.
    .regex(
      /^(\{[A-Za-z0-9_.-]{1,62}\}|[A-Za-z0-9_.-]{1,64})$/,
      'letters, digits, "_", "-" and "." only (1-64), optionally all in braces like {ktrdr} for Redis Cluster',
    )
    .default('ktrdr'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Directories imported into the store (strategies, CSVs) or read beside it (relative to the working
  // directory). Trained models have none: they live in the blob store only.
  KTRDR_STRATEGIES_DIR: z.string().min(1).default('strategies'),
  KTRDR_DATA_DIR: z.string().min(1).default('data'),
  // Artifacts live in Redis beside the records: bounded in age and in size per artifact.
  KTRDR_ARTIFACT_TTL_DAYS: z.coerce.number().positive().max(3650).default(30),
  KTRDR_ARTIFACT_MAX_MB: z.coerce.number().positive().max(256).default(5),
  // Cycles running at once, manual and campaign ones alike: the API refuses a trigger past it and a
  // campaign's driver waits for room.
  KTRDR_MAX_CONCURRENT_CYCLES: z.coerce.number().int().min(1).max(1000).default(1),
  // A campaign's verdict is `found` only when its best finalist reaches this DSR and the PBO is at most this.
  KTRDR_CAMPAIGN_MIN_DSR: z.coerce.number().gt(0).lt(1).default(0.95),
  KTRDR_CAMPAIGN_MAX_PBO: z.coerce.number().min(0).max(1).default(0.2),
});

/** The campaign verdict's thresholds, as every process that shows or decides one reads them. */
export function campaignThresholds(e: { KTRDR_CAMPAIGN_MIN_DSR: number; KTRDR_CAMPAIGN_MAX_PBO: number }): { minDsr: number; maxPbo: number } {
  return { minDsr: e.KTRDR_CAMPAIGN_MIN_DSR, maxPbo: e.KTRDR_CAMPAIGN_MAX_PBO };
}

/** The strategies and data directories, as absolute paths. */
export interface ResearchDirs {
  strategiesDir: string;
  dataDir: string;
}

export function researchDirs(e: { KTRDR_STRATEGIES_DIR: string; KTRDR_DATA_DIR: string }): ResearchDirs {
  return { strategiesDir: resolve(e.KTRDR_STRATEGIES_DIR), dataDir: resolve(e.KTRDR_DATA_DIR) };
}

/** Retention of artifacts, as every process that writes or serves them reads it. */
export interface ArtifactLimits {
  ttlSeconds: number;
  maxBytes: number;
}

export function artifactLimits(e: { KTRDR_ARTIFACT_TTL_DAYS: number; KTRDR_ARTIFACT_MAX_MB: number }): ArtifactLimits {
  return { ttlSeconds: Math.round(e.KTRDR_ARTIFACT_TTL_DAYS * 86_400), maxBytes: Math.floor(e.KTRDR_ARTIFACT_MAX_MB * 1024 * 1024) };
}

/** A JSON object in one variable (e.g. per-phase settings); anything else is an error naming the variable. */
export const envJsonObject = z.string().transform((raw, ctx) => {
  try {
    const v: unknown = JSON.parse(raw);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  ctx.addIssue({ code: 'custom', message: 'expected a JSON object' });
  return z.NEVER;
});

/** `true|false|1|0|yes|no` as a boolean; anything else is a validation error naming the variable. */
export const envBoolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export class ConfigError extends KtrdrError {
  /** One line per problem, as printed (`VAR: message (got "value")`). */
  readonly problems: string[];

  constructor(readonly configProblems: ConfigProblem[]) {
    super(ErrorCode.ConfigInvalid, configProblemsText(configProblems), { problems: configProblems });
    this.problems = this.message
      .split('\n')
      .slice(1)
      .map((l) => l.replace(/^ {2}- /, ''));
  }
}

/** zod's generic wording, turned into what an operator editing a variable needs to read. */
function friendlyMessage(issue: z.core.$ZodIssue): string {
  // A schema's own message (`.min(16, 'use at least 16 characters …')`) already says it best.
  if (!/^(Invalid input|Too small|Too big|Invalid URL|Invalid option)/i.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'number' ? 'expected a number' : `expected ${issue.expected}`;
    case 'too_small':
      return issue.origin === 'string' ? `must be at least ${String(issue.minimum)} characters` : `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'string' ? `must be at most ${String(issue.maximum)} characters` : `must be at most ${String(issue.maximum)}`;
    case 'invalid_format':
      return issue.format === 'url' ? 'expected a URL (e.g. redis://127.0.0.1:6379)' : issue.message;
    case 'invalid_value':
      return `expected one of ${issue.values.map(String).join(', ')}`;
    default:
      return issue.message;
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
  const problems = parsed.error.issues.map((i): ConfigProblem => {
    const variable = String(i.path[0] ?? '(env)');
    const value = cleaned[variable];
    return { variable: i.path.length > 1 ? i.path.join('.') : variable, message: friendlyMessage(i), ...(value !== undefined ? { value } : {}) };
  });
  throw new ConfigError(problems);
}
