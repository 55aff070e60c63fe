import { DEFAULT_GATE_THRESHOLDS, checkBacktestGate, checkTrainingGate } from './gates';

const T = DEFAULT_GATE_THRESHOLDS;
const goodTraining = { accuracy: 0.6, initial_loss: 1.0, final_loss: 0.5, baseline_accuracy: 0.4 };
const goodBacktest = { win_rate: 0.55, max_drawdown: 0.2, sharpe_ratio: 1.0, total_trades: 20, random_entry_p_value: 0.02 };

describe('training gate', () => {
  it('passes good metrics', () => expect(checkTrainingGate(goodTraining, T.training)).toEqual({ passed: true }));

  it.each([
    [{ accuracy: 0.423 }, 'accuracy_below_threshold (42.3% < 45.0%)'],
    [{ final_loss: 0.912, initial_loss: 2 }, 'loss_too_high (0.912 > 0.8)'],
    [{ initial_loss: 0.5, final_loss: 0.44 }, 'insufficient_loss_decrease (12.0% < 20.0%)'],
  ])('fails %j with %s', (change, reason) => {
    expect(checkTrainingGate({ ...goodTraining, ...change }, T.training)).toEqual({ passed: false, reason });
  });

  it('names the first failing check in its exact form, then every other one', () => {
    const v = checkTrainingGate({ accuracy: 0.1, initial_loss: 1, final_loss: 0.99, baseline_accuracy: 0.4 }, T.training);
    expect(v).toEqual({
      passed: false,
      reason:
        'accuracy_below_threshold (10.0% < 45.0%); also loss_too_high (0.990 > 0.8); also insufficient_loss_decrease (1.0% < 20.0%); also no_skill (accuracy 10.0% ≤ majority baseline 40.0%)',
    });
  });

  it('uses the thresholds it is given', () => {
    expect(checkTrainingGate({ ...goodTraining, accuracy: 0.5 }, { ...T.training, minAccuracy: 0.55 })).toEqual({
      passed: false,
      reason: 'accuracy_below_threshold (50.0% < 55.0%)',
    });
  });

  it('fails on missing metrics instead of passing them', () => {
    expect(checkTrainingGate({ accuracy: 0.9 }, T.training)).toEqual({
      passed: false,
      reason: 'missing_metrics (final_loss, initial_loss, baseline_accuracy)',
    });
  });

  it("fails a model that does not beat always predicting the test part's most frequent class, whatever its accuracy", () => {
    // 89.0% reads well, but the test part is 89.2% HOLD: the model learned nothing the class shares did not say.
    expect(checkTrainingGate({ ...goodTraining, accuracy: 0.89, baseline_accuracy: 0.892 }, T.training)).toEqual({
      passed: false,
      reason: 'no_skill (accuracy 89.0% ≤ majority baseline 89.2%)',
    });
    // Equal is no skill either; just above passes at the default margin of 0.
    expect(checkTrainingGate({ ...goodTraining, accuracy: 0.5, baseline_accuracy: 0.5 }, T.training).passed).toBe(false);
    expect(checkTrainingGate({ ...goodTraining, accuracy: 0.501, baseline_accuracy: 0.5 }, T.training).passed).toBe(true);
  });

  it('asks for the configured margin over the baseline', () => {
    expect(checkTrainingGate({ ...goodTraining, accuracy: 0.51, baseline_accuracy: 0.5 }, { ...T.training, minSkill: 0.02 })).toEqual({
      passed: false,
      reason: 'no_skill (accuracy 51.0% ≤ majority baseline 50.0% + 2.0 points)',
    });
  });
});

describe('backtest gate', () => {
  it('passes good metrics', () => expect(checkBacktestGate(goodBacktest, T.backtest)).toEqual({ passed: true }));

  it.each([
    [{ win_rate: 0.4 }, 'win_rate_too_low (40.0% < 45.0%)'],
    [{ max_drawdown: 0.452 }, 'drawdown_too_high (45.2% > 40.0%)'],
    [{ sharpe_ratio: -0.8 }, 'sharpe_too_low (-0.80 < -0.5)'],
    [{ total_trades: 3 }, 'too_few_trades (3 < 5)'],
  ])('fails %j with %s', (change, reason) => {
    expect(checkBacktestGate({ ...goodBacktest, ...change }, T.backtest)).toEqual({ passed: false, reason });
  });
});

describe('backtest gate without trades', () => {
  it('reports too_few_trades rather than a win rate of no trades', () => {
    expect(checkBacktestGate({ win_rate: 0, max_drawdown: 0, sharpe_ratio: 0, total_trades: 0, random_entry_p_value: 1 }, T.backtest)).toEqual({
      passed: false,
      reason: 'too_few_trades (0 < 5)',
    });
  });
});

describe('backtest gate with several failing checks', () => {
  const good = { win_rate: 0.6, max_drawdown: 0.1, sharpe_ratio: 1, total_trades: 10, random_entry_p_value: 0.01 };

  it('checks trades, drawdown, win rate and Sharpe in that order, the first in its exact form', () => {
    const v = checkBacktestGate({ win_rate: 0, max_drawdown: 0.452, sharpe_ratio: -0.8, total_trades: 2, random_entry_p_value: 0.31 }, T.backtest);
    expect(v).toEqual({
      passed: false,
      reason:
        'too_few_trades (2 < 5); also drawdown_too_high (45.2% > 40.0%); also win_rate_too_low (0.0% < 45.0%); also sharpe_too_low (-0.80 < -0.5); also not_significant (p 0.31 > 0.10)',
    });
  });

  it('leaves out the win rate of a backtest that made no trade', () => {
    expect(checkBacktestGate({ ...good, win_rate: 0, total_trades: 0 }, T.backtest)).toEqual({ passed: false, reason: 'too_few_trades (0 < 5)' });
  });

  it('names one failing check alone exactly as before', () => {
    expect(checkBacktestGate({ ...good, total_trades: 2, win_rate: 0 }, T.backtest)).toEqual({
      passed: false,
      reason: 'too_few_trades (2 < 5); also win_rate_too_low (0.0% < 45.0%)',
    });
    expect(checkBacktestGate({ ...good, sharpe_ratio: -0.8 }, T.backtest)).toEqual({ passed: false, reason: 'sharpe_too_low (-0.80 < -0.5)' });
  });
});

describe('backtest gate on significance', () => {
  const good = { win_rate: 0.6, max_drawdown: 0.1, sharpe_ratio: 1, total_trades: 10 };

  it('fails a result random entries matched too often, with the threshold it was given', () => {
    expect(checkBacktestGate({ ...good, random_entry_p_value: 0.31 }, T.backtest)).toEqual({ passed: false, reason: 'not_significant (p 0.31 > 0.10)' });
    expect(checkBacktestGate({ ...good, random_entry_p_value: 0.1 }, T.backtest).passed).toBe(true);
    expect(checkBacktestGate({ ...good, random_entry_p_value: 0.04 }, { ...T.backtest, maxPValue: 0.01 })).toEqual({
      passed: false,
      reason: 'not_significant (p 0.04 > 0.01)',
    });
  });

  it('never passes a result without its p-value', () => {
    expect(checkBacktestGate(good, T.backtest)).toEqual({ passed: false, reason: 'missing_metrics (random_entry_p_value)' });
  });
});
