import { envBoolean, parseEnv, sharedEnvSchema } from '@ktrdr/runtime';
import { resolve } from 'node:path';
import { z } from 'zod';

const schema = sharedEnvSchema.extend({
  KTRDR_API_PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  KTRDR_API_HOST: z.string().min(1).default('0.0.0.0'),
  KTRDR_MAX_CONCURRENT_CYCLES: z.coerce.number().int().min(1).max(1000).default(1),
  KTRDR_STRATEGIES_DIR: z.string().min(1).default('strategies'),
  KTRDR_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'expected a size like 100kb').default('100kb'),
  KTRDR_API_DOCS: envBoolean.default(true),
});

export interface ApiConfig {
  redisUrl: string;
  prefix: string;
  logLevel: string;
  port: number;
  host: string;
  maxConcurrentCycles: number;
  strategiesDir: string;
  bodyLimit: string;
  docs: boolean;
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
    strategiesDir: resolve(e.KTRDR_STRATEGIES_DIR),
    bodyLimit: e.KTRDR_BODY_LIMIT,
    docs: e.KTRDR_API_DOCS,
  };
}
