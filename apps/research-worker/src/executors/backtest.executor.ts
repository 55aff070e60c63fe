import { baseTimeframe, type PhaseContext, type PhaseExecutor, type PhaseInput, type PhaseOutput } from '@ktrdr/agent-domain';
import { equityArtifact, metrics, simulate } from '@ktrdr/backtest';
import { buildInferenceFeatures, parseScaler, type FeatureMatrix } from '@ktrdr/features';
import { NoMarketDataError, lowerBound, sliceBars, windowRange } from '@ktrdr/market-data';
import { loadModel, predictProbabilities } from '@ktrdr/training';
import { cycleString, loadSymbolBars, warmupStart, type ResearchDeps } from './research.inputs.js';
import type { ModelExtra } from './training.executor.js';

const PREPARE_PCT = 20;

/**
 * The backtest phase (SPEC §8): the trained model on the strategy's later, unseen window. Features
 * are computed with history before the window (warm-up only; no trade happens there), the model's
 * class probabilities become signals, and the simulation fills each signal at the next bar's open
 * with commission and slippage. Runs on the strategy's first symbol. Reports `Bar i/N`.
 */
export class BacktestExecutor implements PhaseExecutor<'backtesting'> {
  readonly phase = 'backtesting' as const;

  constructor(private readonly deps: ResearchDeps) {}

  async execute(input: PhaseInput, ctx: PhaseContext): Promise<PhaseOutput<'backtesting'>> {
    const { signal } = ctx;
    const name = cycleString(input.cycle, 'strategy_name', 'backtest');
    const modelPath = cycleString(input.cycle, 'model_path', 'backtest');
    const config = await this.deps.strategies.read(name);
    const window = config.backtest.date_range;
    const symbol = config.training_data.symbols[0]!;
    const tf = baseTimeframe(config);

    ctx.reportProgress({ percentage: 1, current_step: 'Loading market data and model', steps_completed: 0, steps_total: 0 });
    const bars = await loadSymbolBars(this.deps.marketData, config, symbol, { start: warmupStart(config, window.start), end: window.end }, signal).catch((e: unknown) => {
      // The warm-up start is ours, not the user's: name the strategy's own window.
      throw e instanceof NoMarketDataError ? new NoMarketDataError(e.symbol, e.timeframe, window.start, window.end) : e;
    });
    const base = bars[tf]!;
    const range = windowRange(window);
    const inWindow = sliceBars(base, range);
    if (inWindow.time.length === 0) throw new NoMarketDataError(symbol, tf, window.start, window.end);
    // Loaded last and disposed in `finally`: the model's tensors must not outlive a failed run.
    const { model, meta } = await loadModel<ModelExtra>(modelPath);
    let probabilities: Float32Array;
    let features: FeatureMatrix;
    try {
      ctx.reportProgress({ percentage: 5, current_step: 'Computing features', steps_completed: 0, steps_total: 0 });
      features = await buildInferenceFeatures(config, bars, parseScaler(meta.extra.scaler), signal);
      ctx.reportProgress({ percentage: 12, current_step: 'Predicting signals', steps_completed: 0, steps_total: 0 });
      probabilities = await predictProbabilities(model, features.values, features.rows, features.cols, signal);
    } finally {
      model.dispose();
    }

    // The window is a contiguous run of the base bars, starting where sliceBars started it.
    const offset = lowerBound(base.time, range.from);
    const signals = toSignals(probabilities, features.valid, config.decisions.confidence_threshold).subarray(offset, offset + inWindow.time.length);

    const sim = await simulate({
      bars: inWindow,
      signals,
      positionMode: config.decisions.position_mode,
      initialCapital: config.backtest.initial_capital,
      commission: config.backtest.commission,
      slippage: config.backtest.slippage,
      signal,
      onProgress: (done, total) =>
        ctx.reportProgress({ percentage: PREPARE_PCT + ((100 - PREPARE_PCT) * done) / Math.max(1, total), current_step: `Bar ${done}/${total}`, steps_completed: done, steps_total: total }),
    });
    return { result: metrics(inWindow, sim), artifacts: { equity: equityArtifact(inWindow, sim) } };
  }
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
