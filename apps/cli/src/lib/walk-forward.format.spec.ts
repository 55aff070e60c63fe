import { operationRecord } from '../../../../tools/testing/operation.fixture';
import { backtestResultSchema, trainingResultSchema, type BacktestResult, type OperationInfo, type TrainingResult } from '@ktrdr/api-contract';
import { childrenTableLines, followSummaryLines, operationLines } from './output.format';
import { costsPaidText, foldDispersionText, foldTableLines, regimeLines, seedRobustnessText, walkForwardLines, walkForwardText } from './walk-forward.format';

const CYCLE_ID = 'op_agent_research_20261125_143022_ab12cd34';
const TRAIN_ID = 'op_training_20261125_143100_00ff00ff';
const BACKTEST_ID = 'op_backtesting_20261125_150000_11ee11ee';

const PLAN = { scheme: 'expanding' as const, folds: 3, purge: 20, embargo: 20, seeds: 3 };
const SPANS = [
  ['2008-01-02T00:00:00.000Z', '2012-02-08T00:00:00.000Z'],
  ['2012-02-09T00:00:00.000Z', '2016-03-15T00:00:00.000Z'],
  ['2016-03-16T00:00:00.000Z', '2020-04-17T00:00:00.000Z'],
] as const;

/** A walk-forward training result as the training phase writes it (checked against the contract). */
const TRAINING: TrainingResult = trainingResultSchema.parse({
  model_path: `blob:${'ab'.repeat(32)}`,
  accuracy: 0.5321,
  baseline_accuracy: 0.4912,
  majority_baseline: 0.4912,
  stratified_baseline: 0.3621,
  balanced_accuracy: 0.41,
  log_loss: 0.9812,
  prior_log_loss: 1.0461,
  initial_loss: 1.1,
  final_loss: 0.95,
  val_accuracy: 0.52,
  test_loss: 0.98,
  epochs_run: 14,
  best_epoch: 4,
  epochs_planned: 50,
  stopped_early: true,
  class_balance: { BUY: 0.3, HOLD: 0.4, SELL: 0.3 },
  samples: { train: 2000, validation: 400, test: 3000 },
  feature_count: 4,
  seed: 7,
  history: { loss: [1.1, 0.95], val_loss: [1.1, 0.97] },
  symbols: ['SP500'],
  timeframe: '1d',
  evaluation: PLAN,
  folds: SPANS.map(([from, to], i) => ({
    fold: i + 1,
    train: { from: '2000-01-03T00:00:00.000Z', to: from, rows: 2000 + 1000 * i },
    validation: { from: '2007-01-02T00:00:00.000Z', to: '2007-12-31T00:00:00.000Z', rows: 250 },
    test: { from, to, rows: 1000 },
    accuracy: [0.541, 0.518, 0.537][i],
    majority_baseline: [0.48, 0.502, 0.491][i],
    stratified_baseline: 0.36,
    balanced_accuracy: 0.41,
    log_loss: 0.98,
    prior_log_loss: 1.04,
    epochs_run: [14, 22, 50][i],
    seed_accuracies: [
      [0.541, 0.533, 0.547],
      [0.518, 0.518, 0.518],
      [0.537, 0.529, 0.544],
    ][i],
  })),
});

/** A walk-forward backtest result: the stitched run, each fold, seeds, regimes, costs. */
const BACKTEST: BacktestResult = backtestResultSchema.parse({
  symbol: 'SP500',
  timeframe: '1d',
  start: SPANS[0][0],
  end: SPANS[2][1],
  bars: 3090,
  total_return: 0.124,
  cagr: 0.01,
  volatility: 0.08,
  sharpe_ratio: 0.41,
  sortino_ratio: 0.55,
  max_drawdown: 0.18,
  max_drawdown_peak: null,
  max_drawdown_trough: null,
  win_rate: 0.52,
  profit_factor: 1.2,
  total_trades: 61,
  exposure: 0.4,
  benchmark_return: 1.31,
  benchmark_max_drawdown: 0.52,
  benchmark_sharpe: 0.61,
  turnover: 12.43,
  commission_paid: 8231.4,
  costs_paid: 12345.6,
  equity_curve_length: 3090,
  initial_capital: 100000,
  final_equity: 112400,
  random_entry_p_value: 0.031,
  random_entry_simulations: 1000,
  psr: 0.9712,
  sharpe_ci95: [0.214, 2.051],
  cost_sensitivity: {
    runs: [
      { multiple: 0, total_return: 0.181, sharpe_ratio: 0.6 },
      { multiple: 1, total_return: 0.124, sharpe_ratio: 0.41 },
    ],
    break_even_cost: 2.29,
    cost_drag: 0.057,
  },
  evaluation: PLAN,
  folds: SPANS.map(([start, end], i) => ({
    fold: i + 1,
    start,
    end,
    bars: 1030,
    total_return: [0.081, -0.034, 0.072][i],
    sharpe_ratio: [0.92, -0.31, 0.66][i],
    max_drawdown: 0.1,
    total_trades: [22, 19, 20][i],
    win_rate: 0.5,
    benchmark_return: [-0.12, 0.55, 0.61][i],
  })),
  fold_dispersion: {
    folds: 3,
    return_mean: 0.0397,
    return_std: 0.0639,
    sharpe_mean: 0.4233,
    sharpe_std: 0.6351,
    positive_share: 2 / 3,
    worst_return: -0.034,
    best_return: 0.081,
  },
  seed_robustness: {
    seeds: [
      { seed: 7, total_return: 0.124, sharpe_ratio: 0.41 },
      { seed: 8, total_return: -0.012, sharpe_ratio: -0.05 },
      { seed: 9, total_return: 0.061, sharpe_ratio: 0.22 },
    ],
    profitable: 2,
    share: 2 / 3,
  },
  regimes: [
    { regime: 'bull_calm', bars: 1420, share: 0.4595, total_return: 0.091, sharpe_ratio: 0.81, benchmark_return: 0.92, exposure: 0.403 },
    { regime: 'bull_volatile', bars: 512, share: 0.1657, total_return: 0.042, sharpe_ratio: 0.35, benchmark_return: 0.31, exposure: 0.38 },
    { regime: 'bear_calm', bars: 610, share: 0.1974, total_return: 0.013, sharpe_ratio: 0.12, benchmark_return: -0.08, exposure: 0.41 },
    { regime: 'bear_volatile', bars: 548, share: 0.1773, total_return: -0.021, sharpe_ratio: -0.18, benchmark_return: -0.31, exposure: 0.44 },
  ],
});

function completedCycle(fields: Partial<Record<string, unknown>> = {}): OperationInfo {
  return operationRecord({
    status: 'completed',
    started_at: '2026-11-25T14:30:23.000Z',
    completed_at: '2026-11-25T15:10:00.000Z',
    progress: { percentage: 100, current_step: 'Complete' },
    metadata: {
      parameters: { phase: 'assessing', strategy_name: 'v3_minimal', designer: 'offline', training_result: TRAINING, backtest_result: BACKTEST },
    },
    result_summary: { success: true, strategy_name: 'v3_minimal', verdict: 'mediocre', backtest_result: BACKTEST, assessor: 'offline' },
    ...fields,
  });
}

/** The walk-forward block as a cycle prints it (summary and status alike). */
const CYCLE_BLOCK = [
  '  Walk-forward: 3 folds (expanding, purge 20, embargo 20), 3 seeds',
  "  Folds (out of sample: each fold's test bars, predicted by models trained before them):",
  '    FOLD  TEST                     ACCURACY  MAJORITY  RETURN  BUY&HOLD  SHARPE  TRADES',
  '    ----  -----------------------  --------  --------  ------  --------  ------  ------',
  '       1  2008-01-02 … 2012-02-08     54.1%     48.0%   +8.1%    −12.0%    0.92      22',
  '       2  2012-02-09 … 2016-03-15     51.8%     50.2%   −3.4%    +55.0%   -0.31      19',
  '       3  2016-03-16 … 2020-04-17     53.7%     49.1%   +7.2%    +61.0%    0.66      20',
  '  Fold dispersion: 2/3 folds positive; Sharpe 0.42 ± 0.64 (mean ± std); return +4.0% ± 6.4%; worst fold −3.4%, best +8.1%',
  '  Seed robustness: 2/3 seeds profitable out of sample (seed 7 +12.4%, seed 8 −1.2%, seed 9 +6.1%)',
  '  Regimes (strategy vs buy-and-hold on the bars of each):',
  '    bull, calm      1420 bars (46.0%)  strategy +9.1% vs buy-and-hold +92.0%; Sharpe 0.81; in the market 40.3% of them',
  '    bull, volatile  512 bars (16.6%)   strategy +4.2% vs buy-and-hold +31.0%; Sharpe 0.35; in the market 38.0% of them',
  '    bear, calm      610 bars (19.7%)   strategy +1.3% vs buy-and-hold −8.0%; Sharpe 0.12; in the market 41.0% of them',
  '    bear, volatile  548 bars (17.7%)   strategy −2.1% vs buy-and-hold −31.0%; Sharpe -0.18; in the market 44.0% of them',
  '  Costs paid: 12,346 (commission 8,231, slippage 4,114; 12.3% of the initial capital)',
];

describe('walk-forward blocks', () => {
  it('words the plan', () => {
    expect(walkForwardText(PLAN)).toBe('3 folds (expanding, purge 20, embargo 20), 3 seeds');
    expect(walkForwardText({ scheme: 'rolling', folds: 1, purge: 0, embargo: 0, seeds: 1 })).toBe('1 fold (rolling, purge 0, embargo 0), 1 seed');
  });

  it('prints every block of a walk-forward cycle, in order', () => {
    expect(walkForwardLines(TRAINING, BACKTEST)).toEqual(CYCLE_BLOCK);
  });

  it('a training child alone: its folds with epochs and the spread of its seeds, no backtest columns', () => {
    expect(foldTableLines(TRAINING, null)).toEqual([
      'FOLD  TEST                     ACCURACY  MAJORITY  EPOCHS  SEED SPREAD',
      '----  -----------------------  --------  --------  ------  -----------',
      '   1  2008-01-02 … 2012-02-08     54.1%     48.0%      14   53.3–54.7%',
      '   2  2012-02-09 … 2016-03-15     51.8%     50.2%      22        51.8%',
      '   3  2016-03-16 … 2020-04-17     53.7%     49.1%      50   52.9–54.4%',
    ]);
  });

  it('a backtest child alone: its folds with the backtest columns only', () => {
    const table = foldTableLines(null, BACKTEST);
    expect(table[0]).toBe('FOLD  TEST                     RETURN  BUY&HOLD  SHARPE  TRADES');
    expect(table[2]).toBe('   1  2008-01-02 … 2012-02-08   +8.1%    −12.0%    0.92      22');
  });

  it('costs paid without the commission split or the capital is the sum alone', () => {
    expect(costsPaidText({ costs_paid: 1234.4 })).toBe('1,234');
    expect(costsPaidText({ costs_paid: 1234.4, initial_capital: 100000 })).toBe('1,234 (1.2% of the initial capital)');
  });

  it('says nothing for a single-split result (from before walk-forward)', () => {
    const old = { accuracy: 0.5, majority_baseline: 0.4, total_return: 0.1, sharpe_ratio: 0.3, cost_sensitivity: BACKTEST.cost_sensitivity };
    expect(walkForwardLines(old, old)).toEqual([]);
    expect(walkForwardLines(null, null)).toEqual([]);
    expect(foldDispersionText(old)).toBeNull();
    expect(seedRobustnessText(old)).toBeNull();
    expect(regimeLines(old)).toEqual([]);
    expect(costsPaidText(old)).toBeNull();
  });
});

describe('walk-forward in the summary and the status', () => {
  it('the cycle summary adds the blocks after the backtest numbers, and the skill says it is pooled', () => {
    const lines = followSummaryLines(completedCycle());
    expect(lines).toContain(
      '  Skill: test accuracy 53.2% vs 49.1% always predicting its most frequent class (balanced accuracy 41.0%, random by class shares 36.2%); log-loss 0.981 vs 1.046 for the class shares; pooled over 3 test folds',
    );
    const at = lines.indexOf(CYCLE_BLOCK[0]!);
    expect(at).toBeGreaterThan(lines.findIndex((l) => l.startsWith('  Robustness: ')));
    expect(lines.slice(at, at + CYCLE_BLOCK.length)).toEqual(CYCLE_BLOCK);
    expect(lines[at + CYCLE_BLOCK.length]).toBe('  Designed by: offline; assessed by: offline');
  });

  it('operations status of the cycle shows the same blocks, before the times', () => {
    const lines = operationLines(completedCycle());
    const at = lines.indexOf(CYCLE_BLOCK[0]!);
    expect(lines.slice(at, at + CYCLE_BLOCK.length)).toEqual(CYCLE_BLOCK);
    expect(lines[at + CYCLE_BLOCK.length]).toBe('  Created: 2026-11-25 14:30:22 UTC');
  });

  it('operations status of the training child shows its own folds, and of the backtest child its own blocks', () => {
    const child = (type: string, id: string, result: unknown) =>
      operationRecord({ operation_id: id, operation_type: type, status: 'completed', parent_operation_id: CYCLE_ID, result_summary: result });
    const training = operationLines(child('training', TRAIN_ID, TRAINING));
    expect(training).toContain('  Walk-forward: 3 folds (expanding, purge 20, embargo 20), 3 seeds');
    expect(training).toContain('    FOLD  TEST                     ACCURACY  MAJORITY  EPOCHS  SEED SPREAD');
    expect(training.some((l) => l.startsWith('  Regimes') || l.startsWith('  Seed robustness'))).toBe(false);
    const backtest = operationLines(child('backtesting', BACKTEST_ID, BACKTEST));
    expect(backtest).toContain('    FOLD  TEST                     RETURN  BUY&HOLD  SHARPE  TRADES');
    expect(backtest).toContain('  Seed robustness: 2/3 seeds profitable out of sample (seed 7 +12.4%, seed 8 −1.2%, seed 9 +6.1%)');
    expect(backtest).toContain('  Costs paid: 12,346 (commission 8,231, slippage 4,114; 12.3% of the initial capital)');
    // Following a child to its end prints the blocks too, above its raw result.
    const followed = followSummaryLines(child('backtesting', BACKTEST_ID, BACKTEST));
    expect(followed.indexOf('  Walk-forward: 3 folds (expanding, purge 20, embargo 20), 3 seeds')).toBeLessThan(followed.indexOf('  Result:'));
  });

  it('a record from before walk-forward prints exactly what it printed before', () => {
    const { evaluation: _e, folds: _f, ...oldTraining } = TRAINING;
    const { evaluation: _be, folds: _bf, fold_dispersion: _d, seed_robustness: _s, regimes: _r, costs_paid: _c, ...oldBacktest } = BACKTEST;
    const old = completedCycle({
      metadata: {
        parameters: { phase: 'assessing', strategy_name: 'v3_minimal', designer: 'offline', training_result: oldTraining, backtest_result: oldBacktest },
      },
      result_summary: { success: true, strategy_name: 'v3_minimal', verdict: 'mediocre', backtest_result: oldBacktest, assessor: 'offline' },
    });
    const text = [...followSummaryLines(old), ...operationLines(old)].join('\n');
    expect(text).not.toMatch(/Walk-forward|Folds|Fold dispersion|Seed robustness|Regimes|Costs paid|pooled/);
    expect(followSummaryLines(old).at(-1)).toBe('  Designed by: offline; assessed by: offline');
  });
});

describe('operations children of a phase child: its walk-forward folds', () => {
  const NOW = new Date('2026-11-25T15:00:00.000Z');
  const windows = SPANS.map(([from], i) => [from, SPANS[i + 1]?.[0] ?? '2020-04-18T00:00:00.000Z']);
  const fold = (type: string, i: number, params: Record<string, unknown>, fields: Partial<Record<string, unknown>> = {}) =>
    operationRecord({
      operation_id: `op_${type}_20261125_1431${String(i).padStart(2, '0')}_0000000${i}`,
      operation_type: type,
      status: 'completed',
      parent_operation_id: TRAIN_ID,
      started_at: '2026-11-25T14:31:00.000Z',
      completed_at: '2026-11-25T14:32:05.000Z',
      progress: { percentage: 100, current_step: 'Done' },
      metadata: { parameters: { strategy_name: 'v3_minimal', fold: i, ...params } },
      ...fields,
    });

  it('lists training folds with their number and test window, and no artifacts hint', () => {
    const folds = [1, 2, 3].map((i) => fold('training_fold', i, { windows, seeds: [7, 8, 9] }));
    folds[2] = fold(
      'training_fold',
      3,
      { windows, seeds: [7, 8, 9] },
      { status: 'running', completed_at: null, progress: { percentage: 40, current_step: 'Seed 2/3' } },
    );
    expect(childrenTableLines(TRAIN_ID, folds, NOW)).toEqual([
      'OPERATION ID                               TYPE           FOLD  TEST WINDOW               STATUS     PROGRESS  DURATION',
      '-----------------------------------------  -------------  ----  ------------------------  ---------  --------  --------',
      'op_training_fold_20261125_143101_00000001  training_fold   1/3  [2008-01-02, 2012-02-09)  completed      100%    1m 05s',
      'op_training_fold_20261125_143102_00000002  training_fold   2/3  [2012-02-09, 2016-03-16)  completed      100%    1m 05s',
      'op_training_fold_20261125_143103_00000003  training_fold   3/3  [2016-03-16, 2020-04-18)  running         40%   29m 00s',
      '',
      `3 child operation(s) of ${TRAIN_ID} (1 active)`,
    ]);
  });

  it('names the one seed of a training job that trains a fold with one seed', () => {
    const lines = childrenTableLines(TRAIN_ID, [fold('training_fold', 2, { windows, seeds: [43] })], NOW);
    expect(lines[2]).toContain('training_fold  2/3 seed 43  [2012-02-09, 2016-03-16)  completed');
  });

  it('lists backtest folds from their own window and count', () => {
    const lines = childrenTableLines(
      BACKTEST_ID,
      [fold('backtest_fold', 2, { folds: 3, window: windows[1], models: [{ seed: 7, model: 'm' }], model_path: 'blob:m' })],
      NOW,
    );
    expect(lines[0]).toMatch(/^OPERATION ID\s+TYPE\s+FOLD\s+TEST WINDOW\s+STATUS/);
    expect(lines[2]).toContain('backtest_fold   2/3  [2012-02-09, 2016-03-16)  completed');
  });
});
