import { createHash } from 'node:crypto';
import type { IndicatorType } from './indicator.catalogue.js';
import type { StrategyConfig } from './strategy.schema.js';

/**
 * What makes two strategies the same trial, and which idea family a strategy belongs to. A campaign
 * never runs a design twice (by content hash), and its search learns over families.
 */

/** Keys that name or describe a strategy without changing what it trades: left out of its content hash. */
const DESCRIPTIVE_KEYS = new Set(['name', 'description', 'hypothesis', 'version']);

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * The content hash of a strategy: SHA-256 (first 16 hex digits) of its canonical JSON (keys sorted)
 * without its name, description, hypothesis and version. Two designs that differ only in wording
 * hash alike; any change to an indicator, a fuzzy set, the labels, the model, the decisions, the
 * evaluation or a window changes it.
 */
export function strategyContentHash(config: StrategyConfig): string {
  const body = Object.fromEntries(Object.entries(config).filter(([k]) => !DESCRIPTIVE_KEYS.has(k)));
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('hex')
    .slice(0, 16);
}

/** The themes a design's indicators express; the offline designer draws its indicators from these pools. */
export const IDEA_THEMES = ['mean_reversion', 'trend', 'momentum', 'volatility'] as const;
export type IdeaTheme = (typeof IDEA_THEMES)[number];

export const THEME_INDICATORS: Readonly<Record<IdeaTheme, readonly IndicatorType[]>> = {
  mean_reversion: ['rsi', 'stochastic', 'williams_r', 'bbands', 'cci'],
  trend: ['sma', 'ema', 'macd', 'adx'],
  momentum: ['roc', 'macd', 'rsi', 'obv', 'cci'],
  volatility: ['atr', 'bbands', 'adx'],
};

/**
 * The theme a set of indicators expresses most: the one whose pool holds most of them (ties go to
 * the earlier theme in IDEA_THEMES). A design whose indicators are in no pool reads `mixed`.
 */
export function themeOf(types: readonly string[]): IdeaTheme | 'mixed' {
  let best: IdeaTheme | 'mixed' = 'mixed';
  let bestCount = 0;
  for (const theme of IDEA_THEMES) {
    const count = types.filter((t) => (THEME_INDICATORS[theme] as readonly string[]).includes(t)).length;
    if (count > bestCount) {
      best = theme;
      bestCount = count;
    }
  }
  return best;
}

/**
 * A strategy's idea family, `<theme>/<label source>` (e.g. `mean_reversion/triple_barrier`): what a
 * campaign's search learns over and its report speaks of. Derived from the configuration alone, so a
 * design by Claude and one by the offline designer are classed alike.
 */
export function ideaFamily(config: Pick<StrategyConfig, 'indicators' | 'training'>): string {
  const types = Object.values(config.indicators).map((i) => i.type);
  return `${themeOf(types)}/${config.training.labels.source}`;
}
