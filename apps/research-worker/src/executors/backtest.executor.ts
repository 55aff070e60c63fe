import { baseTimeframe, throwIfAborted, type PhaseContext, type PhaseExecutor, type PhaseInput, type PhaseOutput } from '@ktrdr/agent-domain';
import { backtestSignificance, barsPerYear, combineSleeves, costSensitivity, equityArtifact, portfolioMetrics, simulate, type Sleeve } from '@ktrdr/backtest';
import { buildInferenceFeatures, parseScaler, type BarsByTimeframe } from '@ktrdr/features';
import { NoMarketDataError, lowerBound, sliceBars, windowRange, type Bars } from '@ktrdr/market-data';
import { loadModel, predictProbabilities } from '@ktrdr/training';
import { cycleString, loadSymbolBars, warmupStart, type ResearchDeps } from './research.inputs.js';
import type { ModelExtra } from './training.executor.js';

const PREPARE_PCT = 20;
/** Where feature computation starts in the preparation share of the progress bar. */
const FEATURES_PCT = 5;

/** One symbol's bars: every feature timeframe from the warm-up start, and the base bars in the window. */
interface SymbolInput {
  symbol: string;
  bars: BarsByTimeframe;
  inWindow: Bars;
  /** Index of the window's first bar in the base bars (the window is a contiguous run of them). */
  offset: number;
}

/**
 * The backtest phase: the trained model on the strategy's later, unseen window, on every
 * symbol of `training_data.symbols`. Features are computed with history before the window (warm-up
 * only; no trade happens there), the model's class probabilities become signals, and the
 * simulation fills each signal at the next bar's open with commission and slippage. Several
 * symbols are equal-weight sleeves of one portfolio (`initial_capital / n` each, simulated on
 * their own, summed; see `combineSleeves`): the result is the portfolio's, with each symbol's own
 * numbers in `per_symbol`. Reports `Bar i/N` over all sleeves' bars.
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
    const symbols = config.training_data.symbols;
    const tf = baseTimeframe(config);
    const range = windowRange(window);

    ctx.reportProgress({ percentage: 1, current_step: 'Loading market data and model', steps_completed: 0, steps_total: 0 });
    // Every symbol's data before the model: a symbol without bars in the window fails the phase, naming it.
    const inputs: SymbolInput[] = [];
    for (const symbol of symbols) {
      const bars = await loadSymbolBars(this.deps.marketData, config, symbol, { start: warmupStart(config, window.start), end: window.end }, signal).catch(
        (e: unknown) => {
          // The warm-up start is ours, not the user's: name the strategy's own window.
          throw e instanceof NoMarketDataError ? new NoMarketDataError(e.symbol, e.timeframe, window.start, window.end) : e;
        },
      );
      const base = bars[tf]!;
      const inWindow = sliceBars(base, range);
      if (inWindow.time.length === 0) throw new NoMarketDataError(symbol, tf, window.start, window.end);
      inputs.push({ symbol, bars, inWindow, offset: lowerBound(base.time, range.from) });
    }

    // Loaded last and disposed in `finally`: the model's tensors must not outlive a failed run.
    const { model, meta } = await loadModel<ModelExtra>(modelPath);
    const signals: Int8Array[] = [];
    try {
      const scaler = parseScaler(meta.extra.scaler);
      for (const [i, s] of inputs.entries()) {
        const of = inputs.length > 1 ? ` for ${s.symbol}` : '';
        const share = (PREPARE_PCT - FEATURES_PCT) / inputs.length;
        ctx.reportProgress({ percentage: FEATURES_PCT + share * i, current_step: `Computing features${of}`, steps_completed: 0, steps_total: 0 });
        const features = await buildInferenceFeatures(config, s.bars, scaler, signal);
        ctx.reportProgress({ percentage: FEATURES_PCT + share * (i + 0.5), current_step: `Predicting signals${of}`, steps_completed: 0, steps_total: 0 });
        const probabilities = await predictProbabilities(model, features.values, features.rows, features.cols, signal);
        signals.push(toSignals(probabilities, features.valid, config.decisions.confidence_threshold).subarray(s.offset, s.offset + s.inWindow.time.length));
      }
    } finally {
      model.dispose();
    }

    const total = inputs.reduce((a, s) => a + s.inWindow.time.length, 0);
    const costs = { commission: config.backtest.commission, slippage: config.backtest.slippage };
    /** Every symbol's sleeve of the portfolio, with the costs multiplied by `multiple`. */
    const simulateSleeves = async (multiple: number, onProgress?: (i: number, done: number) => void): Promise<Sleeve[]> => {
      const out: Sleeve[] = [];
      for (const [i, s] of inputs.entries()) {
        const result = await simulate({
          bars: s.inWindow,
          signals: signals[i]!,
          positionMode: config.decisions.position_mode,
          initialCapital: config.backtest.initial_capital / inputs.length,
          commission: costs.commission * multiple,
          slippage: costs.slippage * multiple,
          signal,
          ...(onProgress ? { onProgress: (done: number) => onProgress(i, done) } : {}),
        });
        out.push({ bars: s.inWindow, result });
      }
      return out;
    };
    const offsets = inputs.map((_, i) => inputs.slice(0, i).reduce((a, s) => a + s.inWindow.time.length, 0));
    const sleeves = await simulateSleeves(1, (i, done) => {
      const bar = offsets[i]! + done;
      ctx.reportProgress({
        percentage: PREPARE_PCT + ((100 - PREPARE_PCT) * bar) / Math.max(1, total),
        current_step: `Bar ${bar}/${total}`,
        steps_completed: bar,
        steps_total: total,
      });
    });
    const portfolio = combineSleeves(sleeves);
    ctx.reportProgress({ percentage: 99, current_step: 'Testing significance and cost sensitivity', steps_completed: total, steps_total: total });
    throwIfAborted(signal);
    const result = portfolioMetrics(sleeves, portfolio);
    // The same signals at 0×, 1×, 2×, 3× the costs, and where the return reaches zero (1× is the run above).
    const runAt = async (multiple: number): Promise<{ total_return: number; sharpe_ratio: number }> => {
      const m = multiple === 1 ? result : portfolioMetrics(await simulateSleeves(multiple));
      return { total_return: m.total_return, sharpe_ratio: m.sharpe_ratio };
    };
    const cost_sensitivity = await costSensitivity(runAt);
    const significance = backtestSignificance(
      inputs.map((s, i) => ({ open: s.inWindow.open, close: s.inWindow.close, trades: sleeves[i]!.result.trades })),
      portfolio.result.equity,
      portfolio.result.initialCapital,
      costs,
      // Seeded by the strategy's own seed, so the same backtest gives the same p-value.
      { barsPerYear: barsPerYear(portfolio.axis), seed: config.model.training.seed ?? 1 },
    );
    return {
      result: { ...result, ...significance, cost_sensitivity },
      artifacts: { equity: equityArtifact(portfolio.axis, portfolio.result) },
    };
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
