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
 *
 * Verdict:
 * - **poor** when the score is ≤ −2, or the strategy lost money with a negative Sharpe ratio;
 * - **promising** when the score is ≥ 4 with Sharpe ≥ 0.5, a positive return, at least 5 trades and
 *   test accuracy above always predicting the test bars' most frequent class (skill);
 * - **mediocre** otherwise.
 *
 * Strengths are the criteria scoring above 0 (best first, at most 4), weaknesses those below 0
 * (worst first, at most 4); each quotes its number and the band it fell in. A list shorter than 2
 * is filled with neutral findings that lean its way (e.g. "enough trades" is a strength, "barely
 * profitable trades" a weakness), then with the least weak point (strengths) or caveats about the
 * evidence (weaknesses). Suggestions (2–4) follow from the weaknesses in a fixed priority (no model edge, few trades,
 * deep drawdown, low win rate, losers outweigh winners, trailing buy-and-hold), then generic next
 * steps (refine a promising design; re-test on another window).
 */
import { throwIfAborted, type Assessment, type Verdict } from '@ktrdr/agent-domain';
import type { AssessInput, AssessOutcome, CallOptions, StrategyAssessor } from './llm.types.js';

interface Finding {
  score: number;
  text: string;
  /** Where a neutral (score 0) finding may fill a short list. */
  side?: 'strength' | 'weakness';
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const pts = (v: number): string => `${(v * 100).toFixed(1)} points`;

function findings(input: AssessInput): Finding[] {
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
  const edge = t.accuracy - t.baseline_accuracy;
  const acc = `test accuracy ${pct(t.accuracy)} vs ${pct(t.baseline_accuracy)} for always predicting the test bars' most frequent class`;
  out.push(
    edge >= 0.05
      ? { score: 1, text: `The model has an edge: ${acc} (+${pts(edge)})` }
      : edge >= 0.01
        ? { score: 0, side: 'weakness', text: `The model's edge is small: ${acc} (+${pts(edge)})` }
        : { score: -1, text: `The model has no edge: ${acc} (${edge >= 0 ? '+' : ''}${pts(edge)})` },
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
  return out;
}

export function verdictOf(score: number, input: AssessInput): Verdict {
  const b = input.backtest;
  if (score <= -2 || (b.total_return <= 0 && b.sharpe_ratio < 0)) return 'poor';
  const skill = input.training.accuracy > input.training.baseline_accuracy;
  if (score >= 4 && skill && b.sharpe_ratio >= 0.5 && b.total_return > 0 && b.total_trades >= 5) return 'promising';
  return 'mediocre';
}

function suggestions(input: AssessInput, verdict: Verdict): string[] {
  const { strategy: c, training: t, backtest: b } = input;
  const out: string[] = [];
  const threshold = c.decisions.confidence_threshold.toFixed(2);
  const edge = t.accuracy - t.baseline_accuracy;
  if (edge < 0.01) {
    out.push(
      `Test accuracy ${pct(t.accuracy)} is no better than the ${pct(t.baseline_accuracy)} of always predicting the test bars' most frequent class: try indicators with more signal, or a larger ZigZag threshold (now ${pct(c.training.labels.zigzag_threshold)}) for clearer swings.`,
    );
  }
  if (b.total_trades < 20) {
    out.push(`Only ${b.total_trades} trades: lower decisions.confidence_threshold (now ${threshold}) or use a longer backtest window to gather more evidence.`);
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

export function assessOffline(input: AssessInput): Assessment {
  const all = findings(input);
  const score = all.reduce((s, f) => s + f.score, 0);
  const verdict = verdictOf(score, input);
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
  for (const f of byScore.filter((x) => x.score < 0 && !weaknesses.includes(x.text))) if (strengths.length < 2) strengths.push(`Least weak point: ${f.text}`);
  for (const f of neutral('weakness')) if (weaknesses.length < 2 && !strengths.includes(f.text)) weaknesses.push(f.text);
  const b = input.backtest;
  const caveats = [
    `The evidence is one backtest with ${b.total_trades} trades${b.start && b.end ? ` (${b.start.slice(0, 10)} to ${b.end.slice(0, 10)})` : ''}; it may not hold on another window or symbol`,
    input.training.accuracy > input.training.baseline_accuracy
      ? `Test accuracy ${pct(input.training.accuracy)} is ${pts(input.training.accuracy - input.training.baseline_accuracy)} above always predicting the test bars' most frequent class: a modest margin for a classifier`
      : `Test accuracy ${pct(input.training.accuracy)} is not above always predicting the test bars' most frequent class (${pct(input.training.baseline_accuracy)}): the model shows no skill`,
  ];
  for (const c of caveats) if (weaknesses.length < 2) weaknesses.push(c);
  return { verdict, strengths, weaknesses, suggestions: suggestions(input, verdict) };
}

export class OfflineAssessor implements StrategyAssessor {
  readonly kind = 'offline' as const;

  async assess(input: AssessInput, { signal }: CallOptions): Promise<AssessOutcome> {
    throwIfAborted(signal);
    return { assessment: assessOffline(input), source: 'offline', model: null, usage: { input_tokens: 0, output_tokens: 0 }, cost_usd: 0, turns: 0 };
  }
}
