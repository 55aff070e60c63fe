import { DEFAULT_GATE_THRESHOLDS } from '@ktrdr/agent-domain';
import { parseEnv } from '@ktrdr/runtime';
import { z } from 'zod';
import { parsePriceOverrides, type PriceTable } from './llm.pricing.js';
import { SecretValue } from './secret.value.js';

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

/**
 * LLM settings, as a zod shape a process's own env schema can extend (so every bad variable is
 * listed at once), or parsed alone with loadLlmConfig.
 */
export const llmEnvShape = {
  /** Present: Claude designs and assesses. Absent: the offline designer and assessor do. */
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z.string().url().optional(),
  /** Per request (the SDK retries on top of it). */
  KTRDR_LLM_TIMEOUT_MS: int(120_000, 1_000, 600_000),
  /** SDK retries of 408/409/429/5xx and connection failures, with backoff (retry-after honoured). */
  KTRDR_LLM_MAX_RETRIES: int(2, 0, 10),
  /** Corrective turns after Claude's tool input fails validation (each one is a full request). */
  KTRDR_LLM_MAX_CORRECTIONS: int(1, 0, 3),
  /** Upper bound of a prompt's size in characters (system + messages); larger inputs are refused. */
  KTRDR_LLM_MAX_INPUT_CHARS: int(60_000, 4_000, 400_000),
  KTRDR_LLM_DESIGN_MAX_TOKENS: int(8_192, 1_024, 32_000),
  KTRDR_LLM_ASSESS_MAX_TOKENS: int(2_048, 512, 16_000),
  /** JSON price overrides, USD per million tokens: {"claude-sonnet-5-5": {"input": 3, "output": 15}}. */
  KTRDR_LLM_PRICES: z
    .string()
    .optional()
    .transform((s, ctx) => {
      const parsed = parsePriceOverrides(s);
      if (parsed.ok) return parsed.prices;
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }),
  /** Daily LLM spend limit in USD (UTC day); 0 turns it off. */
  KTRDR_DAILY_BUDGET_USD: z.coerce.number().min(0).max(1_000_000).default(0),
  /**
   * The backtest gate's largest significant random-entry p-value: the assessors read the same
   * variable, so a verdict never calls promising what the gate would call luck. The worker's own
   * schema declares it too (for its gates), with the same default.
   */
  BACKTEST_GATE_MAX_P_VALUE: z.coerce.number().finite().default(DEFAULT_GATE_THRESHOLDS.backtest.maxPValue),
};

const llmEnvSchema = z.object(llmEnvShape);
export type LlmEnv = z.output<typeof llmEnvSchema>;

export interface LlmConfig {
  /** Never logged: a SecretValue prints `[redacted]`. */
  apiKey: SecretValue | null;
  baseURL: string | null;
  timeoutMs: number;
  maxRetries: number;
  maxCorrections: number;
  maxInputChars: number;
  maxOutputTokens: { design: number; assessment: number };
  prices: PriceTable;
  dailyBudgetUsd: number;
  /** The largest random-entry p-value a `promising` verdict allows (BACKTEST_GATE_MAX_P_VALUE; see promising.rule.ts). */
  promisingMaxPValue: number;
}

export function llmConfigFromEnv(e: LlmEnv): LlmConfig {
  return {
    apiKey: e.ANTHROPIC_API_KEY ? new SecretValue(e.ANTHROPIC_API_KEY) : null,
    baseURL: e.ANTHROPIC_BASE_URL ?? null,
    timeoutMs: e.KTRDR_LLM_TIMEOUT_MS,
    maxRetries: e.KTRDR_LLM_MAX_RETRIES,
    maxCorrections: e.KTRDR_LLM_MAX_CORRECTIONS,
    maxInputChars: e.KTRDR_LLM_MAX_INPUT_CHARS,
    maxOutputTokens: { design: e.KTRDR_LLM_DESIGN_MAX_TOKENS, assessment: e.KTRDR_LLM_ASSESS_MAX_TOKENS },
    prices: e.KTRDR_LLM_PRICES,
    dailyBudgetUsd: e.KTRDR_DAILY_BUDGET_USD,
    promisingMaxPValue: e.BACKTEST_GATE_MAX_P_VALUE,
  };
}

/** Validates the LLM variables of `env` (ConfigError listing each bad one). */
export function loadLlmConfig(env: NodeJS.ProcessEnv = process.env): LlmConfig {
  return llmConfigFromEnv(parseEnv(llmEnvSchema, env));
}
