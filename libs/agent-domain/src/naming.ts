/** Names users type: models and strategies. Validated here so every edge applies the same rule. */

export const MODEL_ALIASES: Readonly<Record<string, string>> = {
  opus: 'claude-opus-5-5',
  sonnet: 'claude-sonnet-5-5',
  haiku: 'claude-haiku-5-5',
};
export const DEFAULT_MODEL = 'sonnet';
const MODEL_ID = /^claude-[a-z0-9][a-z0-9.-]{1,62}$/;

/** Full model id for an alias or id; null when the value is neither. `aliases` maps the alias names to ids (configurable). */
export function resolveModel(value: string, aliases: Readonly<Record<string, string>> = MODEL_ALIASES): string | null {
  if (value in MODEL_ALIASES) return aliases[value] ?? MODEL_ALIASES[value]!;
  return MODEL_ID.test(value) ? value : null;
}

export const MODEL_CHOICES_TEXT = `${Object.keys(MODEL_ALIASES).join(', ')} or a full model id (claude-…)`;

/** A strategy name as stored: letters, digits, `_` and `-` only, so it can never leave its directory. */
export const STRATEGY_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidStrategyName(name: string): boolean {
  return STRATEGY_NAME.test(name);
}

export function isModelId(value: string): boolean {
  return MODEL_ID.test(value);
}

/** Turns any proposed name into a safe one (for names produced by a designer, not typed by a user). */
export function sanitizeStrategyName(raw: string): string {
  const cleaned = raw
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
  return cleaned || 'strategy';
}
