import { budgetLines } from './budget.format';

const base = { date: '2026-03-10', input_tokens: 12_000, output_tokens: 3_000, calls: 2 };

describe('budgetLines', () => {
  it('shows spend against the limit and what remains', () => {
    expect(budgetLines({ ...base, spent_usd: 0.081, limit_usd: 5, remaining_usd: 4.919 })).toEqual([
      'LLM budget for 2026-03-10 (UTC)',
      '  Spent:     $0.0810 of $5.00 (1.6%)',
      '  Remaining: $4.9190',
      '  Calls:     2 (12,000 input / 3,000 output tokens)',
      '  Resets at 00:00 UTC.',
    ]);
  });

  it('says when the budget is exhausted', () => {
    expect(budgetLines({ ...base, spent_usd: 5.2, limit_usd: 5, remaining_usd: 0 }).at(-1)).toBe(
      '  Budget exhausted: new research cycles are refused until 00:00 UTC.',
    );
  });

  it('says how to set a limit when there is none', () => {
    expect(budgetLines({ ...base, spent_usd: 1.5, limit_usd: 0, remaining_usd: null })).toEqual([
      'LLM budget for 2026-03-10 (UTC)',
      '  Spent:     $1.5000 (no daily limit; set KTRDR_DAILY_BUDGET_USD to cap it)',
      '  Calls:     2 (12,000 input / 3,000 output tokens)',
    ]);
  });
});
