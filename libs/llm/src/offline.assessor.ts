/**
 * Offline assessor: the verdict used without an API key, from a fixed rubric over the metrics.
 *
 * Rubric — each criterion scores points:
 *
 * | criterion                                  | +2      | +1            | 0               | −1                    | −2      |
 * |--------------------------------------------|---------|---------------|-----------------|-----------------------|---------|
 * | Sharpe ratio (backtest)                    | ≥ 1.0   | 0.5 – 1.0     | 0 – 0.5         | −0.5 – 0              | < −0.5  |
 * | max drawdown (fraction of peak equity)     |         | ≤ 15%         | 15% – 30%       | 30% – 40%             | > 40%   |
 * | win rate                                   |         | ≥ 55%         | 45% – 55%       | < 45%                 |         |
 * | profit factor (skipped without trades)     |         | ≥ 1.5, or no losing trade | 1.0 – 1.5 | < 1.0           |         |
 * | number of trades                           |         |               | ≥ 20            | 5 – 19                | < 5     |
 * | model edge: test accuracy − baseline       |         | ≥ +5 points   | +1 – +5 points  | < +1 point            |         |
 * |   (baseline = always the majority class)   |         |               |                 |                       |         |
 * | return − buy-and-hold return               |         | ≥ 0           | −10 – 0 points  | < −10 points          |         |
 * | total return                               |         |               | > 0             | ≤ 0                   |         |
 * | random-entry p-value (when measured)       |         | ≤ max p       |                 | > max p               |         |
 * | walk-forward folds with a positive return  |         | ≥ 2/3         | 1/3 – 2/3       | ≤ 1/3                 |         |
 * |   (when there are ≥ 2 folds)               |         |               |                 |                       |         |
 * | training seeds profitable out of sample    |         | ≥ 2/3         | 1/3 – 2/3       | ≤ 1/3                 |         |
 * |   (when there are ≥ 2 seeds)               |         |               |                 |                       |         |
 *
 * The baseline is `majority_baseline` (`baseline_accuracy` on results from before it existed); max
 * p is the backtest gate's BACKTEST_GATE_MAX_P_VALUE (0.10). Returns by market regime, when present,
 * are a finding scored 0: a strength when the strategy made money in every regime, else a weakness
 * naming the regime where it did worst. A missing p-value is a weakness scored 0.
 *
 * Verdict:
 * - **poor** when the score is ≤ −2, or the strategy lost money with a negative Sharpe ratio;
 * - **promising** when the score is ≥ 4 with Sharpe ≥ 0.5, a positive return, at least 5 trades, and
 *   the promising rule holds (promising.rule.ts): test accuracy above the majority baseline (skill)
 *   and a random-entry p-value ≤ max p (significance);
 * - **mediocre** otherwise.
 *
 * Strengths are the criteria scoring above 0 (best first, at most 4), weaknesses those below 0
 * (worst first, at most 4); each quotes its number and the band it fell in. A list shorter than 2
 * is filled with neutral findings that lean its way (e.g. "enough trades" is a strength, "barely
 * profitable trades" a weakness), then with the least weak point (strengths) or caveats about the
 * evidence (weaknesses). The model-skill finding never fills the strengths as a "least weak point",
 * so a model without skill is never credited with an edge. Suggestions (2–4) follow from the
 * weaknesses in a fixed priority (no model edge, few trades, not significant, deep drawdown, low win
 * rate, losers outweigh winners, trailing buy-and-hold), then generic next steps (refine a promising
 * design; re-test on another window).
 */
import { throwIfAborted, type Assessment, type StrategyConfig, type Verdict } from '@ktrdr/agent-domain';
import type { AssessInput, AssessOutcome, CallOptions, StrategyAssessor } from './llm.types.js';
import { DEFAULT_PROMISING_MAX_P_VALUE, checkPromising, majorityBaseline } from './promising.rule.js';

interface Finding {
  score: number;
  text: string;
  /** Where a neutral (score 0) finding may fill a short list. */
  side?: 'strength' | 'weakness';
  /** Never listed as a "least weak point" strength (the model-skill finding). */
  noStrength?: boolean;
}

export interface OfflineAssessorOptions {
  /** The largest random-entry p-value the promising rule allows (the backtest gate's; default 0.10). */
  maxPValue?: number;
}

/** "3 of 5": a share of a count, as a whole number of them. */
const ofCount = (share: number, n: number): string => `${Math.round(share * n)} of ${n}`;

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const pts = (v: number): string => `${(v * 100).toFixed(1)} points`;

/** The label setting to raise for labels a model can tell apart, per label source. */
function clearerLabels(labels: StrategyConfig['training']['labels']): string {
  switch (labels.source) {
    case 'zigzag':
      return `a larger ZigZag threshold (now ${pct(labels.zigzag_threshold)}) for clearer swings`;
    case 'forward_return':
      return `a larger forward-return threshold (now ${pct(labels.threshold)}) for clearer moves`;
    case 'triple_barrier':
      return `wider triple barriers (now profit_take ${labels.profit_take}, stop_loss ${labels.stop_loss} × volatility) for clearer moves`;
  }
}

function findings(input: AssessInput, maxPValue: number): Finding[] {
  const { training: t, backtest: b } = input;
  const out: Finding[] = [];
  const s = b.sharpe_ratio;
  out.push(
    s >= 1
      ? { score: 2, text: `Sharpe ratio ${s.toFixed(2)}: strong risk-adjusted return (≥ 1.0)` }
      : s >= 0.5
        ? { score: 1, text: `Sharpe ratio ${s.toFixed(2)}: decent risk-adjusted return (0.5–1.0)` }
        : s >= 0
          ? { score: 0, side: 'weakness', text: `Sharpe ratio ${s.toFixed(2)}: weak risk-adjusted return (below 0.5)` }
          : s >= -0.5
            ? { score: -1, text: `Sharpe ratio ${s.toFixed(2)}: negative risk-adjusted return` }
            : { score: -2, text: `Sharpe ratio ${s.toFixed(2)}: clearly negative risk-adjusted return (below -0.5)` },
  );
  const d = b.max_drawdown;
  out.push(
    d <= 0.15
      ? { score: 1, text: `Max drawdown ${pct(d)}: shallow (≤ 15% of peak equity)` }
      : d <= 0.3
        ? { score: 0, text: `Max drawdown ${pct(d)}: moderate (15–30% of peak equity)` }
        : d <= 0.4
          ? { score: -1, text: `Max drawdown ${pct(d)}: deep (30–40% of peak equity)` }
          : { score: -2, text: `Max drawdown ${pct(d)}: too deep (above 40% of peak equity)` },
  );
  const w = b.win_rate;
  out.push(
    w >= 0.55
      ? { score: 1, text: `Win rate ${pct(w)}: most trades win (≥ 55%)` }
      : w >= 0.45
        ? { score: 0, text: `Win rate ${pct(w)}: about even (45–55%)` }
        : { score: -1, text: `Win rate ${pct(w)}: most trades lose (below 45%)` },
  );
  const pf = b.profit_factor;
  if (pf === null) {
    if (b.total_trades > 0) out.push({ score: 1, text: `No losing trade among ${b.total_trades} (profit factor undefined)` });
  } else {
    out.push(
      pf >= 1.5
        ? { score: 1, text: `Profit factor ${pf.toFixed(2)}: winners clearly outweigh losers (≥ 1.5)` }
        : pf >= 1
          ? { score: 0, side: 'weakness', text: `Profit factor ${pf.toFixed(2)}: winners barely outweigh losers (1.0–1.5)` }
          : { score: -1, text: `Profit factor ${pf.toFixed(2)}: losers outweigh winners (below 1.0)` },
    );
  }
  const n = b.total_trades;
  out.push(
    n >= 20
      ? { score: 0, side: 'strength', text: `${n} trades: enough to judge the statistics (≥ 20)` }
      : n >= 5
        ? { score: -1, text: `Only ${n} trades: thin evidence (fewer than 20)` }
        : { score: -2, text: `Only ${n} trades: too few to judge (fewer than 5)` },
  );
  const baseline = majorityBaseline(t);
  const edge = t.accuracy - baseline;
  const acc = `test accuracy ${pct(t.accuracy)} vs ${pct(baseline)} for always predicting the test bars' most frequent class`;
  out.push(
    edge >= 0.05
      ? { score: 1, text: `The model has an edge: ${acc} (+${pts(edge)})` }
      : edge >= 0.01
        ? { score: 0, side: 'weakness', noStrength: true, text: `The model's edge is small: ${acc} (+${pts(edge)})` }
        : { score: -1, noStrength: true, text: `The model has no edge: ${acc} (${edge >= 0 ? '+' : ''}${pts(edge)})` },
  );
  const x = b.total_return - b.benchmark_return;
  const vs = `return ${pct(b.total_return)} vs buy-and-hold ${pct(b.benchmark_return)}`;
  out.push(
    x >= 0
      ? { score: 1, text: `Beats buy-and-hold: ${vs}` }
      : x >= -0.1
        ? { score: 0, side: 'weakness', text: `Close to buy-and-hold: ${vs} (${pts(x)})` }
        : { score: -1, text: `Trails buy-and-hold: ${vs} (${pts(x)})` },
  );
  out.push(
    b.total_return > 0
      ? { score: 0, side: 'strength', text: `Profitable over the backtest: total return ${pct(b.total_return)}` }
      : { score: -1, text: `Lost money over the backtest: total return ${pct(b.total_return)}` },
  );
  const p = b.random_entry_p_value;
  const max = maxPValue.toFixed(2);
  out.push(
    p === undefined
      ? { score: 0, side: 'weakness', text: 'No random-entry p-value: nothing shows the result beats random entries with the same trades and costs' }
      : p <= maxPValue
        ? { score: 1, text: `Random entries did as well in only ${pct(p)} of the runs (p ${p.toFixed(3)} ≤ ${max}): unlikely to be luck` }
        : { score: -1, text: `Random entries did as well in ${pct(p)} of the runs (p ${p.toFixed(3)} > ${max}): it could be luck` },
  );
  out.push(...walkForwardFindings(b));
  return out;
}

/** Findings from the walk-forward numbers, those the result has: folds, seeds, regimes. */
function walkForwardFindings(b: AssessInput['backtest']): Finding[] {
  const out: Finding[] = [];
  const d = b.fold_dispersion;
  if (d && d.folds >= 2) {
    const folds = `${ofCount(d.positive_share, d.folds)} walk-forward folds (returns ${pct(d.worst_return)} to ${pct(d.best_return)})`;
    out.push(
      d.positive_share >= 2 / 3
        ? { score: 1, text: `Consistent across time: positive in ${folds}` }
        : d.positive_share > 1 / 3
          ? { score: 0, side: 'weakness', text: `Uneven across time: positive in only ${folds}` }
          : { score: -1, text: `Inconsistent across time: positive in only ${folds}` },
    );
  }
  const r = b.seed_robustness;
  if (r && r.seeds.length >= 2) {
    const seeds = `${r.profitable} of ${r.seeds.length} training seeds`;
    out.push(
      r.share >= 2 / 3
        ? { score: 1, text: `Robust to the training seed: profitable out of sample under ${seeds}` }
        : r.share > 1 / 3
          ? { score: 0, side: 'weakness', text: `Depends on the training seed: profitable out of sample under only ${seeds}` }
          : { score: -1, text: `Seed luck: profitable out of sample under only ${seeds}` },
    );
  }
  const regimes = b.regimes ?? [];
  if (regimes.length > 0) {
    const worst = regimes.reduce((w, x) => (x.total_return < w.total_return ? x : w));
    const all = regimes.map((x) => `${x.regime} ${pct(x.total_return)} (buy-and-hold ${pct(x.benchmark_return)})`).join(', ');
    out.push(
      worst.total_return > 0
        ? { score: 0, side: 'strength', text: `Made money in every market regime: ${all}` }
        : {
            score: 0,
            side: 'weakness',
            text: `Did worst in ${worst.regime} markets: ${pct(worst.total_return)} over ${worst.bars} bars (buy-and-hold ${pct(worst.benchmark_return)}); by regime: ${all}`,
          },
    );
  }
  return out;
}

export function verdictOf(score: number, input: AssessInput, maxPValue = DEFAULT_PROMISING_MAX_P_VALUE): Verdict {
  const b = input.backtest;
  if (score <= -2 || (b.total_return <= 0 && b.sharpe_ratio < 0)) return 'poor';
  const evidence = checkPromising(input, maxPValue).allowed;
  if (score >= 4 && evidence && b.sharpe_ratio >= 0.5 && b.total_return > 0 && b.total_trades >= 5) return 'promising';
  return 'mediocre';
}

function suggestions(input: AssessInput, verdict: Verdict, maxPValue: number): string[] {
  const { strategy: c, training: t, backtest: b } = input;
  const out: string[] = [];
  const threshold = c.decisions.confidence_threshold.toFixed(2);
  const baseline = majorityBaseline(t);
  const edge = t.accuracy - baseline;
  if (edge < 0.01) {
    out.push(
      `Test accuracy ${pct(t.accuracy)} is no better than the ${pct(baseline)} of always predicting the test bars' most frequent class: try indicators with more signal, or ${clearerLabels(c.training.labels)}.`,
    );
  }
  if (b.total_trades < 20) {
    out.push(`Only ${b.total_trades} trades: lower decisions.confidence_threshold (now ${threshold}) or use a longer backtest window to gather more evidence.`);
  }
  const p = b.random_entry_p_value;
  if (p !== undefined && p > maxPValue) {
    out.push(
      `Random entries with the same trades did as well in ${pct(p)} of the runs: the timing adds little so far; look for inputs that separate good entries from bad ones before tuning the rest.`,
    );
  }
  if (b.max_drawdown > 0.3) {
    out.push(
      `Max drawdown ${pct(b.max_drawdown)}: add a volatility input (ATR percent) or a trend filter (distance to a 100-bar SMA) to stay out of falling markets.`,
    );
  }
  if (b.win_rate < 0.45) out.push(`Win rate ${pct(b.win_rate)}: raise decisions.confidence_threshold (now ${threshold}) so only confident signals trade.`);
  if (b.profit_factor !== null && b.profit_factor < 1) {
    out.push(
      `Profit factor ${b.profit_factor.toFixed(2)}: losers outweigh winners; widen the SELL side of the fuzzy sets or use long_short only if shorts pay.`,
    );
  }
  if (b.total_return < b.benchmark_return - 0.1) {
    out.push(
      `Return ${pct(b.total_return)} trails buy-and-hold ${pct(b.benchmark_return)}: a trend input could keep the strategy invested through rising markets.`,
    );
  }
  const ids = Object.keys(c.indicators).join(', ');
  if (verdict === 'promising') out.push(`Refine around what works: vary the periods of ${ids} and the fuzzy set boundaries near their current values.`);
  out.push(
    `Re-test on another window or symbol (e.g. a SYNTH_* series) before trusting a Sharpe ratio of ${b.sharpe_ratio.toFixed(2)} from ${b.total_trades} trades.`,
  );
  if (out.length < 2) out.push(`Try a different indicator mix than ${ids} to see whether the result holds.`);
  return out.slice(0, 4);
}

export function assessOffline(input: AssessInput, opts: OfflineAssessorOptions = {}): Assessment {
  const maxPValue = opts.maxPValue ?? DEFAULT_PROMISING_MAX_P_VALUE;
  const all = findings(input, maxPValue);
  const score = all.reduce((s, f) => s + f.score, 0);
  const verdict = verdictOf(score, input, maxPValue);
  const byScore = [...all].sort((a, b) => b.score - a.score);
  const neutral = (side: 'strength' | 'weakness') => byScore.filter((f) => f.score === 0 && f.side !== (side === 'strength' ? 'weakness' : 'strength'));

  const worstFirst = [...all].sort((a, b) => a.score - b.score);
  const weaknesses = worstFirst
    .filter((f) => f.score < 0)
    .slice(0, 4)
    .map((f) => f.text);
  const strengths = byScore
    .filter((f) => f.score > 0)
    .slice(0, 4)
    .map((f) => f.text);
  for (const f of neutral('strength')) if (strengths.length < 2) strengths.push(f.text);
  for (const f of byScore.filter((x) => x.score < 0 && !x.noStrength && !weaknesses.includes(x.text)))
    if (strengths.length < 2) strengths.push(`Least weak point: ${f.text}`);
  for (const f of neutral('weakness')) if (weaknesses.length < 2 && !strengths.includes(f.text)) weaknesses.push(f.text);
  const b = input.backtest;
  const t = input.training;
  const baseline = majorityBaseline(t);
  const span = b.start && b.end ? ` (${b.start.slice(0, 10)} to ${b.end.slice(0, 10)})` : '';
  const folds = b.fold_dispersion?.folds ?? b.folds?.length ?? 0;
  const caveats = [
    folds > 1
      ? `The evidence is ${folds} walk-forward test folds with ${b.total_trades} trades in all${span}, on one symbol set; it may not hold on another`
      : `The evidence is one backtest with ${b.total_trades} trades${span}; it may not hold on another window or symbol`,
    t.accuracy > baseline
      ? `Test accuracy ${pct(t.accuracy)} is ${pts(t.accuracy - baseline)} above always predicting the test bars' most frequent class: a modest margin for a classifier`
      : `Test accuracy ${pct(t.accuracy)} is not above always predicting the test bars' most frequent class (${pct(baseline)}): the model shows no skill`,
  ];
  for (const c of caveats) if (weaknesses.length < 2) weaknesses.push(c);
  return { verdict, strengths, weaknesses, suggestions: suggestions(input, verdict, maxPValue) };
}

export class OfflineAssessor implements StrategyAssessor {
  readonly kind = 'offline' as const;

  constructor(private readonly options: OfflineAssessorOptions = {}) {}

  async assess(input: AssessInput, { signal }: CallOptions): Promise<AssessOutcome> {
    throwIfAborted(signal);
    return {
      assessment: assessOffline(input, this.options),
      source: 'offline',
      model: null,
      usage: { input_tokens: 0, output_tokens: 0 },
      cost_usd: 0,
      turns: 0,
    };
  }
}
