import { strategyToYaml } from '@ktrdr/agent-domain';
import type { AssessInput } from './llm.types.js';
import { DEFAULT_PROMISING_MAX_P_VALUE, checkPromising, majorityBaseline, promisingRuleText } from './promising.rule.js';

export const SAVE_ASSESSMENT_TOOL = 'save_assessment';

export const ASSESSMENT_SYSTEM = [
  'You are a sceptical quantitative reviewer inside ktrdr. You judge one trading strategy from its training and backtest numbers.',
  `Save your judgement by calling the ${SAVE_ASSESSMENT_TOOL} tool once. Do not answer in prose.`,
].join('\n');

const pct = (v: number | null | undefined): string => (typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : 'n/a');
const num = (v: number | null | undefined, digits = 2): string => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

/** The strategy without its long free texts (they are summarised in the header). */
function strategyYaml(input: AssessInput): string {
  const { description: _d, hypothesis: _h, ...rest } = input.strategy;
  return strategyToYaml(rest).trimEnd();
}

/** A multi-symbol backtest's sleeves, one line each, under the portfolio's numbers. */
function perSymbol(b: AssessInput['backtest']): string {
  const sleeves = b.per_symbol ?? [];
  if (sleeves.length < 2) return '';
  const lines = sleeves.map(
    (s) =>
      `  - ${s.symbol}: return ${pct(s.total_return)} (buy-and-hold ${pct(s.benchmark_return)}); Sharpe ${num(s.sharpe_ratio)}; max drawdown ${pct(s.max_drawdown)}; ${s.total_trades} trades, win rate ${pct(s.win_rate)}`,
  );
  return `\n- the numbers above are a portfolio of ${sleeves.length} equal-weight sleeves, one per symbol:\n${lines.join('\n')}`;
}

/** Could it be luck, and what the trades cost: the lines present in the result. */
function significance(b: AssessInput['backtest']): string {
  const lines: string[] = [];
  const p = b.random_entry_p_value;
  if (p !== undefined) {
    const runs = b.random_entry_simulations !== undefined ? `${b.random_entry_simulations} runs` : 'the runs';
    lines.push(`- random entries (same bars, as many trades, same holds and costs) did at least as well in ${pct(p)} of ${runs} (p ${num(p, 3)})`);
  } else lines.push('- random-entry p-value: not measured (nothing shows the result beats random entries)');
  if (b.psr !== undefined) lines.push(`- probabilistic Sharpe ratio (chance the true Sharpe is above 0): ${b.psr === null ? 'n/a' : num(b.psr)}`);
  if (b.costs_paid !== undefined) {
    const share = b.initial_capital ? ` (${pct(b.costs_paid / b.initial_capital)} of the initial capital)` : '';
    lines.push(`- costs paid, commission plus slippage: ${num(b.costs_paid)}${share}`);
  }
  return `\n${lines.join('\n')}`;
}

/** The walk-forward numbers, when the result has them: folds, their dispersion, seeds, regimes. */
function walkForward(b: AssessInput['backtest']): string {
  const wf: string[] = [];
  const plan = b.evaluation;
  if (plan) wf.push(`- ${plan.scheme} windows, ${plan.folds} folds, purge ${plan.purge} bars, embargo ${plan.embargo} bars, ${plan.seeds} training seeds`);
  const d = b.fold_dispersion;
  if (d) {
    wf.push(
      `- folds with a positive return: ${Math.round(d.positive_share * d.folds)} of ${d.folds} (${pct(d.positive_share)}); fold returns mean ${pct(d.return_mean)} (std ${pct(d.return_std)}), worst ${pct(d.worst_return)}, best ${pct(d.best_return)}; fold Sharpe mean ${num(d.sharpe_mean)} (std ${num(d.sharpe_std)})`,
    );
  }
  for (const f of (b.folds ?? []).slice(0, 12)) {
    wf.push(
      `  - fold ${f.fold} (${f.start.slice(0, 10)} → ${f.end.slice(0, 10)}): return ${pct(f.total_return)} (buy-and-hold ${pct(f.benchmark_return)}); Sharpe ${num(f.sharpe_ratio)}; ${f.total_trades} trades`,
    );
  }
  const r = b.seed_robustness;
  if (r) {
    const seeds = r.seeds.map((x) => `seed ${x.seed} ${pct(x.total_return)}`).join(', ');
    wf.push(`- training seeds profitable out of sample: ${r.profitable} of ${r.seeds.length} (${pct(r.share)}): ${seeds}`);
  }
  const regimes = (b.regimes ?? []).map(
    (x) =>
      `- ${x.regime}: ${pct(x.share)} of the bars; return ${pct(x.total_return)} vs buy-and-hold ${pct(x.benchmark_return)}; Sharpe ${num(x.sharpe_ratio)}; in the market ${pct(x.exposure)}`,
  );
  let out = '';
  if (wf.length > 0) out += `\n\n# Walk-forward evaluation (the numbers above are its test folds stitched together)\n${wf.join('\n')}`;
  if (regimes.length > 0) {
    out += `\n\n# By market regime (trailing return up or down; trailing volatility above or below its running median)\n${regimes.join('\n')}`;
  }
  return out;
}

/** The promising rule and whether these numbers meet it, so the verdict is asked for with it in view. */
function rule(input: AssessInput, maxPValue: number): string {
  const check = checkPromising(input, maxPValue);
  return check.allowed
    ? `- the numbers meet the minimum for "promising" (${promisingRuleText(maxPValue)}); whether they are convincing is your call.`
    : `- "promising" is ruled out here: ${check.reasons.join('; ')} (${promisingRuleText(maxPValue)}).`;
}

/** The assessment request; `maxPValue` is the promising rule's bound (the backtest gate's threshold). */
export function assessmentPrompt(input: AssessInput, maxPValue = DEFAULT_PROMISING_MAX_P_VALUE): string {
  const { strategy: s, training: t, backtest: b } = input;
  const excess = b.total_return - b.benchmark_return;
  const baseline = majorityBaseline(t);
  return `# Strategy ${s.name}
Hypothesis: ${s.hypothesis.slice(0, 1000) || '(none given)'}

\`\`\`yaml
${strategyYaml(input)}
\`\`\`

# Training (held-out test part)
- test accuracy: ${pct(t.accuracy)} (always predicting the test bars' most frequent class would score ${pct(baseline)}; edge ${pct(t.accuracy - baseline)}; an edge of zero or less means no skill)
- validation loss: ${num(t.initial_loss, 3)} before training → ${num(t.final_loss, 3)} at the kept epoch${t.val_accuracy !== undefined ? `\n- validation accuracy: ${pct(t.val_accuracy)}` : ''}${t.epochs_run !== undefined ? `\n- epochs run: ${t.epochs_run}` : ''}${t.class_balance ? `\n- label balance: BUY ${pct(t.class_balance.BUY)}, HOLD ${pct(t.class_balance.HOLD)}, SELL ${pct(t.class_balance.SELL)}` : ''}

# Backtest on unseen bars${b.symbol ? ` (${b.symbol} ${b.timeframe ?? ''} ${b.start?.slice(0, 10) ?? ''} → ${b.end?.slice(0, 10) ?? ''})` : ''}
- total return: ${pct(b.total_return)}; buy-and-hold: ${pct(b.benchmark_return)}; difference: ${pct(excess)}
- Sharpe ratio: ${num(b.sharpe_ratio)}${b.sortino_ratio !== undefined ? `; Sortino: ${num(b.sortino_ratio)}` : ''}
- max drawdown: ${pct(b.max_drawdown)}${b.benchmark_max_drawdown !== undefined ? ` (buy-and-hold: ${pct(b.benchmark_max_drawdown)})` : ''}
- trades: ${b.total_trades}; win rate: ${pct(b.win_rate)}; profit factor: ${b.profit_factor === null ? 'n/a (no losing trade)' : num(b.profit_factor)}${b.exposure !== undefined ? `\n- time in the market: ${pct(b.exposure)}` : ''}${perSymbol(b)}${significance(b)}${walkForward(b)}

# Your judgement
- verdict: "promising" (worth refining: risk-adjusted returns and an edge over the baseline that look real), "mediocre" (some merit, not convincing) or "poor" (no edge, or losses / risk too large).
${rule(input, maxPValue)} A "promising" answer that breaks the rule is saved as "mediocre".
- 2 to 4 strengths, 2 to 4 weaknesses and 2 to 4 concrete suggestions for the next design; each one sentence that quotes the numbers above it rests on (at most 500 characters).
- Judge only from these numbers; few trades, a tiny edge over the baseline, folds or seeds that disagree, or profits from one regime alone are weak evidence. Never call an edge what the accuracy, the p-value or the folds do not show.

Call ${SAVE_ASSESSMENT_TOOL} once.`;
}
