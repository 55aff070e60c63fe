import type { HoldoutWindow } from '@ktrdr/api-contract';
import type { StrategyConfig } from './strategy.schema.js';

/**
 * The campaign's sealed holdout: the last part of its data, fixed when the campaign starts. No
 * design, training, fold or ledger number may use a bar in it; at the end each finalist is
 * evaluated on it once.
 */

const DAY = 86_400_000;
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * The holdout of data spanning [start, end]: the last `fraction` of the span, and at least a year
 * on daily and weekly bars (a shorter holdout says little about a daily strategy); never more than
 * half the span. From the first day of the holdout to the last day of the data.
 */
export function holdoutWindow(start: string, end: string, timeframe: string, fraction: number): HoldoutWindow {
  const s = Date.parse(start.slice(0, 10));
  const e = Date.parse(end.slice(0, 10));
  const span = e - s;
  const minimum = timeframe === '1d' || timeframe === '1w' ? 365 * DAY : 0;
  const length = Math.min(span / 2, Math.max(fraction * span, minimum));
  return { from: day(e - length), to: day(e) };
}

/** The last day a searching trial may read: the day before the holdout. */
export function lastSearchDay(holdout: Pick<HoldoutWindow, 'from'>): string {
  return day(Date.parse(holdout.from) - DAY);
}

export class SealedWindowError extends Error {}

/**
 * A trial's strategy with every window ending before the holdout: a window that reaches into it is
 * cut at the day before (Claude may propose one; the offline designer never does), and a design
 * whose backtest would start inside it is refused.
 */
export function sealStrategy(config: StrategyConfig, sealedFrom: string): { config: StrategyConfig; clamped: boolean } {
  const limit = Date.parse(sealedFrom) - DAY;
  const last = day(limit);
  if (Date.parse(config.backtest.date_range.start) > limit || Date.parse(config.training_data.date_range.start) > limit) {
    throw new SealedWindowError(
      `the design's windows (training from ${config.training_data.date_range.start}, backtest from ${config.backtest.date_range.start}) start inside the campaign's sealed holdout (from ${sealedFrom})`,
    );
  }
  const clampEnd = (end: string): string => (Date.parse(end) > limit ? last : end);
  const training = clampEnd(config.training_data.date_range.end);
  const backtest = clampEnd(config.backtest.date_range.end);
  const clamped = training !== config.training_data.date_range.end || backtest !== config.backtest.date_range.end;
  if (!clamped) return { config, clamped };
  return {
    config: {
      ...config,
      training_data: { ...config.training_data, date_range: { ...config.training_data.date_range, end: training } },
      backtest: { ...config.backtest, date_range: { ...config.backtest.date_range, end: backtest } },
    },
    clamped,
  };
}

/**
 * The strategy a finalist is evaluated with on the holdout: the same design, one walk-forward fold
 * whose test part is the holdout, trained on every bar from the trial's first training day up to the
 * holdout (less the purge), with the same seeds.
 */
export function holdoutStrategy(config: StrategyConfig, holdout: HoldoutWindow, name: string): StrategyConfig {
  return {
    ...config,
    name,
    description: `Holdout evaluation of ${config.name}: ${config.description}`.slice(0, 2000),
    training_data: { ...config.training_data, date_range: { start: config.training_data.date_range.start, end: lastSearchDay(holdout) } },
    backtest: { ...config.backtest, date_range: { start: holdout.from, end: holdout.to } },
    evaluation: { ...config.evaluation, folds: 1 },
  };
}
