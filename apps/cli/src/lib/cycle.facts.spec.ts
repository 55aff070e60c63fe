import {
  configuredEpochs,
  cyclePhaseText,
  designerText,
  llmRoleText,
  robustnessText,
  significanceText,
  skillText,
  trainingEpochs,
  trainingEpochsText,
} from './cycle.facts';

describe('cycle facts', () => {
  it('names Claude only with the record saying Claude designed it', () => {
    expect(llmRoleText('claude', 'claude-opus-5-5')).toBe('Claude (claude-opus-5-5)');
    expect(llmRoleText('offline', 'claude-opus-5-5')).toBe('offline');
    expect(llmRoleText(undefined, 'claude-opus-5-5')).toBeNull();
    // Before the design has run the record cannot say; the trigger's model is no evidence.
    expect(designerText({ model: 'claude-opus-5-5' })).toBeNull();
    expect(designerText({ strategy: 'v3_minimal', model: 'claude-opus-5-5' })).toBe('none (strategy v3_minimal given)');
  });

  it('words the phase of a finished cycle by its outcome', () => {
    expect(cyclePhaseText('running', 'training')).toBe('training');
    expect(cyclePhaseText('completed', 'assessing')).toBe('done (completed)');
    expect(cyclePhaseText('failed', 'backtesting')).toBe('backtesting (failed)');
    expect(cyclePhaseText('cancelled', 'idle')).toBe('cancelled');
  });

  it('tells a diverged training from one that stopped for want of improvement', () => {
    // A non-finite loss is stored as JSON null.
    const diverged = trainingEpochs({ epochs_run: 3, best_epoch: 2, history: { loss: [1, 1, null], val_loss: [1, 0.9, null] } }, 30);
    expect(diverged).toMatchObject({ diverged: true, stopped_early: true });
    expect(trainingEpochsText(diverged!)).toBe('stopped at epoch 3/30 (early stop: validation loss diverged (not a number); kept epoch 2)');
    expect(trainingEpochs({ epochs_run: 0 })).toBeNull();
    expect(trainingEpochs(null)).toBeNull();
  });

  it('reads the configured epochs of a strategy config', () => {
    expect(configuredEpochs({ model: { training: { epochs: 40 } } })).toBe(40);
    expect(configuredEpochs({ model: {} })).toBeNull();
  });
});

describe('skill beside its baselines', () => {
  it('says the test accuracy beside always predicting the most frequent class, then the other baselines', () => {
    expect(
      skillText({ accuracy: 0.532, majority_baseline: 0.491, balanced_accuracy: 0.41, stratified_baseline: 0.362, log_loss: 0.9812, prior_log_loss: 1.0461 }),
    ).toBe(
      'test accuracy 53.2% vs 49.1% always predicting its most frequent class (balanced accuracy 41.0%, random by class shares 36.2%); log-loss 0.981 vs 1.046 for the class shares',
    );
  });

  it('says nothing for a result from before the baselines existed', () => {
    expect(skillText({ accuracy: 0.5, baseline_accuracy: 0.4 })).toBeNull();
    expect(skillText(null)).toBeNull();
  });
});

describe('significance of a backtest', () => {
  it('says how often random entries did as well, then the PSR and the Sharpe interval', () => {
    expect(significanceText({ random_entry_p_value: 0.031, random_entry_simulations: 1000, psr: 0.9712, sharpe_ci95: [0.214, 2.051] })).toBe(
      'random entries did as well in 3.1% of 1000 runs (p 0.031); PSR 0.97; Sharpe 95% interval 0.21 to 2.05',
    );
    expect(significanceText({ random_entry_p_value: 1, random_entry_simulations: 1000, psr: null, sharpe_ci95: null })).toBe(
      'random entries did as well in 100.0% of 1000 runs (p 1.000)',
    );
    expect(significanceText({ sharpe_ratio: 1 })).toBeNull();
  });
});

describe('robustness of a backtest', () => {
  it('says the return at each cost multiple, the break-even, the turnover and buy-and-hold on its own', () => {
    const b = {
      cost_sensitivity: {
        runs: [
          { multiple: 0, total_return: 0.041, sharpe_ratio: 1 },
          { multiple: 1, total_return: 0.023, sharpe_ratio: 0.7 },
          { multiple: 2, total_return: 0.005, sharpe_ratio: 0.2 },
          { multiple: 3, total_return: -0.012, sharpe_ratio: -0.2 },
        ],
        break_even_cost: 2.29,
        cost_drag: 0.018,
      },
      turnover: 12.43,
      benchmark_sharpe: 0.614,
    };
    expect(robustnessText(b)).toBe(
      'return +4.1% at 0×, +2.3% at 1×, +0.5% at 2×, −1.2% at 3× costs; break-even at 2.29× the costs; turnover 12.4× the capital; buy-and-hold Sharpe 0.61',
    );
    expect(robustnessText({ ...b, cost_sensitivity: { ...b.cost_sensitivity, break_even_cost: null } })).toContain('still positive at 10× the costs');
    expect(robustnessText({ sharpe_ratio: 1 })).toBeNull();
  });
});
