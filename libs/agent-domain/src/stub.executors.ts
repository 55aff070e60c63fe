import { abortableSleep } from './abortable.js';
import { burnCpu } from './cooperative.loop.js';
import type { PhaseResults } from '@ktrdr/api-contract';
import type { PhaseExecutor, PhaseExecutors } from './phase.executor.js';
import { ACTIVE_PHASES, type ActivePhase } from './phase.types.js';

/**
 * Stub mode: every phase still runs as its real child operation and can be cancelled,
 * but sleeps instead of working and returns gate-passing results. `results` and `failures` let a
 * test or a demo steer a phase into a gate failure or an error without touching the orchestrator.
 */
export interface StubOptions {
  delayMs: number;
  /** Burn CPU for the delay (in cooperative slices) instead of sleeping: a stand-in for training. */
  cpuBound?: boolean;
  /** Per-phase fields merged over the default result (e.g. `{training: {accuracy: 0.423}}`). */
  results?: Partial<Record<ActivePhase, Record<string, unknown>>>;
  /** Per-phase error messages: that phase's child fails with this message. */
  failures?: Partial<Record<ActivePhase, string>>;
}

export const STUB_STRATEGY = 'v3_minimal';

export const STUB_RESULTS: { readonly [P in ActivePhase]: PhaseResults[P] } = {
  designing: {
    strategy_name: STUB_STRATEGY,
    strategy_path: `strategies/${STUB_STRATEGY}.yaml`,
    designer: 'stub',
    model: null,
    input_tokens: 0,
    output_tokens: 0,
    cost_usd: 0,
  },
  training: {
    model_path: `models/${STUB_STRATEGY}/stub`,
    accuracy: 0.62,
    baseline_accuracy: 0.4,
    majority_baseline: 0.4,
    stratified_baseline: 0.34,
    balanced_accuracy: 0.6,
    log_loss: 0.6,
    prior_log_loss: 1.09,
    initial_loss: 1.08,
    final_loss: 0.58,
    val_accuracy: 0.6,
    test_loss: 0.6,
    epochs_run: 4,
    best_epoch: 4,
    class_balance: { BUY: 0.31, HOLD: 0.4, SELL: 0.29 },
    samples: { train: 700, validation: 150, test: 150 },
    feature_count: 3,
    seed: 42,
    history: { loss: [1.08, 0.81, 0.66, 0.58], val_loss: [1.08, 0.85, 0.7, 0.6] },
    symbols: ['SP500'],
    timeframe: '1d',
  },
  backtesting: {
    symbol: 'SP500',
    timeframe: '1d',
    start: '2017-01-03',
    end: '2020-04-17',
    bars: 1260,
    total_return: 0.142,
    cagr: 0.041,
    volatility: 0.12,
    sharpe_ratio: 1.12,
    sortino_ratio: 1.5,
    max_drawdown: 0.118,
    max_drawdown_peak: null,
    max_drawdown_trough: null,
    win_rate: 0.56,
    total_trades: 24,
    profit_factor: 1.46,
    exposure: 0.5,
    benchmark_return: 0.097,
    benchmark_max_drawdown: 0.34,
    equity_curve_length: 1260,
    initial_capital: 100000,
    final_equity: 114200,
    random_entry_p_value: 0.02,
    random_entry_simulations: 1000,
    psr: 0.97,
    sharpe_ci95: [0.21, 2.05],
  },
  assessing: {
    verdict: 'promising',
    strengths: ['Positive risk-adjusted return (stub)'],
    weaknesses: ['Stub results: no real training ran'],
    suggestions: ['Run without stub phases for real results'],
    assessor: 'stub',
    model: null,
    assessment_path: null,
    input_tokens: 0,
    output_tokens: 0,
    cost_usd: 0,
  },
};

const STEP_LABEL: Record<ActivePhase, string> = {
  designing: 'Step',
  training: 'Epoch',
  backtesting: 'Chunk',
  assessing: 'Step',
};

const STEPS = 10;

function stubExecutor<P extends ActivePhase>(phase: P, opts: StubOptions): PhaseExecutor<P> {
  return {
    phase,
    async execute(_input, ctx) {
      const slice = opts.delayMs / STEPS;
      for (let i = 1; i <= STEPS; i++) {
        if (slice > 0) await (opts.cpuBound ? burnCpu(slice, ctx.signal) : abortableSleep(slice, ctx.signal));
        ctx.reportProgress({ percentage: (i / STEPS) * 100, current_step: `${STEP_LABEL[phase]} ${i}/${STEPS}`, steps_completed: i, steps_total: STEPS });
      }
      const failure = opts.failures?.[phase];
      if (failure) throw new Error(failure);
      // Overrides are test/demo input (e.g. a failing accuracy); the runner checks the result's shape.
      const result = { ...STUB_RESULTS[phase], ...opts.results?.[phase], stub: true } as PhaseResults[P];
      return { result };
    },
  };
}

export function stubExecutors(opts: StubOptions): PhaseExecutors {
  return Object.fromEntries(ACTIVE_PHASES.map((p) => [p, stubExecutor(p, opts)])) as unknown as PhaseExecutors;
}
