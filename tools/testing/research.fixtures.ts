import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../shared/repo-root.js';

/**
 * Real-phase fixtures shared by the research e2e tests and the training-cancel benchmark: a
 * scratch directory (strategies, models, data) so runs never write into the repository, and a
 * strategy whose training runs long enough to be cancelled mid-fit (1,000 epochs, wide layers,
 * two years of synthetic hourly bars; early stopping waits 100 epochs), in 3 walk-forward folds.
 */
export const SLOW_TRAINING_STRATEGY = `name: slow_training
training_data: { symbols: [SYNTH_SLOW], timeframes: [1h], date_range: { start: "2022-01-01", end: "2023-12-31" } }
indicators: { rsi_14: { type: rsi, period: 14 }, ema_50: { type: ema, period: 50 } }
fuzzy_sets:
  rsi_14: { indicator: rsi_14, low: { type: triangular, parameters: [0, 25, 50] }, high: { type: triangular, parameters: [50, 75, 100] } }
  ema_50: { indicator: ema_50.distance, below: { type: gaussian, parameters: [-0.02, 0.02] }, above: { type: gaussian, parameters: [0.02, 0.02] } }
nn_inputs: [{ fuzzy_set: rsi_14 }, { fuzzy_set: ema_50 }]
model:
  type: mlp
  architecture: { hidden_layers: [256, 128], dropout: 0.1 }
  training: { epochs: 1000, batch_size: 32, early_stopping: { patience: 100 } }
training:
  labels: { source: zigzag, zigzag_threshold: 0.01, label_lookahead: 24 }
  data_split: { train: 0.7, validation: 0.15, test: 0.15 }
evaluation: { folds: 3, seeds: 1 }
backtest: { date_range: { start: "2024-01-01", end: "2024-03-31" } }
`;

export interface ResearchScratch {
  root: string;
  /** KTRDR_STRATEGIES_DIR / KTRDR_DATA_DIR for the API and the workers. */
  env: { KTRDR_STRATEGIES_DIR: string; KTRDR_DATA_DIR: string };
}

/** A scratch directory with copies of shipped strategies and any extra ones (name → YAML). */
export function researchScratch(shipped: string[], extra: Record<string, string> = {}): ResearchScratch {
  const root = mkdtempSync(join(tmpdir(), 'ktrdr-research-'));
  const strategies = join(root, 'strategies');
  mkdirSync(strategies);
  for (const name of shipped) copyFileSync(join(repoRoot(), 'strategies', `${name}.yaml`), join(strategies, `${name}.yaml`));
  for (const [name, yaml] of Object.entries(extra)) writeFileSync(join(strategies, `${name}.yaml`), yaml);
  return { root, env: { KTRDR_STRATEGIES_DIR: strategies, KTRDR_DATA_DIR: join(root, 'data') } };
}

/**
 * Worker settings under which every trial passes the gates: the defaults stop nearly every offline
 * design on the built-in sample (docs/RESEARCH.md), and campaign tests need finalists to take their
 * look at the holdout.
 */
export const OPEN_GATES_ENV: Readonly<Record<string, string>> = {
  TRAINING_GATE_MIN_ACCURACY: '0',
  TRAINING_GATE_MAX_LOSS: '100',
  TRAINING_GATE_MIN_LOSS_DECREASE: '-100',
  TRAINING_GATE_MIN_SKILL: '-1',
  BACKTEST_GATE_MIN_WIN_RATE: '0',
  BACKTEST_GATE_MAX_DRAWDOWN: '1',
  BACKTEST_GATE_MIN_SHARPE: '-1000',
  BACKTEST_GATE_MIN_TRADES: '0',
  BACKTEST_GATE_MAX_P_VALUE: '1',
};
