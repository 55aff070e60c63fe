import type { BudgetInfo } from '@ktrdr/api-contract';

const usd = (v: number, digits = 4): string => `$${v.toFixed(digits)}`;
const int = (v: number): string => Math.round(v).toLocaleString('en-US');

/** `ktrdr agent budget`: today's LLM spend against the daily limit. */
export function budgetLines(b: BudgetInfo): string[] {
  const limited = b.limit_usd > 0;
  const share = limited ? ` (${((b.spent_usd / b.limit_usd) * 100).toFixed(1)}%)` : '';
  const lines = [
    `LLM budget for ${b.date} (UTC)`,
    limited
      ? `  Spent:     ${usd(b.spent_usd)} of ${usd(b.limit_usd, 2)}${share}`
      : `  Spent:     ${usd(b.spent_usd)} (no daily limit; set KTRDR_DAILY_BUDGET_USD to cap it)`,
  ];
  if (limited) lines.push(`  Remaining: ${usd(b.remaining_usd ?? Math.max(0, b.limit_usd - b.spent_usd))}`);
  lines.push(`  Calls:     ${int(b.calls)} (${int(b.input_tokens)} input / ${int(b.output_tokens)} output tokens)`);
  if (limited && b.spent_usd >= b.limit_usd) lines.push('  Budget exhausted: new research cycles are refused until 00:00 UTC.');
  else if (limited) lines.push('  Resets at 00:00 UTC.');
  return lines;
}
