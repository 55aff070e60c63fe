import { labelCost, type StrategyConfig } from '@ktrdr/agent-domain';
import { forwardReturnLabels } from './forward-return.labeler.js';
import { tripleBarrierLabels } from './triple-barrier.labeler.js';
import { zigzagLabels } from './zigzag.labeler.js';

/**
 * The labels `training.labels` asks for, from one symbol's base closes: 0 BUY, 1 HOLD, 2 SELL,
 * NO_LABEL (−1) where the rule gives none. Every source labels bar t from closes up to
 * t + labelHorizon(config) (the triple barrier's volatility also reads bars before t), and leaves
 * the last labelHorizon(config) bars unlabelled.
 */
export async function strategyLabels(config: Pick<StrategyConfig, 'training' | 'backtest'>, close: Float64Array, signal?: AbortSignal): Promise<Int8Array> {
  const labels = config.training.labels;
  switch (labels.source) {
    case 'zigzag':
      return zigzagLabels(close, { threshold: labels.zigzag_threshold, lookahead: labels.label_lookahead }, signal);
    case 'forward_return':
      return forwardReturnLabels(close, { horizon: labels.horizon, threshold: labels.threshold, cost: labelCost(config) }, signal);
    case 'triple_barrier':
      return tripleBarrierLabels(
        close,
        { horizon: labels.horizon, profitTake: labels.profit_take, stopLoss: labels.stop_loss, volatilityWindow: labels.volatility_window },
        signal,
      );
  }
}
