import { seededRandom } from '@ktrdr/agent-domain';
import { randomWalk } from './bars.fixture';
import { simulateSync } from './backtest.simulator';
import {
  backtestSignificance,
  compoundedReturn,
  momentsOf,
  normalCdf,
  probabilisticSharpeRatio,
  randomEntryPValue,
  sharpeBootstrapInterval,
  tradeReturn,
  type TradeSpan,
} from './significance';

const NO_COSTS = { commission: 0, slippage: 0 };

/** A seeded random walk of prices (steps of ±1 % at most), no drift. */
function walk(n: number, seed: number, drift = 0): Float64Array {
  const random = seededRandom(seed);
  const prices = new Float64Array(n);
  let p = 100;
  for (let i = 0; i < n; i++) {
    prices[i] = p;
    p *= 1 + drift + (random() - 0.5) * 0.02;
  }
  return prices;
}

/** k random non-overlapping long trades of 5-20 bars: a strategy whose entries know nothing. */
function randomTrades(n: number, k: number, seed: number): TradeSpan[] {
  const random = seededRandom(seed);
  const trades: TradeSpan[] = [];
  let at = 0;
  for (let j = 0; j < k && at < n - 25; j++) {
    const entry = at + Math.floor(random() * 20);
    const exit = Math.min(n - 1, entry + 5 + Math.floor(random() * 15));
    trades.push({ entry, exit, side: 'long' });
    at = exit + 1;
  }
  return trades;
}

describe('the normal CDF', () => {
  it('matches tabulated values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1)).toBeCloseTo(0.8413447461, 7);
    expect(normalCdf(-1.96)).toBeCloseTo(0.0249978951, 7);
    expect(normalCdf(3)).toBeCloseTo(0.998650102, 7);
  });
});

describe('the Probabilistic Sharpe Ratio', () => {
  it('equals the value computed by hand', () => {
    // Returns 1 %, 2 %, −1 %, 3 %, 0 %: mean 0.01; deviations 0, .01, −.02, .02, −.01, Σd² = 0.001,
    // sample std √(0.001/4) = 0.0158114, SR = 0.632456; m₂ = 2e-4, m₃ = 0 (skew 0), m₄ = 6.8e-8,
    // kurtosis 6.8e-8 / 4e-8 = 1.7. z = 0.632456·√4 / √(1 − 0 + (1.7 − 1)/4 · 0.4) = 1.264911 / √1.07
    // = 1.222836, and Φ(1.222836) = 0.889304.
    const r = [0.01, 0.02, -0.01, 0.03, 0];
    const m = momentsOf(r);
    expect(m.mean).toBeCloseTo(0.01, 12);
    expect(m.std).toBeCloseTo(0.0158113883, 9);
    expect(m.skew).toBeCloseTo(0, 12);
    expect(m.kurtosis).toBeCloseTo(1.7, 12);
    expect(probabilisticSharpeRatio(r)).toBeCloseTo(0.889304, 5);
  });

  it('is one half when the observed Sharpe equals the benchmark, and falls as the benchmark rises', () => {
    const r = [0.01, 0.02, -0.01, 0.03, 0];
    const sr = momentsOf(r).mean / momentsOf(r).std;
    expect(probabilisticSharpeRatio(r, sr)).toBeCloseTo(0.5, 6);
    expect(probabilisticSharpeRatio(r, 1)).toBeLessThan(0.5);
  });

  it('has nothing to say about a flat or too short series', () => {
    expect(Number.isNaN(probabilisticSharpeRatio([0, 0, 0, 0]))).toBe(true);
    expect(Number.isNaN(probabilisticSharpeRatio([0.01, 0.02]))).toBe(true);
  });
});

describe('the stationary bootstrap interval of the Sharpe ratio', () => {
  it('covers a known Sharpe ratio about 95 % of the time', () => {
    // 60 series of 250 normal returns with per-bar Sharpe 0.1 (Box–Muller from a seeded stream).
    const trueSharpe = 0.1;
    let covered = 0;
    const series = 60;
    for (let s = 0; s < series; s++) {
      const random = seededRandom(1000 + s);
      const r = new Float64Array(250);
      for (let i = 0; i < r.length; i++) {
        const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
        r[i] = 0.01 * (trueSharpe + z);
      }
      const [lo, hi] = sharpeBootstrapInterval(r, { samples: 250, seed: s });
      if (lo <= trueSharpe && trueSharpe <= hi) covered++;
    }
    expect(covered / series).toBeGreaterThan(0.88);
    expect(covered / series).toBeLessThanOrEqual(1);
  });

  it('is seeded, ordered, and scaled like the Sharpe ratio it brackets', () => {
    const r = Array.from({ length: 200 }, (_, i) => Math.sin(i) * 0.01 + 0.001);
    const a = sharpeBootstrapInterval(r, { seed: 7 });
    expect(sharpeBootstrapInterval(r, { seed: 7 })).toEqual(a);
    expect(a[0]).toBeLessThan(a[1]);
    const scaled = sharpeBootstrapInterval(r, { seed: 7, scale: 10 });
    expect(scaled[0]).toBeCloseTo(a[0] * 10, 9);
  });
});

describe('the random-entry baseline', () => {
  it('charges both legs of a trade', () => {
    expect(tradeReturn([100, 110], { entry: 0, exit: 1, side: 'long' }, NO_COSTS)).toBeCloseTo(0.1, 12);
    expect(tradeReturn([100, 90], { entry: 0, exit: 1, side: 'short' }, NO_COSTS)).toBeCloseTo(0.1, 12);
    // 1 % slippage and 0.1 % commission on each leg: 110·0.99·0.999 / (100·1.01·1.001) − 1.
    expect(tradeReturn([100, 110], { entry: 0, exit: 1, side: 'long' }, { commission: 0.001, slippage: 0.01 })).toBeCloseTo(
      (110 * 0.99 * 0.999) / (100 * 1.01 * 1.001) - 1,
      12,
    );
    expect(
      compoundedReturn(
        [100, 110, 121],
        [
          { entry: 0, exit: 1, side: 'long' },
          { entry: 1, exit: 2, side: 'long' },
        ],
        NO_COSTS,
      ),
    ).toBeCloseTo(0.21, 12);
  });

  it('gives a small p-value to a strategy with a planted edge', () => {
    // Long exactly over the rising stretches of a random walk: entries that know the future.
    const prices = walk(1000, 3);
    const trades: TradeSpan[] = [];
    for (let i = 0; i + 10 < prices.length && trades.length < 30; i += 30) {
      if (prices[i + 10]! > prices[i]! * 1.02) trades.push({ entry: i, exit: i + 10, side: 'long' });
    }
    expect(trades.length).toBeGreaterThan(5);
    const result = randomEntryPValue(prices, trades, { commission: 0.0005, slippage: 0.0005 }, { simulations: 1000, seed: 1 });
    expect(result.strategy_return).toBeGreaterThan(0.1);
    expect(result.p_value).toBeLessThan(0.01);
  });

  it('calls at most 15 % of 50 pure random walks significant at 5 %', () => {
    let significant = 0;
    for (let s = 0; s < 50; s++) {
      const prices = walk(1000, 100 + s);
      const trades = randomTrades(prices.length, 20, 500 + s);
      if (randomEntryPValue(prices, trades, NO_COSTS, { simulations: 500, seed: s }).p_value < 0.05) significant++;
    }
    expect(significant / 50).toBeLessThanOrEqual(0.15);
  });

  it('is (1 + #{≥}) / (1 + M): never zero, one for a strategy that never traded', () => {
    const prices = walk(200, 9);
    const best = randomEntryPValue(prices, [{ entry: 0, exit: 1, side: 'long' }], NO_COSTS, { simulations: 99, seed: 2 });
    expect(best.p_value).toBeGreaterThanOrEqual(1 / 100);
    expect(randomEntryPValue(prices, [], NO_COSTS).p_value).toBe(1);
  });

  it('runs 1,000 simulations of a strategy on 1,000 bars with the same seed to the same p-value', () => {
    const prices = walk(1000, 11);
    const trades = randomTrades(prices.length, 40, 12);
    const a = randomEntryPValue(prices, trades, NO_COSTS, { seed: 5 });
    expect(a.simulations).toBe(1000);
    expect(randomEntryPValue(prices, trades, NO_COSTS, { seed: 5 })).toEqual(a);
  });
});

describe("one backtest's significance", () => {
  it('books each trade exactly as the simulator does, so the strategy is measured like its random runs', () => {
    const { bars, signals } = randomWalk(3000, 42, 0.03);
    for (const positionMode of ['long_only', 'long_short'] as const) {
      const run = simulateSync({ bars, signals, positionMode, initialCapital: 10_000, commission: 0.001, slippage: 0.0005 });
      expect(run.trades.length).toBeGreaterThan(20);
      const prices = Float64Array.from([...bars.open, bars.close[bars.close.length - 1]!]);
      const spans = run.trades.map((t) => ({ entry: t.entry_index, exit: t.open_at_end ? bars.open.length : t.exit_index, side: t.side }));
      const final = run.equity[run.equity.length - 1]!;
      expect(compoundedReturn(prices, spans, { commission: 0.001, slippage: 0.0005 })).toBeCloseTo(final / 10_000 - 1, 9);
    }
  });

  it('reports the p-value, PSR and Sharpe interval of a run, and nothing to judge for a curve that never moved', () => {
    const { bars, signals } = randomWalk(2000, 7, 0.03);
    const run = simulateSync({ bars, signals, positionMode: 'long_only', initialCapital: 10_000, commission: 0.001, slippage: 0 });
    const sig = backtestSignificance(
      [{ open: bars.open, close: bars.close, trades: run.trades }],
      run.equity,
      10_000,
      { commission: 0.001, slippage: 0 },
      { barsPerYear: 8766, seed: 1 },
    );
    expect(sig.random_entry_simulations).toBe(1000);
    expect(sig.random_entry_p_value).toBeGreaterThan(0);
    expect(sig.random_entry_p_value).toBeLessThanOrEqual(1);
    expect(sig.psr).toBeGreaterThan(0);
    expect(sig.sharpe_ci95![0]).toBeLessThan(sig.sharpe_ci95![1]);
    const idle = backtestSignificance(
      [{ open: bars.open, close: bars.close, trades: [] }],
      new Float64Array(2000).fill(10_000),
      10_000,
      { commission: 0, slippage: 0 },
      { barsPerYear: 8766 },
    );
    expect(idle).toEqual({ random_entry_p_value: 1, random_entry_simulations: 1000, psr: null, sharpe_ci95: null });
  });
});
