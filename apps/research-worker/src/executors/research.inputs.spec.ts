import { parseStrategy, type StrategyConfig } from '@ktrdr/agent-domain';
import { featureTimeframes, warmupStart } from './research.inputs';
import { toSignals } from './backtest-fold.work';

function strategy(over: Record<string, unknown> = {}): StrategyConfig {
  const parsed = parseStrategy({
    name: 's',
    training_data: { symbols: ['SP500'], timeframes: ['1h', '4h', '1d'], date_range: { start: '2020-01-01', end: '2020-12-31' } },
    indicators: { rsi: { type: 'rsi', period: 14 }, macd: { type: 'macd', fast_period: 12, slow_period: 26, signal_period: 9 } },
    fuzzy_sets: {
      r: { indicator: 'rsi', low: { type: 'triangular', parameters: [0, 20, 40] } },
      m: { indicator: 'macd.histogram', up: { type: 'gaussian', parameters: [0.01, 0.01] } },
    },
    nn_inputs: [
      { fuzzy_set: 'r', timeframes: ['1h'] },
      { fuzzy_set: 'm', timeframes: ['4h'] },
    ],
    model: { type: 'mlp', architecture: { hidden_layers: [4] }, training: {} },
    training: { labels: { source: 'zigzag', zigzag_threshold: 0.02, label_lookahead: 5 }, data_split: { train: 0.7, validation: 0.15, test: 0.15 } },
    backtest: { date_range: { start: '2021-03-01', end: '2021-06-30' } },
    ...over,
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.config;
}

describe('research inputs', () => {
  it('loads only the timeframes the network inputs read', () => {
    expect(featureTimeframes(strategy())).toEqual(['1h', '4h']);
  });

  it('starts loading early enough to warm the slowest indicator on the coarsest feature timeframe', () => {
    // MACD's look-back is 12 + 26 + 9 = 47 bars; ×3 + 10 = 151 four-hour bars, ×1.6 for closed
    // market days, plus a week: 2021-03-01 minus ~47 days.
    expect(warmupStart(strategy(), '2021-03-01')).toBe('2021-01-12');
  });
});

describe('signals from class probabilities', () => {
  // Rows: BUY, HOLD, SELL probabilities.
  const probs = new Float32Array([
    0.5,
    0.3,
    0.2, // BUY clears 0.4 → +1
    0.3,
    0.6,
    0.1, // BUY below 0.4 → hold
    0.35,
    0.2,
    0.45, // SELL clears 0.4 → -1
    0.42,
    0.16,
    0.42, // a tie → hold
    0.9,
    0.05,
    0.05, // a warm-up row → hold whatever it says
    0.41,
    0.5,
    0.09, // HOLD is the most likely, yet BUY clears the threshold → +1
  ]);
  const valid = new Uint8Array([1, 1, 1, 1, 0, 1]);

  it('acts on a BUY or SELL above the threshold, whatever HOLD has, and holds on ties and warm-up rows', () => {
    expect(Array.from(toSignals(probs, valid, 0.4))).toEqual([1, 0, -1, 0, 0, 1]);
  });

  it('a higher threshold trades less', () => {
    expect(Array.from(toSignals(probs, valid, 0.5))).toEqual([1, 0, 0, 0, 0, 0]);
  });
});
