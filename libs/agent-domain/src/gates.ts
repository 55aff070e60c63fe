import type { BacktestResult, TrainingResult } from '@ktrdr/api-contract';

/**
 * Quality gates: pure functions of a phase's metrics. Every check runs; the reason names the first
 * failing one in its exact form and the others after it (`too_few_trades (2 < 5); also
 * win_rate_too_low (0.0% < 45.0%)`), so one message says everything that is wrong with a result.
 */

export interface TrainingGateThresholds {
  minAccuracy: number;
  maxLoss: number;
  minLossDecrease: number;
  /** Points (as a fraction) the test accuracy must clear the test part's majority baseline by. */
  minSkill: number;
}

export interface BacktestGateThresholds {
  minWinRate: number;
  maxDrawdown: number;
  minSharpe: number;
  minTrades: number;
  /** The largest random-entry p-value that counts as significant. */
  maxPValue: number;
}

export interface GateThresholds {
  training: TrainingGateThresholds;
  backtest: BacktestGateThresholds;
}

export const DEFAULT_GATE_THRESHOLDS: GateThresholds = {
  training: { minAccuracy: 0.45, maxLoss: 0.8, minLossDecrease: 0.2, minSkill: 0 },
  backtest: { minWinRate: 0.45, maxDrawdown: 0.4, minSharpe: -0.5, minTrades: 5, maxPValue: 0.1 },
};

export type GateVerdict = { passed: true } | { passed: false; reason: string };

const PASS: GateVerdict = { passed: true };

/** The verdict of a gate's failing checks, in the order they ran. */
function verdictOf(failures: readonly string[]): GateVerdict {
  if (failures.length === 0) return PASS;
  const [first, ...more] = failures;
  return { passed: false, reason: [first, ...more.map((r) => `also ${r}`)].join('; ') };
}

/** 0.423 → "42.3%": the measured value and its threshold both print one decimal, so the two sides of a comparison read alike. */
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

function num<K extends string>(metrics: Partial<Record<K, unknown>>, key: K): number {
  const v = metrics[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN;
}

function missing<K extends string>(keys: readonly K[], metrics: Partial<Record<K, unknown>>): GateVerdict | null {
  const absent = keys.filter((k) => Number.isNaN(num(metrics, k)));
  return absent.length ? { passed: false, reason: `missing_metrics (${absent.join(', ')})` } : null;
}

/** The metrics each gate judges, named as in the phase result schemas (a rename fails the build). */
export type TrainingGateMetrics = Pick<TrainingResult, 'accuracy' | 'final_loss' | 'initial_loss' | 'baseline_accuracy'>;
export type BacktestGateMetrics = Pick<BacktestResult, 'win_rate' | 'max_drawdown' | 'sharpe_ratio' | 'total_trades' | 'random_entry_p_value'>;
const TRAINING_GATE_KEYS: readonly (keyof TrainingGateMetrics)[] = ['accuracy', 'final_loss', 'initial_loss', 'baseline_accuracy'];
const BACKTEST_GATE_KEYS: readonly (keyof BacktestGateMetrics)[] = ['win_rate', 'max_drawdown', 'sharpe_ratio', 'total_trades', 'random_entry_p_value'];

export function checkTrainingGate(metrics: Partial<Record<keyof TrainingGateMetrics, unknown>>, t: TrainingGateThresholds): GateVerdict {
  const absent = missing(TRAINING_GATE_KEYS, metrics);
  if (absent) return absent;
  const accuracy = num(metrics, 'accuracy');
  const finalLoss = num(metrics, 'final_loss');
  const initialLoss = num(metrics, 'initial_loss');
  const failures: string[] = [];
  if (accuracy < t.minAccuracy) failures.push(`accuracy_below_threshold (${pct(accuracy)} < ${pct(t.minAccuracy)})`);
  if (finalLoss > t.maxLoss) failures.push(`loss_too_high (${finalLoss.toFixed(3)} > ${t.maxLoss})`);
  const decrease = initialLoss > 0 ? (initialLoss - finalLoss) / initialLoss : 0;
  if (decrease < t.minLossDecrease) failures.push(`insufficient_loss_decrease (${pct(decrease)} < ${pct(t.minLossDecrease)})`);
  // Skill: a model that does not beat always predicting the test part's most frequent class has
  // learned nothing the class shares did not already say, however high its accuracy reads.
  const baseline = num(metrics, 'baseline_accuracy');
  if (accuracy <= baseline + t.minSkill) {
    const margin = t.minSkill > 0 ? ` + ${(t.minSkill * 100).toFixed(1)} points` : '';
    failures.push(`no_skill (accuracy ${pct(accuracy)} ≤ majority baseline ${pct(baseline)}${margin})`);
  }
  return verdictOf(failures);
}

export function checkBacktestGate(metrics: Partial<Record<keyof BacktestGateMetrics, unknown>>, t: BacktestGateThresholds): GateVerdict {
  const absent = missing(BACKTEST_GATE_KEYS, metrics);
  if (absent) return absent;
  const winRate = num(metrics, 'win_rate');
  const drawdown = num(metrics, 'max_drawdown');
  const sharpe = num(metrics, 'sharpe_ratio');
  const trades = num(metrics, 'total_trades');
  // The basic problem first: too few trades to judge anything else by, then the loss, then the rest.
  const failures: string[] = [];
  if (trades < t.minTrades) failures.push(`too_few_trades (${trades} < ${t.minTrades})`);
  if (drawdown > t.maxDrawdown) failures.push(`drawdown_too_high (${pct(drawdown)} > ${pct(t.maxDrawdown)})`);
  // Without a single trade there is no win rate to judge: too_few_trades already says what happened.
  if (trades > 0 && winRate < t.minWinRate) failures.push(`win_rate_too_low (${pct(winRate)} < ${pct(t.minWinRate)})`);
  if (sharpe < t.minSharpe) failures.push(`sharpe_too_low (${sharpe.toFixed(2)} < ${t.minSharpe})`);
  // Could it be luck: random entries with the same trades, holds and costs did as well this often
  // (without a trade there is nothing to compare, as with the win rate).
  const p = num(metrics, 'random_entry_p_value');
  if (trades > 0 && p > t.maxPValue) failures.push(`not_significant (p ${p.toFixed(2)} > ${t.maxPValue.toFixed(2)})`);
  return verdictOf(failures);
}
