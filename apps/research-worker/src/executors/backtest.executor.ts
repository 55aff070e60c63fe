import {
  baseTimeframe,
  throwIfAborted,
  type PhaseContext,
  type PhaseExecutor,
  type PhaseInput,
  type PhaseOutput,
  type StrategyConfig,
} from '@ktrdr/agent-domain';
import type { BacktestFold, BacktestResult, ReturnsArtifact } from '@ktrdr/api-contract';
import {
  backtestSignificance,
  barsPerYear,
  combineSleeves,
  costSensitivity,
  equityArtifact,
  foldDispersion,
  portfolioMetrics,
  regimeTable,
  seedRobustness,
  simulate,
  type Portfolio,
  type Sleeve,
} from '@ktrdr/backtest';
import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import { NoMarketDataError, lowerBound, sliceBars, windowRange, type Bars } from '@ktrdr/market-data';
import { foldsProgress } from './fold.launcher.js';
import { backtestFoldResultSchema, decodeSignals } from './fold.schema.js';
import { cycleString, refuseSealedBars, loadSymbolBars, type ResearchDeps } from './research.inputs.js';
import type { TrainingDeps } from './training.executor.js';

/** Progress shares: the folds' predictions, then the simulations. */
const FOLDS_PCT = 70;

/** One symbol's base bars in the backtest window (a contiguous run of its bars). */
interface SymbolWindow {
  symbol: string;
  inWindow: Bars;
}

/**
 * The backtest phase, walk-forward: one job per test fold (backtest-fold.work.ts) turns that fold's
 * models' predictions into signals; this phase child stitches them, in order, into one signal
 * series over the whole backtest window and simulates it on every symbol of
 * `training_data.symbols` — the stitched out-of-sample run the gate judges. Signals fill at the
 * next bar's open with commission and slippage; several symbols are equal-weight sleeves of one
 * portfolio (`initial_capital / n` each, see `combineSleeves`). Beside it: each fold's own numbers
 * (its bars simulated alone), the same run with every training seed, the result per market
 * regime, random-entry significance and cost sensitivity (docs/RESEARCH.md).
 */
export class BacktestExecutor implements PhaseExecutor<'backtesting'> {
  readonly phase = 'backtesting' as const;

  constructor(private readonly deps: TrainingDeps) {}

  async execute(input: PhaseInput, ctx: PhaseContext): Promise<PhaseOutput<'backtesting'>> {
    const { signal } = ctx;
    const name = cycleString(input.cycle, 'strategy_name', 'backtest');
    const modelPath = cycleString(input.cycle, 'model_path', 'backtest');
    const config = await this.deps.strategies.read(name);
    refuseSealedBars(input.cycle, config);
    const manifest = await this.deps.models.readManifest(modelPath);
    ctx.reportProgress({ percentage: 1, current_step: 'Loading market data', steps_completed: 0, steps_total: manifest.folds.length });
    const inputs = await windowBars(this.deps, config, signal);

    const records = await this.deps.folds.run({
      kind: 'backtest',
      parentId: input.operation_id,
      cycleId: input.parent_operation_id,
      folds: manifest.folds.map((f) => ({
        strategy_name: name,
        fold: f.fold,
        folds: manifest.folds.length,
        window: manifest.windows[f.fold - 1]!,
        models: f.models,
        model_path: modelPath,
      })),
      signal,
      onProgress: (folds, names) => ctx.reportProgress(foldsProgress('Predicting', folds, names, 2, FOLDS_PCT)),
    });
    const folds = records.map((r) => backtestFoldResultSchema.parse(r.result_summary));
    const seeds = manifest.folds[0]!.models.map((m) => m.seed);
    // Per seed, per symbol: the folds' signals end to end, one per bar of the window.
    const stitched = seeds.map((_, s) =>
      inputs.map((w, i) => {
        const parts = folds.map((f) => decodeSignals(f.symbols[i]!.signals[s]!));
        const all = new Int8Array(parts.reduce((n, p) => n + p.length, 0));
        let at = 0;
        for (const p of parts) {
          all.set(p, at);
          at += p.length;
        }
        if (all.length !== w.inWindow.time.length) {
          throw new KtrdrError(
            ErrorCode.ExecutorFailed,
            `the folds predicted ${all.length} bars of ${w.symbol}, the backtest window has ${w.inWindow.time.length}`,
          );
        }
        return all;
      }),
    );

    const costs = { commission: config.backtest.commission, slippage: config.backtest.slippage };
    /** Every symbol's sleeve over `inputs`' bars with these signals, costs × `multiple`. */
    const simulateSleeves = async (
      bars: readonly Bars[],
      signals: readonly Int8Array[],
      multiple = 1,
      onProgress?: (i: number, done: number) => void,
    ): Promise<Sleeve[]> => {
      const out: Sleeve[] = [];
      for (const [i, b] of bars.entries()) {
        const result = await simulate({
          bars: b,
          signals: signals[i]!,
          positionMode: config.decisions.position_mode,
          initialCapital: config.backtest.initial_capital / bars.length,
          commission: costs.commission * multiple,
          slippage: costs.slippage * multiple,
          signal,
          ...(onProgress ? { onProgress: (done: number) => onProgress(i, done) } : {}),
        });
        out.push({ bars: b, result });
      }
      return out;
    };
    const bars = inputs.map((w) => w.inWindow);
    const total = bars.reduce((a, b) => a + b.time.length, 0);
    const offsets = bars.map((_, i) => bars.slice(0, i).reduce((a, b) => a + b.time.length, 0));
    const sleeves = await simulateSleeves(bars, stitched[0]!, 1, (i, done) => {
      const bar = offsets[i]! + done;
      ctx.reportProgress({
        percentage: FOLDS_PCT + (20 * bar) / Math.max(1, total),
        current_step: `Bar ${bar}/${total}`,
        steps_completed: bar,
        steps_total: total,
      });
    });
    const portfolio = combineSleeves(sleeves);
    const result = portfolioMetrics(sleeves, portfolio);
    ctx.reportProgress({ percentage: 90, current_step: 'Folds, seeds and regimes', steps_completed: total, steps_total: total });

    const windows = manifest.windows.map(([from, to]) => ({ from: Date.parse(from), to: Date.parse(to) }));
    const perFold: BacktestFold[] = [];
    for (const [k, w] of windows.entries()) {
      // A symbol whose calendar has no bar in this fold sits it out (its sleeve would have nothing to simulate).
      const slices = bars.map((b) => ({ from: lowerBound(b.time, w.from), to: lowerBound(b.time, w.to) }));
      const present = bars.map((_, i) => i).filter((i) => slices[i]!.to > slices[i]!.from);
      if (present.length === 0) continue;
      const m = portfolioMetrics(
        await simulateSleeves(
          present.map((i) => sliceBars(bars[i]!, w)),
          present.map((i) => stitched[0]![i]!.subarray(slices[i]!.from, slices[i]!.to)),
        ),
      );
      perFold.push({
        fold: k + 1,
        start: m.start,
        end: m.end,
        bars: m.bars,
        total_return: m.total_return,
        sharpe_ratio: m.sharpe_ratio,
        max_drawdown: m.max_drawdown,
        total_trades: m.total_trades,
        win_rate: m.win_rate,
        benchmark_return: m.benchmark_return,
      });
    }
    const seedRuns: { seed: number; total_return: number; sharpe_ratio: number }[] = [];
    for (const [s, seed] of seeds.entries()) {
      const m = s === 0 ? result : portfolioMetrics(await simulateSleeves(bars, stitched[s]!));
      seedRuns.push({ seed, total_return: m.total_return, sharpe_ratio: m.sharpe_ratio });
    }
    const perYear = barsPerYear(portfolio.axis);
    const regimes = regimeTable({
      // One symbol: its own closes; a portfolio: its buy-and-hold curve, the closes of the whole basket.
      close: bars.length === 1 ? bars[0]!.close : portfolio.result.benchmark,
      equity: portfolio.result.equity,
      initialCapital: portfolio.result.initialCapital,
      inPosition: heldOnAxis(sleeves, portfolio),
      barsPerYear: perYear,
    });

    ctx.reportProgress({ percentage: 95, current_step: 'Testing significance and cost sensitivity', steps_completed: total, steps_total: total });
    throwIfAborted(signal);
    // The same signals at 0×, 1×, 2×, 3× the costs, and where the return reaches zero (1× is the run above).
    const runAt = async (multiple: number): Promise<{ total_return: number; sharpe_ratio: number }> => {
      const m = multiple === 1 ? result : portfolioMetrics(await simulateSleeves(bars, stitched[0]!, multiple));
      return { total_return: m.total_return, sharpe_ratio: m.sharpe_ratio };
    };
    const cost_sensitivity = await costSensitivity(runAt);
    const significance = backtestSignificance(
      bars.map((b, i) => ({ open: b.open, close: b.close, trades: sleeves[i]!.result.trades })),
      portfolio.result.equity,
      portfolio.result.initialCapital,
      costs,
      // Seeded by the strategy's own seed, so the same backtest gives the same p-value.
      { barsPerYear: perYear, seed: config.model.training.seed ?? 1 },
    );
    const full: BacktestResult = {
      ...result,
      ...significance,
      cost_sensitivity,
      evaluation: manifest.plan,
      folds: perFold,
      fold_dispersion: foldDispersion(perFold),
      seed_robustness: seedRobustness(seedRuns),
      regimes,
    };
    return {
      result: full,
      artifacts: {
        equity: { ...equityArtifact(portfolio.axis, portfolio.result), fold_starts: manifest.windows.map(([from]) => from) },
        returns: barReturns(portfolio.axis.time, portfolio.result.equity),
      },
    };
  }
}

/** Each bar's return of the stitched run, at full resolution (the chart's equity is sampled). */
function barReturns(time: ArrayLike<number>, equity: ArrayLike<number>): ReturnsArtifact {
  const t: number[] = [];
  const r: number[] = [];
  for (let i = 1; i < equity.length; i++) {
    t.push(time[i]!);
    r.push(equity[i - 1]! > 0 ? equity[i]! / equity[i - 1]! - 1 : 0);
  }
  return { t, r };
}

/** Every symbol's base bars in the backtest window; a symbol without any fails the phase, naming it. */
async function windowBars(deps: ResearchDeps, config: StrategyConfig, signal: AbortSignal): Promise<SymbolWindow[]> {
  const window = config.backtest.date_range;
  const tf = baseTimeframe(config);
  const out: SymbolWindow[] = [];
  for (const symbol of config.training_data.symbols) {
    const bars = await loadSymbolBars(deps.marketData, config, symbol, window, signal);
    const inWindow = sliceBars(bars[tf]!, windowRange(window));
    if (inWindow.time.length === 0) throw new NoMarketDataError(symbol, tf, window.start, window.end);
    out.push({ symbol, inWindow });
  }
  return out;
}

/** 1 on the portfolio's bars where any sleeve holds a position (its state at its last bar at or before that time). */
function heldOnAxis(sleeves: readonly Sleeve[], portfolio: Portfolio): Uint8Array {
  const axis = portfolio.axis.time;
  const out = new Uint8Array(axis.length);
  for (const { bars, result } of sleeves) {
    let c = 0;
    for (let i = 0; i < axis.length; i++) {
      while (c < bars.time.length && bars.time[c]! <= axis[i]!) c++;
      if (c > 0 && result.position[c - 1] !== 0) out[i] = 1;
    }
  }
  return out;
}
