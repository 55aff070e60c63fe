import { strategyToYaml } from '@ktrdr/agent-domain';
import type { AssessInput } from './llm.types.js';

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

export function assessmentPrompt(input: AssessInput): string {
  const { strategy: s, training: t, backtest: b } = input;
  const excess = b.total_return - b.benchmark_return;
  return `# Strategy ${s.name}
Hypothesis: ${s.hypothesis.slice(0, 1000) || '(none given)'}

\`\`\`yaml
${strategyYaml(input)}
\`\`\`

# Training (held-out test part)
- test accuracy: ${pct(t.accuracy)} (always predicting the test bars' most frequent class would score ${pct(t.baseline_accuracy)}; edge ${pct(t.accuracy - t.baseline_accuracy)}; an edge of zero or less means no skill)
- validation loss: ${num(t.initial_loss, 3)} before training → ${num(t.final_loss, 3)} at the kept epoch${t.val_accuracy !== undefined ? `\n- validation accuracy: ${pct(t.val_accuracy)}` : ''}${t.epochs_run !== undefined ? `\n- epochs run: ${t.epochs_run}` : ''}${t.class_balance ? `\n- label balance: BUY ${pct(t.class_balance.BUY)}, HOLD ${pct(t.class_balance.HOLD)}, SELL ${pct(t.class_balance.SELL)}` : ''}

# Backtest on unseen bars${b.symbol ? ` (${b.symbol} ${b.timeframe ?? ''} ${b.start?.slice(0, 10) ?? ''} → ${b.end?.slice(0, 10) ?? ''})` : ''}
- total return: ${pct(b.total_return)}; buy-and-hold: ${pct(b.benchmark_return)}; difference: ${pct(excess)}
- Sharpe ratio: ${num(b.sharpe_ratio)}${b.sortino_ratio !== undefined ? `; Sortino: ${num(b.sortino_ratio)}` : ''}
- max drawdown: ${pct(b.max_drawdown)}${b.benchmark_max_drawdown !== undefined ? ` (buy-and-hold: ${pct(b.benchmark_max_drawdown)})` : ''}
- trades: ${b.total_trades}; win rate: ${pct(b.win_rate)}; profit factor: ${b.profit_factor === null ? 'n/a (no losing trade)' : num(b.profit_factor)}${b.exposure !== undefined ? `\n- time in the market: ${pct(b.exposure)}` : ''}${perSymbol(b)}

# Your judgement
- verdict: "promising" (worth refining: risk-adjusted returns and an edge over the baseline that look real), "mediocre" (some merit, not convincing) or "poor" (no edge, or losses / risk too large).
- 2 to 4 strengths, 2 to 4 weaknesses and 2 to 4 concrete suggestions for the next design; each one sentence that quotes the numbers above it rests on (at most 500 characters).
- Judge only from these numbers; few trades or a tiny edge over the baseline are weak evidence.

Call ${SAVE_ASSESSMENT_TOOL} once.`;
}
