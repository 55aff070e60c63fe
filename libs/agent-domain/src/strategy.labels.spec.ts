import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { evaluationPlan, labelCost, labelHorizon, parseStrategyYaml, strategyToYaml, type StrategyConfig } from './strategy.schema.js';

/** A small valid strategy file whose `training.labels` line and backtest costs are given. */
const yamlWith = (labels: string, backtest = ''): string => `
name: labels_demo
training_data:
  symbols: [SP500]
  timeframes: [1d]
  date_range: { start: "2000-01-01", end: "2007-12-31" }
indicators:
  rsi_14: { type: rsi, period: 14 }
fuzzy_sets:
  rsi_14:
    indicator: rsi_14
    low: { type: triangular, parameters: [0, 20, 35] }
nn_inputs:
  - { fuzzy_set: rsi_14 }
model:
  type: mlp
  architecture: { hidden_layers: [8] }
  training: {}
training:
  labels: ${labels}
  data_split: { train: 0.7, validation: 0.15, test: 0.15 }
backtest:
  date_range: { start: "2008-01-01", end: "2010-12-31" }
${backtest}`;

function parsed(labels: string, backtest = ''): StrategyConfig {
  const r = parseStrategyYaml(yamlWith(labels, backtest));
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.config;
}
function errors(labels: string): string[] {
  const r = parseStrategyYaml(yamlWith(labels));
  if (r.ok) throw new Error('expected the strategy to be refused');
  return r.errors;
}

describe('training.labels', () => {
  it('zigzag keeps its shape: source, zigzag_threshold, label_lookahead', () => {
    const c = parsed('{ source: zigzag, zigzag_threshold: 0.03, label_lookahead: 20 }');
    expect(c.training.labels).toEqual({ source: 'zigzag', zigzag_threshold: 0.03, label_lookahead: 20 });
    expect(labelHorizon(c)).toBe(20);
    expect(labelCost(c)).toBe(0);
  });

  it('every shipped strategy still parses, its labels as written', () => {
    const dir = join(__dirname, '../../../strategies');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      const r = parseStrategyYaml(text);
      expect(r.ok ? r.config.training.labels : r.errors).toEqual((parseYaml(text) as { training: { labels: unknown } }).training.labels);
    }
  });

  it('forward_return: horizon, threshold and an optional cost', () => {
    const c = parsed('{ source: forward_return, horizon: 5, threshold: 0.01, cost: 0.002 }');
    expect(c.training.labels).toEqual({ source: 'forward_return', horizon: 5, threshold: 0.01, cost: 0.002 });
    expect(labelHorizon(c)).toBe(5);
    expect(labelCost(c)).toBe(0.002);
  });

  it("forward_return without a cost takes the backtest's round trip: 2 × (commission + slippage)", () => {
    const defaults = parsed('{ source: forward_return, horizon: 5, threshold: 0 }');
    expect(defaults.training.labels).toEqual({ source: 'forward_return', horizon: 5, threshold: 0 });
    expect(labelCost(defaults)).toBeCloseTo(2 * (0.001 + 0.0005), 12); // the backtest's default costs
    const own = parsed('{ source: forward_return, horizon: 5, threshold: 0.01 }', '  commission: 0.002\n  slippage: 0.001');
    expect(labelCost(own)).toBeCloseTo(0.006, 12);
    // A round trip through YAML keeps the cost omitted, so it still follows the backtest's costs.
    expect(strategyToYaml(own)).not.toMatch(/cost/);
  });

  it('triple_barrier: horizon, profit_take and stop_loss in volatilities, volatility_window defaulting to 20', () => {
    const c = parsed('{ source: triple_barrier, horizon: 10, profit_take: 2, stop_loss: 1 }');
    expect(c.training.labels).toEqual({ source: 'triple_barrier', horizon: 10, profit_take: 2, stop_loss: 1, volatility_window: 20 });
    expect(labelHorizon(c)).toBe(10);
    expect(labelCost(c)).toBe(0);
    const w = parsed('{ source: triple_barrier, horizon: 10, profit_take: 1.5, stop_loss: 1.5, volatility_window: 50 }');
    expect(w.training.labels).toMatchObject({ volatility_window: 50 });
  });

  it('purge and embargo default to the label horizon of every source', () => {
    for (const [labels, horizon] of [
      ['{ source: zigzag, zigzag_threshold: 0.03, label_lookahead: 20 }', 20],
      ['{ source: forward_return, horizon: 7, threshold: 0.01 }', 7],
      ['{ source: triple_barrier, horizon: 12, profit_take: 2, stop_loss: 2 }', 12],
    ] as const) {
      expect(evaluationPlan(parsed(labels))).toMatchObject({ purge: horizon, embargo: horizon });
    }
    const c = parsed('{ source: forward_return, horizon: 7, threshold: 0.01 }');
    expect(evaluationPlan({ ...c, evaluation: { ...c.evaluation, purge: 3 } })).toMatchObject({ purge: 3, embargo: 7 });
  });

  it('names the path of a bad value', () => {
    expect(errors('{ source: labels_from_the_future, horizon: 5 }')).toEqual([
      'training.labels.source: expected a label source: zigzag, forward_return, triple_barrier',
    ]);
    expect(errors('{ horizon: 5, threshold: 0.01 }')).toEqual(['training.labels.source: expected a label source: zigzag, forward_return, triple_barrier']);
    expect(errors('{ source: zigzag, zigzag_threshold: 0, label_lookahead: 20 }')).toEqual(['training.labels.zigzag_threshold: expected a fraction above 0']);
    expect(errors('{ source: forward_return, horizon: 0, threshold: 0.01 }')).toEqual(['training.labels.horizon: expected a positive integer']);
    expect(errors('{ source: forward_return, horizon: 2.5, threshold: 0.01 }')).toEqual(['training.labels.horizon: expected a positive integer']);
    expect(errors('{ source: forward_return, horizon: 5, threshold: -0.01 }')).toEqual(['training.labels.threshold: expected a fraction of at least 0']);
    expect(errors('{ source: forward_return, horizon: 5, threshold: 0.01, cost: 1.5 }')).toEqual(['training.labels.cost: expected a fraction below 1']);
    expect(errors('{ source: forward_return, horizon: 5, threshold: "1%" }')).toEqual(['training.labels.threshold: expected a fraction']);
    expect(errors('{ source: forward_return, horizon: 5 }')).toEqual(['training.labels.threshold: required']);
    expect(errors('{ source: triple_barrier, horizon: 10, profit_take: 0, stop_loss: 1 }')).toEqual([
      'training.labels.profit_take: expected a multiple above 0',
    ]);
    expect(errors('{ source: triple_barrier, horizon: 10, profit_take: 1, stop_loss: -1 }')).toEqual([
      'training.labels.stop_loss: expected a multiple above 0',
    ]);
    expect(errors('{ source: triple_barrier, horizon: 10, profit_take: 1, stop_loss: 1, volatility_window: 1 }')).toEqual([
      'training.labels.volatility_window: expected at least 2 bars',
    ]);
    expect(errors('{ source: triple_barrier, horizon: 501, profit_take: 1, stop_loss: 1 }')).toEqual([
      expect.stringMatching(/^training\.labels\.horizon: .*500/),
    ]);
    // Another source's key is not silently ignored.
    expect(errors('{ source: triple_barrier, horizon: 10, profit_take: 1, stop_loss: 1, threshold: 0.01 }')).toEqual([
      expect.stringMatching(/^training\.labels: .*"threshold"/),
    ]);
  });
});
