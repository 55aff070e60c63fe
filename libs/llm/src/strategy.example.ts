import type { StrategyInput } from '@ktrdr/agent-domain';

/**
 * A complete, valid v3 strategy (every section, realistic fuzzy sets on the indicators' real
 * ranges). The design prompt shows it as the format to follow; a unit test keeps it valid.
 * (Typed through `unknown`: zod's input type cannot express a fuzzy set's `indicator` key beside
 * its catch-all membership sets.)
 */
export const EXAMPLE_STRATEGY = {
  name: 'rsi_sma_reversion_example',
  description: 'Buys oversold dips inside an uptrend on daily S&P 500 bars.',
  version: '3.0',
  hypothesis: 'Short-term oversold readings (RSI) while price holds above its 50-day average tend to revert upward.',
  training_data: {
    symbols: ['SP500'],
    timeframes: ['1d'],
    date_range: { start: '2005-01-01', end: '2016-12-31' },
  },
  indicators: {
    rsi_14: { type: 'rsi', period: 14 },
    sma_50: { type: 'sma', period: 50 },
  },
  fuzzy_sets: {
    rsi_14: {
      indicator: 'rsi_14',
      oversold: { type: 'trapezoidal', parameters: [-1, 0, 25, 40] },
      neutral: { type: 'triangular', parameters: [30, 50, 70] },
      overbought: { type: 'trapezoidal', parameters: [60, 75, 100, 101] },
    },
    sma_50_distance: {
      indicator: 'sma_50.distance',
      below: { type: 'trapezoidal', parameters: [-1.01, -1, -0.05, -0.01] },
      near: { type: 'gaussian', parameters: [0, 0.02] },
      above: { type: 'trapezoidal', parameters: [0.01, 0.05, 10, 10.01] },
    },
  },
  nn_inputs: [
    { fuzzy_set: 'rsi_14', timeframes: 'all' },
    { fuzzy_set: 'sma_50_distance', timeframes: 'all' },
  ],
  model: {
    type: 'mlp',
    architecture: { hidden_layers: [32, 16], activation: 'relu', dropout: 0.1 },
    training: { learning_rate: 0.001, batch_size: 64, epochs: 40, early_stopping: { patience: 6, min_delta: 0.0005 }, seed: 42 },
  },
  decisions: { output_format: 'classification', confidence_threshold: 0.5, position_mode: 'long_only' },
  training: {
    labels: { source: 'zigzag', zigzag_threshold: 0.04, label_lookahead: 20 },
    data_split: { train: 0.7, validation: 0.15, test: 0.15 },
  },
  backtest: {
    date_range: { start: '2017-01-01', end: '2020-04-17' },
    initial_capital: 100000,
    commission: 0.001,
    slippage: 0.0005,
  },
} as const satisfies Record<string, unknown> as unknown as StrategyInput;
