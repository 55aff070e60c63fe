import { forwardReturnLabels } from './forward-return.labeler.js';
import { strategyLabels } from './labels.js';
import { randomBars, strategy } from './testing.fixtures.js';
import { tripleBarrierLabels } from './triple-barrier.labeler.js';
import { zigzagLabels } from './zigzag.labeler.js';

const close = randomBars(300, { seed: 5, symbol: 'SP500' }).close;
const split = { train: 0.7, validation: 0.15, test: 0.15 };
const withLabels = (labels: Record<string, unknown>, backtest: Record<string, unknown> = {}) =>
  strategy({ training: { labels, data_split: split }, backtest: { date_range: { start: '2017-01-01', end: '2020-04-17' }, ...backtest } });

describe('strategyLabels', () => {
  it("runs the labeler of the file's source with its parameters", async () => {
    expect(await strategyLabels(withLabels({ source: 'zigzag', zigzag_threshold: 0.03, label_lookahead: 20 }), close)).toEqual(
      await zigzagLabels(close, { threshold: 0.03, lookahead: 20 }),
    );
    expect(await strategyLabels(withLabels({ source: 'forward_return', horizon: 10, threshold: 0.01, cost: 0.004 }), close)).toEqual(
      await forwardReturnLabels(close, { horizon: 10, threshold: 0.01, cost: 0.004 }),
    );
    expect(await strategyLabels(withLabels({ source: 'triple_barrier', horizon: 15, profit_take: 2, stop_loss: 1 }), close)).toEqual(
      await tripleBarrierLabels(close, { horizon: 15, profitTake: 2, stopLoss: 1, volatilityWindow: 20 }),
    );
  });

  it("gives forward returns without a cost the backtest's round trip, 2 × (commission + slippage)", async () => {
    const c = withLabels({ source: 'forward_return', horizon: 10, threshold: 0.005 }, { commission: 0.002, slippage: 0.003 });
    const labels = await strategyLabels(c, close);
    expect(labels).toEqual(await forwardReturnLabels(close, { horizon: 10, threshold: 0.005, cost: 0.01 }));
    expect(labels).not.toEqual(await forwardReturnLabels(close, { horizon: 10, threshold: 0.005, cost: 0 }));
  });
});
