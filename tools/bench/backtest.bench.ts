import { CancelledError } from '@ktrdr/errors';
import { metrics, simulate, simulateSync, type PositionMode, type SimulationInput } from '@ktrdr/backtest';
import type { Bars } from '@ktrdr/market-data';
import { summarize, type Summary } from './stats.js';
import { seededRandom } from './util.js';

/**
 * Benchmark 4: the backtest engine, in this process, on a seeded synthetic hourly random walk
 * (default 2,000,000 bars) with seeded random signals (BUY and SELL each on 2 % of bars, so a
 * trade every ~50–100 bars, like a model that trades a few times a week on hourly data). Signals
 * are generated once; then, side by side in the same run:
 *   (a) the full simulation — `simulateSync` (fills, costs, equity, benchmark, drawdown and return
 *       sums in one loop) plus `metrics` — in bars/s, median of `runs` runs after two warm-ups;
 *   (b) a bare typed-array pass over the same bars (close-to-close returns and the running max of
 *       the close, each into a Float64Array) in bars/s, the floor any per-bar loop pays here;
 *       the ratio (a)/(b) says what the simulation costs over touching the data;
 *   (c) the same simulation with dense signals (BUY/SELL each on 1/3 of bars: a trade every ~3
 *       bars), the worst case, where creating the trade objects dominates;
 *   (d) cancel → stopped: each sample starts the async `simulate` over the same series, aborts
 *       its signal from a timer at a seeded random point 2–30 ms after the start and waits for the
 *       rejection (CancelledError): measured from abort(), and from the instant the timer was due
 *       (adding the wait for the loop to yield: what a cancel message arriving then would see).
 */

export interface BacktestBenchOptions {
  /** Bars in the series (default 2,000,000, at least 1,000,000). */
  bars?: number;
  /** Timed runs of each throughput measurement (default 9, at least 5). */
  runs?: number;
  /** Cancel samples (default 30, at least 20). */
  cancels?: number;
  log?: (line: string) => void;
}

export interface BacktestBenchResult {
  bars: number;
  runs: number;
  positionMode: PositionMode;
  /** Probability of BUY (and of SELL) on each bar in the main measurement. */
  signalRate: number;
  trades: number;
  /** (a) ms per full simulation (simulateSync + metrics). */
  simulateMs: Summary;
  simulateBarsPerSec: number;
  /** (b) ms per bare pass. */
  barePassMs: Summary;
  barePassBarsPerSec: number;
  /** simulateBarsPerSec / barePassBarsPerSec. */
  simulateToBareRatio: number;
  /** (c) dense signals. */
  denseSignalRate: number;
  denseTrades: number;
  denseBarsPerSec: number;
  /** The async, sliced simulate run to completion (median bars/s over 3 runs): slicing's overhead. */
  asyncBarsPerSec: number;
  cancels: number;
  /** (d) abort() → simulate rejected (ms). */
  cancelStopMs: Summary;
  /** (d) timer due → simulate rejected (ms). */
  cancelFromDueMs: Summary;
  /** Samples that finished before the cancel or did not end in CancelledError (should be 0). */
  cancelAnomalies: number;
  elapsedMs: number;
}

const SIGNAL_RATE = 0.02;
const DENSE_RATE = 1 / 3;
const MODE: PositionMode = 'long_only';

/** A geometric random walk on hourly bars (open gaps a little from the previous close). */
function syntheticBars(n: number, seed: number): Bars {
  const rnd = seededRandom(seed);
  const time = new Float64Array(n);
  const open = new Float64Array(n);
  const close = new Float64Array(n);
  const start = Date.UTC(2000, 0, 1);
  let px = 100;
  for (let i = 0; i < n; i++) {
    time[i] = start + i * 3_600_000;
    open[i] = px * (1 + (rnd() - 0.5) * 0.001);
    px = open[i]! * (1 + (rnd() - 0.5) * 0.008);
    close[i] = px;
  }
  // high/low/volume are not read by the simulation: share one array rather than allocate three.
  return { symbol: 'BENCH', timeframe: '1h', time, open, high: close, low: close, close, volume: close };
}

function randomSignals(n: number, rate: number, seed: number): Int8Array {
  const rnd = seededRandom(seed);
  const out = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const u = rnd();
    out[i] = u < rate ? 1 : u < 2 * rate ? -1 : 0;
  }
  return out;
}

/** The floor: one pass reading the closes and writing two Float64Arrays. */
function barePass(close: Float64Array, returns: Float64Array, runningMax: Float64Array): number {
  let peak = close[0]!;
  returns[0] = 0;
  runningMax[0] = peak;
  for (let i = 1; i < close.length; i++) {
    const c = close[i]!;
    returns[i] = c / close[i - 1]! - 1;
    if (c > peak) peak = c;
    runningMax[i] = peak;
  }
  return peak;
}

function timeRuns(runs: number, warmups: number, fn: () => void): number[] {
  for (let i = 0; i < warmups; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

const perSec = (bars: number, ms: number): number => bars / (ms / 1000);

export async function benchBacktest(opts: BacktestBenchOptions = {}): Promise<BacktestBenchResult> {
  const n = Math.max(1_000_000, opts.bars ?? 2_000_000);
  const runs = Math.max(5, opts.runs ?? 9);
  const cancels = Math.max(20, opts.cancels ?? 30);
  const log = opts.log ?? ((): void => undefined);
  const started = performance.now();

  const bars = syntheticBars(n, 20240601);
  const input: SimulationInput = {
    bars,
    signals: randomSignals(n, SIGNAL_RATE, 7),
    positionMode: MODE,
    initialCapital: 100_000,
    commission: 0.001,
    slippage: 0.0005,
  };
  const dense: SimulationInput = { ...input, signals: randomSignals(n, DENSE_RATE, 8) };

  log(`  backtest: ${n} bars, ${runs} runs each`);
  let trades = 0;
  const simMs = timeRuns(runs, 2, () => {
    const r = simulateSync(input);
    trades = metrics(bars, r).total_trades;
  });
  const returns = new Float64Array(n);
  const runningMax = new Float64Array(n);
  let sink = 0;
  const bareMs = timeRuns(runs, 2, () => {
    sink += barePass(bars.close, returns, runningMax);
  });
  if (!Number.isFinite(sink)) throw new Error('unreachable: keeps the bare pass from being optimised away');
  let denseTrades = 0;
  const denseMs = timeRuns(Math.min(runs, 5), 1, () => {
    denseTrades = metrics(bars, simulateSync(dense)).total_trades;
  });
  const asyncMs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await simulate(input);
    asyncMs.push(performance.now() - t0);
  }

  log(`  backtest: ${cancels} cancels`);
  const rnd = seededRandom(99);
  const stop: number[] = [];
  const fromDue: number[] = [];
  let anomalies = 0;
  for (let i = 0; i < cancels; i++) {
    const ac = new AbortController();
    const delay = 2 + Math.floor(rnd() * 29); // whole ms: Node timers have 1 ms resolution
    const t0 = performance.now();
    const due = t0 + delay;
    let abortedAt = 0;
    const timer = setTimeout(() => {
      abortedAt = performance.now();
      ac.abort('bench cancel');
    }, delay);
    try {
      await simulate({ ...input, signal: ac.signal });
      clearTimeout(timer);
      anomalies++; // finished before the cancel
    } catch (e) {
      const end = performance.now();
      if (!(e instanceof CancelledError) || abortedAt === 0) {
        anomalies++;
        continue;
      }
      stop.push(end - abortedAt);
      fromDue.push(end - due);
    }
  }

  const sim = summarize(simMs);
  const bare = summarize(bareMs);
  const simulateBarsPerSec = perSec(n, sim.p50);
  const barePassBarsPerSec = perSec(n, bare.p50);
  return {
    bars: n,
    runs,
    positionMode: MODE,
    signalRate: SIGNAL_RATE,
    trades,
    simulateMs: sim,
    simulateBarsPerSec,
    barePassMs: bare,
    barePassBarsPerSec,
    simulateToBareRatio: simulateBarsPerSec / barePassBarsPerSec,
    denseSignalRate: DENSE_RATE,
    denseTrades,
    denseBarsPerSec: perSec(n, summarize(denseMs).p50),
    asyncBarsPerSec: perSec(n, summarize(asyncMs).p50),
    cancels,
    cancelStopMs: summarize(stop),
    cancelFromDueMs: summarize(fromDue),
    cancelAnomalies: anomalies,
    elapsedMs: performance.now() - started,
  };
}
