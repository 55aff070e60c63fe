import { MODEL_ALIASES, resolveModel } from '@ktrdr/agent-domain';
import { z } from 'zod';
import type { TokenUsage } from './llm.types.js';

/** USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * List prices (USD per million tokens) of the models the aliases name (MODEL_ALIASES in
 * @ktrdr/agent-domain). Prices change: override them with KTRDR_LLM_PRICES, a JSON object of
 * `{"<model id or alias>": {"input": 3, "output": 15}}`, merged over these.
 */
export const DEFAULT_PRICES: PriceTable = {
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  // The current aliases (MODEL_ALIASES): list prices per million tokens; override with KTRDR_LLM_PRICES.
  'claude-opus-5-5': { input: 15, output: 75 },
  'claude-sonnet-5-5': { input: 3, output: 15 },
  'claude-haiku-5-5': { input: 1, output: 5 },
};

/**
 * A model missing from the table is priced like its family (the id names opus, sonnet or haiku),
 * and an unknown family like the most expensive model: overestimating keeps the budget a limit.
 */
const FAMILY_FALLBACK: readonly [RegExp, string][] = [
  [/opus/, MODEL_ALIASES['opus']!],
  [/sonnet/, MODEL_ALIASES['sonnet']!],
  [/haiku/, MODEL_ALIASES['haiku']!],
];

const priceSchema = z.object({ input: z.number().min(0).max(10_000), output: z.number().min(0).max(10_000) }).strict();
const overridesSchema = z.record(z.string().min(1), priceSchema);

/** Parses KTRDR_LLM_PRICES (aliases are resolved to full ids) and merges it over the defaults. */
export function parsePriceOverrides(json: string | undefined): { ok: true; prices: PriceTable } | { ok: false; error: string } {
  if (json === undefined || json.trim() === '') return { ok: true, prices: DEFAULT_PRICES };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { ok: false, error: 'expected JSON like {"claude-sonnet-4-5": {"input": 3, "output": 15}}' };
  }
  const parsed = overridesSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, error: `${issue.path.join('.') || '(root)'}: ${issue.message} (USD per million tokens, {"input": n, "output": n})` };
  }
  const prices: Record<string, ModelPrice> = { ...DEFAULT_PRICES };
  for (const [model, price] of Object.entries(parsed.data)) prices[resolveModel(model) ?? model] = price;
  return { ok: true, prices };
}

export function priceOf(model: string, prices: PriceTable = DEFAULT_PRICES): ModelPrice {
  const id = resolveModel(model) ?? model;
  const exact = prices[id];
  if (exact) return exact;
  // Dated ids (claude-sonnet-4-5-20250929) are priced like their undated alias.
  const undated = Object.keys(prices).find((k) => id.startsWith(`${k}-`));
  if (undated) return prices[undated]!;
  for (const [pattern, fallback] of FAMILY_FALLBACK) if (pattern.test(id) && prices[fallback]) return prices[fallback];
  return Object.values(prices).reduce((max, p) => (p.output > max.output ? p : max), { input: 0, output: 0 });
}

/** cost_usd = input_tokens × input price + output_tokens × output price (prices per million). */
export function costUsd(model: string, usage: TokenUsage, prices: PriceTable = DEFAULT_PRICES): number {
  const p = priceOf(model, prices);
  return (usage.input_tokens * p.input + usage.output_tokens * p.output) / 1_000_000;
}
