import { baseTimeframe, type PhaseContext } from '@ktrdr/agent-domain';
import { buildInferenceFeatures, parseScaler } from '@ktrdr/features';
import { NoMarketDataError, lowerBound } from '@ktrdr/market-data';
import type { OperationInfo } from '@ktrdr/operations';
import { predictProbabilities } from '@ktrdr/training';
import { backtestFoldParamsSchema, backtestFoldResultSchema, encodeSignals, type BacktestFoldResult } from './fold.schema.js';
import { loadSymbolBars, warmupStart, type ResearchDeps } from './research.inputs.js';
import type { ModelExtra } from './training.executor.js';

/**
 * One backtest fold: every seed's model of the fold predicts every symbol's base bars in the fold's
 * test window (features computed with the history before it, as in live use), and the class
 * probabilities become signals (toSignals). The simulation itself runs once over the stitched
 * signals in the backtest phase, so positions and capital carry across fold boundaries.
 */
export async function backtestFold(deps: ResearchDeps, op: OperationInfo, ctx: PhaseContext): Promise<{ result: BacktestFoldResult }> {
  const { signal } = ctx;
  const params = backtestFoldParamsSchema.parse(op.metadata.parameters);
  const config = await deps.strategies.read(params.strategy_name);
  const tf = baseTimeframe(config);
  const [fromIso, toIso] = params.window;
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  const symbols: BacktestFoldResult['symbols'] = [];
  const steps = config.training_data.symbols.length * params.models.length;
  let step = 0;
  for (const symbol of config.training_data.symbols) {
    ctx.reportProgress({ percentage: (100 * step) / steps, current_step: `Computing features for ${symbol}`, steps_completed: step, steps_total: steps });
    const bars = await loadSymbolBars(
      deps.marketData,
      config,
      symbol,
      { start: warmupStart(config, fromIso.slice(0, 10)), end: config.backtest.date_range.end },
      signal,
    );
    const base = bars[tf]!;
    const first = lowerBound(base.time, from);
    const end = lowerBound(base.time, to);
    if (end <= first) throw new NoMarketDataError(symbol, tf, fromIso.slice(0, 10), toIso.slice(0, 10));
    const signals: string[] = [];
    // Every seed of a fold trained on the same rows with the same scaler: one feature matrix serves them all.
    let features: Awaited<ReturnType<typeof buildInferenceFeatures>> | null = null;
    for (const m of params.models) {
      const { model, meta } = await deps.models.load<ModelExtra>(m.model, params.model_path);
      try {
        features ??= await buildInferenceFeatures(config, bars, parseScaler(meta.extra.scaler), signal);
        const probabilities = await predictProbabilities(model, features.values, features.rows, features.cols, signal);
        signals.push(encodeSignals(toSignals(probabilities, features.valid, config.decisions.confidence_threshold).subarray(first, end)));
      } finally {
        model.dispose();
      }
      step++;
      ctx.reportProgress({
        percentage: (100 * step) / steps,
        current_step: `Predicted ${symbol} with seed ${m.seed}`,
        steps_completed: step,
        steps_total: steps,
      });
    }
    symbols.push({ symbol, bars: end - first, signals });
  }
  return { result: backtestFoldResultSchema.parse({ fold: params.fold, symbols, seeds: params.models.map((m) => m.seed) }) };
}

/**
 * Class probabilities (BUY, HOLD, SELL per row) → +1 / 0 / -1. The confidence threshold is what a
 * BUY or SELL needs to be acted on, whatever HOLD's share: on market data HOLD is usually the most
 * likely single class, and an argmax rule would then never trade. Ties and warm-up rows hold.
 */
export function toSignals(probabilities: Float32Array, valid: Uint8Array, threshold: number): Int8Array {
  const rows = valid.length;
  const out = new Int8Array(rows);
  for (let i = 0; i < rows; i++) {
    if (!valid[i]) continue;
    const buy = probabilities[i * 3]!;
    const sell = probabilities[i * 3 + 2]!;
    if (buy > sell && buy >= threshold) out[i] = 1;
    else if (sell > buy && sell >= threshold) out[i] = -1;
  }
  return out;
}
