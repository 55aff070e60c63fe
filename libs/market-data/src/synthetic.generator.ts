import { hashString, type Timeframe } from '@ktrdr/agent-domain';
import type { Bars } from './bars.types.js';
import { SeededRandom } from './seeded.random.js';

/**
 * Seeded synthetic markets for any `SYNTH_*` symbol: a regime-switching geometric Brownian motion.
 *
 * - Session: 24 hours a day on weekdays (Mon 00:00 – Fri 23:00 UTC, like spot FX), none at
 *   weekends. 1h is the generated series; 4h bars aggregate four 1h bars aligned at 00, 04, …, 20 UTC
 *   and 1d bars the 24 bars of a weekday (stamped 00:00 UTC), so every timeframe of a symbol tells
 *   the same story and a multi-timeframe strategy sees consistent data.
 * - Regimes (bull, bear, sideways) follow a Markov chain with persistent states (months), each with
 *   its own drift and volatility; the weekend gap opens Monday's first bar away from Friday's close.
 * - Innovations are Student-t(4), scaled to unit variance: fat tails (excess kurtosis) like real returns.
 * - High and low are drawn from the exact distribution of a Brownian bridge's maximum/minimum
 *   between open and close at the bar's volatility, so ranges are realistic and always enclose
 *   open and close; volume rises with |return| and in the bear regime.
 * - Deterministic: the stream is seeded from the symbol name (and an optional seed), and always
 *   generated from the fixed origin, so a bar's values never depend on the window requested.
 *
 * Two further families, chosen by the symbol's prefix, exist for tests of whether research learns:
 * one where something is there to find and one where nothing is. Same session, aggregation,
 * Student-t(4) innovations, bar ranges and volume rule as above, but one regime throughout (their
 * `regimes` read sideways) and no weekend gap, so the only structure is the one described.
 *
 * - `SYNTH_EDGE_<name>`: a planted, learnable edge — short-horizon mean reversion of the price to
 *   its own recent mean. Each hour's log return carries a pull of EDGE.pull × (m − log price),
 *   where m is the exponential mean of the log close over EDGE.meanHours (5 trading days), on top
 *   of a small drift and constant volatility. A close stretched below its recent mean tends to
 *   come back over the next days: what RSI, stochastic, Williams %R and Bollinger %b see as
 *   oversold (and SMA/EMA distance as below the mean). Deliberately stronger than real markets
 *   show (daily returns' lag-1 autocorrelation is about −0.2), so a small network on those
 *   memberships beats buy-and-hold and random entries after costs on daily bars: a close 1 % under
 *   its 5-day mean gains about 0.6–0.9 % over the next 5 days. Not for any design: a zigzag label
 *   of the usual 3–6 % swing is rare here (such a model hardly ever trades), while forward-return
 *   and triple-barrier labels over a few days find the edge. On 1h bars the day after a 1 %
 *   stretch gains about 0.35 %, barely a round trip's cost (0.3 %): there only rare trades can pay.
 * - `SYNTH_WALK_<name>`: a pure random walk — i.i.d. log returns with zero mean and constant
 *   volatility, no regimes: no past bar tells anything about the next, so nothing is learnable and
 *   every strategy's expected return is minus its costs.
 */

export const SYNTHETIC_PREFIX = 'SYNTH_';
export const SYNTHETIC_TIMEFRAMES = ['1h', '4h', '1d'] as const satisfies readonly Timeframe[];
export type SyntheticTimeframe = (typeof SYNTHETIC_TIMEFRAMES)[number];
/** The span every synthetic series covers: 2015-01-01 00:00 UTC up to (excluding) 2027-01-01. */
export const SYNTHETIC_ORIGIN_MS = Date.UTC(2015, 0, 1);
export const SYNTHETIC_END_MS = Date.UTC(2027, 0, 1);

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Trading hours per year in this session: 260 weekdays × 24 h. */
const HOURS_PER_YEAR = 260 * 24;
const DT = 1 / HOURS_PER_YEAR;

export const REGIMES = ['bull', 'bear', 'sideways'] as const;
export type Regime = (typeof REGIMES)[number];

interface RegimeParams {
  /** Annual drift of log price. */
  mu: number;
  /** Annual volatility. */
  sigma: number;
  /** Expected stay in trading days. */
  days: number;
  /** Where the chain goes on leaving: probabilities over REGIMES (own entry 0). */
  next: readonly [number, number, number];
  volumeFactor: number;
}

const PARAMS: readonly RegimeParams[] = [
  { mu: 0.2, sigma: 0.13, days: 120, next: [0, 0.4, 0.6], volumeFactor: 1 },
  { mu: -0.35, sigma: 0.32, days: 40, next: [0.5, 0, 0.5], volumeFactor: 1.5 },
  { mu: 0.0, sigma: 0.17, days: 60, next: [0.6, 0.4, 0], volumeFactor: 0.9 },
];

/** The prefixes of the two families for learning tests (see above); any other SYNTH_ symbol switches regimes. */
export const SYNTHETIC_EDGE_PREFIX = 'SYNTH_EDGE_';
export const SYNTHETIC_WALK_PREFIX = 'SYNTH_WALK_';
export type SyntheticFamily = 'regimes' | 'edge' | 'walk';

/** The planted edge of SYNTH_EDGE_ series: annual drift and volatility of log price, and the hourly pull to the recent mean. */
export const EDGE = { mu: 0.04, sigma: 0.16, meanHours: 120, pull: 0.02 } as const;
/** The SYNTH_WALK_ series' annual volatility (drift 0). */
export const WALK = { sigma: 0.16 } as const;

/** Which process a synthetic symbol follows: its prefix names it, and the prefix alone (no name after it) is an ordinary SYNTH_ symbol. */
export function syntheticFamily(symbol: string): SyntheticFamily {
  if (symbol.startsWith(SYNTHETIC_EDGE_PREFIX) && symbol.length > SYNTHETIC_EDGE_PREFIX.length) return 'edge';
  if (symbol.startsWith(SYNTHETIC_WALK_PREFIX) && symbol.length > SYNTHETIC_WALK_PREFIX.length) return 'walk';
  return 'regimes';
}

export function isSyntheticSymbol(symbol: string): boolean {
  return symbol.startsWith(SYNTHETIC_PREFIX) && symbol.length > SYNTHETIC_PREFIX.length;
}

export function isSyntheticTimeframe(timeframe: string): timeframe is SyntheticTimeframe {
  return (SYNTHETIC_TIMEFRAMES as readonly string[]).includes(timeframe);
}

export interface SyntheticSeries {
  bars: Bars;
  /** The regime (index into REGIMES) at each bar's open: for diagnostics and tests. */
  regimes: Uint8Array;
}

/** Open times of the 1h session from the origin: every hour of every weekday. */
function hourlyTimes(): Float64Array {
  const out: number[] = [];
  for (let day = SYNTHETIC_ORIGIN_MS; day < SYNTHETIC_END_MS; day += DAY_MS) {
    const dow = new Date(day).getUTCDay();
    if (dow === 0 || dow === 6) continue;
    for (let h = 0; h < 24; h++) out.push(day + h * HOUR_MS);
  }
  return Float64Array.from(out);
}

let hourlyGrid: Float64Array | null = null;
function grid(): Float64Array {
  hourlyGrid ??= hourlyTimes();
  return hourlyGrid;
}

/** How many bars a synthetic timeframe holds over the whole span (without generating prices). */
export function syntheticBarCount(timeframe: SyntheticTimeframe): number {
  return grid().length / hoursPerBar(timeframe);
}

function hoursPerBar(timeframe: SyntheticTimeframe): number {
  return timeframe === '1h' ? 1 : timeframe === '4h' ? 4 : 24;
}

const round4 = (p: number): number => Math.round(p * 1e4) / 1e4;

function generateHourly(symbol: string, seed: number): SyntheticSeries {
  const family = syntheticFamily(symbol);
  if (family !== 'regimes') return generateSingleRegime(symbol, seed, family);
  const time = grid();
  const n = time.length;
  const rng = new SeededRandom((hashString(symbol) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  const regimes = new Uint8Array(n);

  let price = 20 + 180 * rng.uniform();
  const baseVolume = 2e5 * (1 + 9 * rng.uniform());
  let regime = rng.uniform() < 0.6 ? 0 : rng.uniform() < 0.5 ? 1 : 2;
  const sqrtDt = Math.sqrt(DT);

  for (let i = 0; i < n; i++) {
    const p = PARAMS[regime]!;
    // Markov switch, checked every hour: leaving probability 1/(expected hours in the state).
    if (rng.uniform() < 1 / (p.days * 24)) {
      const u = rng.uniform();
      // `next` gives the own state probability 0, so this always lands in another regime.
      regime = u < p.next[0] ? 0 : u < p.next[0] + p.next[1] ? 1 : 2;
    }
    const { mu, sigma, volumeFactor } = PARAMS[regime]!;
    regimes[i] = regime;

    // The first bar after a weekend gaps away from Friday's close (about half a day of variance).
    const gapsOpen = i > 0 && time[i]! - time[i - 1]! > HOUR_MS;
    const o = gapsOpen ? price * Math.exp(sigma * Math.sqrt(12 * DT) * rng.normal()) : price;
    const s = sigma * sqrtDt;
    const eps = rng.studentT4();
    const x = (mu - (sigma * sigma) / 2) * DT + s * eps;
    const c = o * Math.exp(x);
    // Max and min of a Brownian bridge from 0 to x with variance s²: m = (x + √(x² − 2s²·ln U)) / 2.
    const up = (x + Math.sqrt(x * x - 2 * s * s * Math.log(rng.uniform()))) / 2;
    const down = (-x + Math.sqrt(x * x - 2 * s * s * Math.log(rng.uniform()))) / 2;

    open[i] = round4(o);
    close[i] = round4(c);
    // Rounding is monotonic, so max/min with the rounded open/close keeps the bar consistent.
    high[i] = Math.max(round4(o * Math.exp(up)), open[i]!, close[i]!);
    low[i] = Math.min(round4(o * Math.exp(-down)), open[i]!, close[i]!);
    volume[i] = Math.round(baseVolume * volumeFactor * (0.4 + 0.9 * Math.abs(eps)) * Math.exp(0.3 * rng.normal()));
    price = c;
  }
  return { bars: { symbol, timeframe: '1h', time: time.slice(), open, high, low, close, volume }, regimes };
}

/**
 * The edge and walk families (see the top): one process throughout, seeded like the regime family.
 * Kept apart from generateHourly so the regime series' stream, and so every bar of them, is unchanged.
 */
function generateSingleRegime(symbol: string, seed: number, family: 'edge' | 'walk'): SyntheticSeries {
  const time = grid();
  const n = time.length;
  const rng = new SeededRandom((hashString(symbol) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  // Sideways (index 2) throughout: these families have no regimes.
  const regimes = new Uint8Array(n).fill(2);

  let price = 20 + 180 * rng.uniform();
  const baseVolume = 2e5 * (1 + 9 * rng.uniform());
  const sigma = family === 'edge' ? EDGE.sigma : WALK.sigma;
  const s = sigma * Math.sqrt(DT);
  // The edge's drift of log price per hour; the walk's is 0 (i.i.d. log returns with mean 0).
  const drift = family === 'edge' ? (EDGE.mu - (sigma * sigma) / 2) * DT : 0;
  const alpha = 2 / (EDGE.meanHours + 1);
  let logPrice = Math.log(price);
  let mean = logPrice;

  for (let i = 0; i < n; i++) {
    const o = price;
    const eps = rng.studentT4();
    const pull = family === 'edge' ? EDGE.pull * (mean - logPrice) : 0;
    const x = drift + pull + s * eps;
    const c = o * Math.exp(x);
    const up = (x + Math.sqrt(x * x - 2 * s * s * Math.log(rng.uniform()))) / 2;
    const down = (-x + Math.sqrt(x * x - 2 * s * s * Math.log(rng.uniform()))) / 2;

    open[i] = round4(o);
    close[i] = round4(c);
    high[i] = Math.max(round4(o * Math.exp(up)), open[i]!, close[i]!);
    low[i] = Math.min(round4(o * Math.exp(-down)), open[i]!, close[i]!);
    volume[i] = Math.round(baseVolume * (0.4 + 0.9 * Math.abs(eps)) * Math.exp(0.3 * rng.normal()));
    price = c;
    logPrice += x;
    mean += alpha * (logPrice - mean);
  }
  return { bars: { symbol, timeframe: '1h', time: time.slice(), open, high, low, close, volume }, regimes };
}

/** Groups of `k` consecutive 1h bars into one (the session has whole days, so groups never straddle a day). */
function aggregate(hourly: SyntheticSeries, timeframe: SyntheticTimeframe): SyntheticSeries {
  const k = hoursPerBar(timeframe);
  const src = hourly.bars;
  const m = src.time.length / k;
  const out: Bars = {
    symbol: src.symbol,
    timeframe,
    time: new Float64Array(m),
    open: new Float64Array(m),
    high: new Float64Array(m),
    low: new Float64Array(m),
    close: new Float64Array(m),
    volume: new Float64Array(m),
  };
  const regimes = new Uint8Array(m);
  for (let j = 0; j < m; j++) {
    const a = j * k;
    let hi = -Infinity;
    let lo = Infinity;
    let vol = 0;
    for (let i = a; i < a + k; i++) {
      if (src.high[i]! > hi) hi = src.high[i]!;
      if (src.low[i]! < lo) lo = src.low[i]!;
      vol += src.volume[i]!;
    }
    out.time[j] = src.time[a]!;
    out.open[j] = src.open[a]!;
    out.close[j] = src.close[a + k - 1]!;
    out.high[j] = hi;
    out.low[j] = lo;
    out.volume[j] = vol;
    regimes[j] = hourly.regimes[a]!;
  }
  return { bars: out, regimes };
}

/**
 * The whole series of a synthetic symbol on a timeframe (2015-01-01 … 2026-12-31), the same in
 * every process for the same symbol and seed. ~75k 1h bars; generating them takes milliseconds.
 */
export function generateSyntheticSeries(symbol: string, timeframe: SyntheticTimeframe, seed = 0): SyntheticSeries {
  const hourly = generateHourly(symbol, seed);
  return timeframe === '1h' ? hourly : aggregate(hourly, timeframe);
}
