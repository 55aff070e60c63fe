import { INDICATOR_CATALOGUE, type IndicatorConfig, type IndicatorType, type StrategyConfig } from '@ktrdr/agent-domain';
import type { Bars } from '@ktrdr/market-data';
import { ADX, ATR, BollingerBands, CCI, EMA, MACD, OBV, ROC, RSI, SMA, StochasticOscillator, WilliamsR } from 'trading-signals';
import { forEachChunk } from './chunked.loop.js';
import type { IndicatorOutputs } from './features.types.js';

/**
 * The 12 catalogue indicators over column bars, with `trading-signals` doing the indicator maths.
 * This file only feeds bars in, turns "not ready yet" into NaN, and derives the normalised outputs
 * the catalogue defines (distance, ÷close, width, %B, slope) by plain arithmetic on library results.
 *
 * Each indicator is a stepper fed one bar at a time (bar i sees only bars 0..i), so an output at
 * bar i never depends on later bars: truncating the series cannot change earlier values.
 *
 * Library semantics worth knowing (trading-signals 8.3.0, read from its source):
 * - EMA is seeded with the first price (not an SMA) and reported once it has seen `period` prices.
 * - RSI, ATR and ADX smooth with Wilder's moving average (WSMA, seeded with an SMA).
 * - ADX exposes +DI/−DI as fractions (`pdi`/`mdi`); we report them ×100 like the ADX itself.
 *   The DX inside it counts the first bar as a zero directional move.
 * - Stochastic reports %K only once %D exists, so `k` warms up as long as `d`.
 * - ROC is a fraction; the catalogue wants percent, so ×100.
 * - RSI with period 1 never produces a value (the library keeps one price); that column is all NaN.
 */

type Outputs = Record<string, Float64Array>;
type Stepper = (i: number) => void;

function nanArray(n: number): Float64Array {
  return new Float64Array(n).fill(Number.NaN);
}

/** One output column per catalogue output, NaN-filled. */
function allocate(type: IndicatorType, n: number): Outputs {
  const out: Outputs = {};
  for (const name of INDICATOR_CATALOGUE[type].outputs) out[name] = nanArray(n);
  return out;
}

const hlc = (b: Bars, i: number) => ({ high: b.high[i]!, low: b.low[i]!, close: b.close[i]! });

function col(out: Outputs, name: string): Float64Array {
  const c = out[name];
  if (!c) throw new Error(`internal: no output column ${name}`);
  return c;
}

function stepperFor(cfg: IndicatorConfig, b: Bars, out: Outputs): Stepper {
  const close = b.close;
  const p = (name: string): number => cfg[name] as number;
  switch (cfg.type) {
    case 'rsi': {
      const ind = new RSI(p('period'));
      const value = col(out, 'value');
      return (i) => {
        value[i] = ind.add(close[i]!) ?? Number.NaN;
      };
    }
    case 'sma':
    case 'ema': {
      const ind = cfg.type === 'sma' ? new SMA(p('period')) : new EMA(p('period'));
      const value = col(out, 'value');
      const distance = col(out, 'distance');
      return (i) => {
        ind.add(close[i]!);
        if (!ind.isStable) return;
        const v = ind.getResultOrThrow();
        value[i] = v;
        distance[i] = close[i]! / v - 1;
      };
    }
    case 'macd': {
      const ind = new MACD(new EMA(p('fast_period')), new EMA(p('slow_period')), new EMA(p('signal_period')));
      const macd = col(out, 'macd');
      const signal = col(out, 'signal');
      const histogram = col(out, 'histogram');
      return (i) => {
        const r = ind.add(close[i]!);
        if (!r || !ind.short.isStable || !ind.long.isStable) return;
        const c = close[i]!;
        macd[i] = r.macd / c;
        // The signal line is an EMA of MACD values: only report it once it has seen `signal_period` of them.
        if (ind.signal.isStable) {
          signal[i] = r.signal / c;
          histogram[i] = r.histogram / c;
        }
      };
    }
    case 'bbands': {
      const ind = new BollingerBands(p('period'), p('std_dev'));
      const [upper, middle, lower, width, percentB] = ['upper', 'middle', 'lower', 'width', 'percent_b'].map((n) => col(out, n)) as [
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
      ];
      return (i) => {
        const r = ind.add(close[i]!);
        if (!r) return;
        upper[i] = r.upper;
        middle[i] = r.middle;
        lower[i] = r.lower;
        const span = r.upper - r.lower;
        width[i] = span / r.middle;
        // Flat prices collapse the bands: the close sits on the middle, so %B is 0.5 rather than 0/0.
        percentB[i] = span === 0 ? 0.5 : (close[i]! - r.lower) / span;
      };
    }
    case 'atr': {
      const ind = new ATR(p('period'));
      const value = col(out, 'value');
      const percent = col(out, 'percent');
      return (i) => {
        const v = ind.add(hlc(b, i));
        if (v === null) return;
        value[i] = v;
        percent[i] = v / close[i]!;
      };
    }
    case 'stochastic': {
      const ind = new StochasticOscillator({ kPeriod: p('k_period'), dPeriod: p('d_period'), kSlowingPeriod: p('smooth') });
      const k = col(out, 'k');
      const d = col(out, 'd');
      return (i) => {
        const r = ind.add(hlc(b, i));
        if (!r) return;
        k[i] = r.stochK;
        d[i] = r.stochD;
      };
    }
    case 'roc': {
      const ind = new ROC(p('period'));
      const value = col(out, 'value');
      return (i) => {
        const v = ind.add(close[i]!);
        if (v !== null) value[i] = v * 100;
      };
    }
    case 'cci': {
      const ind = new CCI(p('period'));
      const value = col(out, 'value');
      return (i) => {
        const v = ind.add(hlc(b, i));
        if (v === null) return;
        // A flat window has zero mean deviation and a zero numerator (0/0): CCI is 0 there, not missing.
        value[i] = Number.isFinite(v) ? v : 0;
      };
    }
    case 'williams_r': {
      const ind = new WilliamsR(p('period'));
      const value = col(out, 'value');
      return (i) => {
        value[i] = ind.add(hlc(b, i)) ?? Number.NaN;
      };
    }
    case 'adx': {
      const ind = new ADX(p('period'));
      const adx = col(out, 'adx');
      const plus = col(out, 'plus_di');
      const minus = col(out, 'minus_di');
      return (i) => {
        adx[i] = ind.add(hlc(b, i)) ?? Number.NaN;
        // pdi/mdi are set once the directional movement averages are stable, and updated on every bar after.
        const pdi = ind.pdi;
        const mdi = ind.mdi;
        if (typeof pdi === 'number' && typeof mdi === 'number') {
          plus[i] = pdi * 100;
          minus[i] = mdi * 100;
        }
      };
    }
    case 'obv': {
      const period = p('period');
      // OBV with a two-bar window compares each close with the previous one; bar 0 has no
      // previous close, and OBV starts from 0 there (as the library's running sum assumes).
      const ind = new OBV(2);
      const avgVolume = new SMA(period);
      const obv = new Float64Array(b.close.length);
      const slope = col(out, 'slope');
      return (i) => {
        obv[i] = ind.add({ open: b.open[i]!, high: b.high[i]!, low: b.low[i]!, close: close[i]!, volume: b.volume[i]! }) ?? 0;
        const avg = avgVolume.add(b.volume[i]!);
        if (i < period || avg === null) return;
        const change = obv[i]! - obv[i - period]!;
        // No volume in the window means no OBV change either: a flat slope, not 0/0.
        slope[i] = avg === 0 ? 0 : change / avg;
      };
    }
  }
}

/** The outputs of one indicator over `bars`. */
export async function computeIndicator(bars: Bars, cfg: IndicatorConfig, signal?: AbortSignal): Promise<Outputs> {
  const n = bars.close.length;
  const out = allocate(cfg.type, n);
  const step = stepperFor(cfg, bars, out);
  await forEachChunk(
    n,
    (start, end) => {
      for (let i = start; i < end; i++) step(i);
    },
    signal,
  );
  return out;
}

/**
 * Every output of every indicator in `indicators` (the strategy's `indicators` map, defaults filled
 * in by the schema): `result[id][output]` is a Float64Array aligned with the bars, NaN during warm-up.
 */
export async function computeIndicators(bars: Bars, indicators: StrategyConfig['indicators'], signal?: AbortSignal): Promise<IndicatorOutputs> {
  const result: IndicatorOutputs = {};
  for (const [id, cfg] of Object.entries(indicators)) result[id] = await computeIndicator(bars, cfg, signal);
  return result;
}
