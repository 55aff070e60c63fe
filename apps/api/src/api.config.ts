import { MODEL_ALIASES, isModelId } from '@ktrdr/agent-domain';
import {
  artifactLimits,
  campaignThresholds,
  envBoolean,
  envJsonObject,
  parseEnv,
  researchDirs,
  sharedEnvSchema,
  type ArtifactLimits,
  type ResearchDirs,
} from '@ktrdr/runtime';
import { z } from 'zod';
import type { AuthConfig } from './auth.policy.js';

const schema = sharedEnvSchema.extend({
  KTRDR_API_PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  // Safe by default: loopback unless told otherwise; compose sets 0.0.0.0 with a token.
  KTRDR_API_HOST: z.string().min(1).default('127.0.0.1'),
  // Bearer token for every route but health and metrics; unset = open (loopback only, see auth.policy.ts).
  KTRDR_API_TOKEN: z
    .string()
    .min(16, 'use at least 16 characters (e.g. `openssl rand -hex 32`)')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  KTRDR_ALLOW_OPEN_API: envBoolean.default(false),
  // Cycle-starting routes (trigger, resume): this many requests per client per window; 0 = no limit.
  KTRDR_RATE_LIMIT: z.coerce.number().int().min(0).max(1_000_000).default(30),
  KTRDR_RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(100).max(86_400_000).default(60_000),
  // Behind a reverse proxy: take the client address (the rate limit's key) from X-Forwarded-For.
  KTRDR_TRUST_PROXY: envBoolean.default(false),
  KTRDR_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'expected a size like 100kb')
    .default('100kb'),
  // CSV imports carry whole files; every other route keeps the small limit.
  KTRDR_IMPORT_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'expected a size like 50mb')
    .default('50mb'),
  /** Which model each alias (opus, sonnet, haiku) names, as JSON; unset keys keep the built-in ids. */
  KTRDR_MODEL_ALIASES: envJsonObject.optional().transform((aliases, ctx) => {
    const entries = Object.entries(aliases ?? {});
    const bad = entries.filter(([k, id]) => !(k in MODEL_ALIASES) || typeof id !== 'string' || !isModelId(id)).map(([k]) => k);
    if (bad.length === 0) return Object.fromEntries(entries) as Record<string, string>;
    ctx.addIssue({ code: 'custom', message: `expected ${Object.keys(MODEL_ALIASES).join('/')} → a model id (claude-…); bad: ${bad.join(', ')}` });
    return z.NEVER;
  }),
  KTRDR_API_DOCS: envBoolean.default(true),
  // The queue dashboard only shows queues unless this is set: pause, resume, retry, clean, promote,
  // empty, obliterate and job edits change what workers run, so they are an explicit choice.
  KTRDR_DASHBOARD_ACTIONS: envBoolean.default(false),
  // Daily LLM spend limit in USD per UTC day (0 = no limit): a spent budget refuses new cycles with 429.
  KTRDR_DAILY_BUDGET_USD: z.coerce.number().min(0).max(1_000_000).default(0),
  // Live events: an SSE comment this often keeps proxies from closing an idle stream;
  // change notices for one operation are read at most once per coalesce window.
  KTRDR_SSE_HEARTBEAT_MS: z.coerce.number().int().min(50).max(300_000).default(15_000),
  KTRDR_EVENTS_COALESCE_MS: z.coerce.number().int().min(0).max(10_000).default(100),
});

export interface ApiConfig extends ResearchDirs {
  redisUrl: string;
  prefix: string;
  logLevel: string;
  port: number;
  host: string;
  maxConcurrentCycles: number;
  campaign: { minDsr: number; maxPbo: number };
  bodyLimit: string;
  /** Largest accepted body of POST /data/import (a whole CSV file). */
  importBodyLimit: string;
  /** Alias → model id, the built-in table with KTRDR_MODEL_ALIASES over it. */
  modelAliases: Readonly<Record<string, string>>;
  docs: boolean;
  /** The queue dashboard's write actions (KTRDR_DASHBOARD_ACTIONS). */
  dashboardActions: boolean;
  dailyBudgetUsd: number;
  artifacts: ArtifactLimits;
  events: { heartbeatMs: number; coalesceMs: number };
  auth: AuthConfig;
  rateLimit: { limit: number; windowMs: number };
  /** Client addresses from X-Forwarded-For (fastify's `trustProxy`). */
  trustProxy: boolean;
}

export const API_CONFIG = Symbol('API_CONFIG');

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const e = parseEnv(schema, env);
  return {
    redisUrl: e.REDIS_URL,
    prefix: e.KTRDR_KEY_PREFIX,
    logLevel: e.LOG_LEVEL,
    port: e.KTRDR_API_PORT,
    host: e.KTRDR_API_HOST,
    maxConcurrentCycles: e.KTRDR_MAX_CONCURRENT_CYCLES,
    campaign: campaignThresholds(e),
    ...researchDirs(e),
    bodyLimit: e.KTRDR_BODY_LIMIT,
    importBodyLimit: e.KTRDR_IMPORT_BODY_LIMIT,
    modelAliases: { ...MODEL_ALIASES, ...e.KTRDR_MODEL_ALIASES },
    docs: e.KTRDR_API_DOCS,
    dashboardActions: e.KTRDR_DASHBOARD_ACTIONS,
    dailyBudgetUsd: e.KTRDR_DAILY_BUDGET_USD,
    artifacts: artifactLimits(e),
    events: { heartbeatMs: e.KTRDR_SSE_HEARTBEAT_MS, coalesceMs: e.KTRDR_EVENTS_COALESCE_MS },
    auth: { token: e.KTRDR_API_TOKEN ?? null, allowOpen: e.KTRDR_ALLOW_OPEN_API },
    rateLimit: { limit: e.KTRDR_RATE_LIMIT, windowMs: e.KTRDR_RATE_LIMIT_WINDOW_MS },
    trustProxy: e.KTRDR_TRUST_PROXY,
  };
}
