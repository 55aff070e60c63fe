import { cooperativeLoop } from '@ktrdr/agent-domain';
import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import { z } from 'zod';
import { CurveTracker } from './curve.stats.js';
import { POSITION_MODES, type SimulateControl, type SimulationInput, type SimulationResult, type Trade } from './simulation.types.js';

/**
 * The backtest simulation: one tight loop over typed arrays that fills signals at the next open,
 * charges costs, marks equity and the buy-and-hold benchmark at every close, and gathers the
 * return and drawdown statistics on the way (through `CurveTracker`), so metrics need no second
 * pass over the bars.
 *
 * Hand-rolled rather than taken from a library: the npm backtest frameworks (e.g. backtest-kit) are
 * event-driven strategy runners with their own exchange model, candle objects and reports. What is
 * needed here is a pass over precomputed signals with exactly these fill and cost rules (t+1's open,
 * both legs charged), typed-array throughput, a cooperative cancel and the domain's metrics: a
 * couple of hundred lines that are cheaper to own and test than to adapt.
 *
 * Sizing: fully invested. On entry, the notional plus its commission equals the equity at that
 * moment (quantity = equity / (fill × (1 + commission))), for longs and shorts alike; flat is cash.
 * Once equity is ≤ 0 (only a short can get there) no new position is opened.
 */

/**
 * Bars per block: the slice clock is read after each block, so a slice overruns by at most one
 * block (~0.5 ms at typical speed, ~1.5 ms when a trade closes every few bars).
 */
const BLOCK_BARS = 16_384;
/** onProgress at most this often (and once at the end): callers may persist it. */
const PROGRESS_EVERY_MS = 100;

const optionsSchema = z.object({
  positionMode: z.enum(POSITION_MODES),
  initialCapital: z.number().positive(),
  commission: z.number().min(0).lt(1),
  slippage: z.number().min(0).lt(1),
});

function invalid(message: string): KtrdrError {
  return new KtrdrError(ErrorCode.ValidationFailed, `Backtest input invalid: ${message}`);
}

function validate(input: SimulationInput): void {
  const parsed = optionsSchema.safeParse(input);
  if (!parsed.success) {
    throw invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const n = input.bars.time.length;
  if (n < 1) throw invalid('no bars');
  for (const col of ['open', 'close'] as const) {
    if (input.bars[col].length !== n) throw invalid(`bars.${col} has ${input.bars[col].length} values for ${n} bars`);
  }
  if (input.signals.length !== n) throw invalid(`${input.signals.length} signals for ${n} bars`);
}

class Simulator {
  readonly n: number;
  private readonly symbol: string;
  private readonly time: Float64Array;
  private readonly open: Float64Array;
  private readonly close: Float64Array;
  private readonly signals: Int8Array;
  /** The target of a SELL: short in long_short, flat in long_only. */
  private readonly sellTarget: number;
  private readonly commission: number;
  private readonly slippage: number;
  private readonly initialCapital: number;

  readonly equity: Float64Array;
  readonly benchmark: Float64Array;
  readonly position: Int8Array;
  readonly trades: Trade[] = [];

  /** Next bar to process. */
  next = 0;
  // Position state: direction, signed quantity, cash (equity = cash + q × price).
  private pos = 0;
  private q = 0;
  private cash: number;
  private entryIndex = -1;
  private entryPrice = 0;
  private entryFee = 0;
  private entrySlippage = 0;
  private entryEquity = 0;
  // Benchmark: quantity bought at the first open; the factor applied to its last close on liquidation.
  private readonly bq: number;
  private readonly benchExit: number;
  private exposed = 0;
  private readonly s: CurveTracker;
  private readonly b: CurveTracker;

  constructor(input: SimulationInput) {
    const { bars } = input;
    this.n = bars.time.length;
    this.symbol = bars.symbol;
    this.time = bars.time;
    this.open = bars.open;
    this.close = bars.close;
    this.signals = input.signals;
    this.sellTarget = input.positionMode === 'long_short' ? -1 : 0;
    this.commission = input.commission;
    this.slippage = input.slippage;
    this.initialCapital = input.initialCapital;
    this.cash = input.initialCapital;
    this.equity = new Float64Array(this.n);
    this.benchmark = new Float64Array(this.n);
    this.position = new Int8Array(this.n);
    const o0 = this.open[0]!;
    if (!(o0 > 0)) throw badPrice('open', 0, o0);
    this.bq = input.initialCapital / (o0 * (1 + this.slippage) * (1 + this.commission));
    this.benchExit = (1 - this.slippage) * (1 - this.commission);
    this.s = new CurveTracker(input.initialCapital);
    this.b = new CurveTracker(input.initialCapital);
  }

  /**
   * Processes bars [next, to). Kept monomorphic and allocation-free: position state lives in locals
   * for the loop and goes back to fields at the end; fills (rare) go through methods that work on
   * fields; each curve's statistics are added by its `CurveTracker` over the slice just written.
   */
  run(to: number): void {
    const { close, signals, equity, benchmark, position, sellTarget, bq, benchExit, s, b } = this;
    const last = this.n - 1;
    let { pos, q, cash, exposed } = this;
    const from = this.next;
    for (let t = from; t < to; t++) {
      if (t > 0) {
        const sg = signals[t - 1]!;
        const target = sg > 0 ? 1 : sg < 0 ? sellTarget : pos;
        if (target !== pos) {
          this.cash = cash;
          this.q = q;
          this.pos = pos;
          this.fill(t, target);
          cash = this.cash;
          q = this.q;
          pos = this.pos;
        }
      }
      const cl = close[t]!;
      if (!(cl > 0)) throw badPrice('close', t, cl);
      position[t] = pos;
      exposed += pos & 1; // -1 & 1 === 1
      let be = bq * cl;
      if (t === last) {
        // Liquidate at the last close so final equity, total return and the trades agree.
        be *= benchExit;
        if (pos !== 0) {
          this.cash = cash;
          this.q = q;
          this.closePosition(t, cl, true);
          cash = this.cash;
          q = this.q;
          pos = this.pos;
        }
      }
      const e = cash + q * cl;
      equity[t] = e;
      benchmark[t] = be;
    }
    s.pushRange(equity, from, to);
    b.pushRange(benchmark, from, to);
    Object.assign(this, { pos, q, cash, exposed, next: to });
  }

  /** Moves to `target` at bar t's open: closes the current position, then opens the new one. */
  private fill(t: number, target: number): void {
    const o = this.open[t]!;
    if (!(o > 0)) throw badPrice('open', t, o);
    if (this.pos !== 0) this.closePosition(t, o, false);
    if (target !== 0 && this.cash > 0) {
      const equity = this.cash;
      const price = target > 0 ? o * (1 + this.slippage) : o * (1 - this.slippage);
      const qty = equity / (price * (1 + this.commission));
      const fee = qty * price * this.commission;
      this.q = target * qty;
      this.cash = equity - this.q * price - fee;
      this.pos = target;
      this.entryIndex = t;
      this.entryPrice = price;
      this.entryFee = fee;
      this.entrySlippage = Math.abs(price - o) * qty;
      this.entryEquity = equity;
    }
  }

  /** Closes the position at `ref` (an open, or the last close), adverse slippage and commission charged. */
  private closePosition(t: number, ref: number, atEnd: boolean): void {
    const q = this.q;
    const price = q > 0 ? ref * (1 - this.slippage) : ref * (1 + this.slippage);
    const fee = Math.abs(q) * price * this.commission;
    this.cash += q * price - fee;
    const pnl = this.cash - this.entryEquity;
    this.trades.push({
      symbol: this.symbol,
      side: q > 0 ? 'long' : 'short',
      entry_index: this.entryIndex,
      exit_index: t,
      entry_time: this.time[this.entryIndex]!,
      exit_time: this.time[t]!,
      entry_price: this.entryPrice,
      exit_price: price,
      quantity: Math.abs(q),
      pnl,
      return: pnl / this.entryEquity,
      fees: this.entryFee + fee,
      open_at_end: atEnd,
      slippage_cost: this.entrySlippage + Math.abs(price - ref) * Math.abs(q),
    });
    this.q = 0;
    this.pos = 0;
  }

  result(): SimulationResult {
    return {
      equity: this.equity,
      benchmark: this.benchmark,
      position: this.position,
      trades: this.trades,
      initialCapital: this.initialCapital,
      positionMode: this.sellTarget === -1 ? 'long_short' : 'long_only',
      stats: { strategy: this.s.stats(), benchmark: this.b.stats(), exposedBars: this.exposed },
    };
  }
}

function badPrice(column: string, t: number, value: number): KtrdrError {
  return invalid(`bar ${t} has ${column} ${value}; prices must be positive`);
}

/** The whole simulation in one synchronous call (benchmarks, short series, tests). */
export function simulateSync(input: SimulationInput): SimulationResult {
  validate(input);
  const sim = new Simulator(input);
  sim.run(sim.n);
  return sim.result();
}

/**
 * The simulation in time slices (default 8 ms) with a yield to the event loop between them, so a
 * cancel message can arrive and abort it: rejects with CancelledError at the next slice boundary.
 */
export async function simulate(input: SimulationInput & SimulateControl): Promise<SimulationResult> {
  validate(input);
  const sim = new Simulator(input);
  const total = sim.n;
  let reported = performance.now();
  await cooperativeLoop(
    () => {
      const to = Math.min(sim.next + BLOCK_BARS, total);
      sim.run(to);
      if (input.onProgress && (to === total || performance.now() - reported >= PROGRESS_EVERY_MS)) {
        reported = performance.now();
        input.onProgress(to, total);
      }
      return to < total;
    },
    { signal: input.signal ?? new AbortController().signal, sliceMs: input.sliceMs },
  );
  return sim.result();
}
