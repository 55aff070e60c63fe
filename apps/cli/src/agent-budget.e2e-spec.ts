/**
 * End to end: the built `ktrdr` binary shows the daily LLM budget and renders the 429 refusal.
 * Needs `npx tsc -b apps/api apps/cli` first.
 */
import { runKtrdr } from '../../../tools/testing/cli.runner';
import { startStack, type Stack } from '../../../tools/testing/stack.harness';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ workers: [], apiEnv: { KTRDR_DAILY_BUDGET_USD: '2' } });
});
afterAll(async () => {
  await stack?.stop();
});

const ktrdr = (args: string[]) => runKtrdr(args, { apiUrl: stack.apiUrl });

describe('ktrdr agent budget', () => {
  it('shows the spend, then refuses a trigger once the budget is spent', async () => {
    // What workers record after Claude calls (the CLI may not import the Redis-side ledger, so the
    // day's hash is written as BudgetLedger lays it out: RedisKeys.budgetDay).
    const day = `${stack.prefix}:{budget}:day:${new Date().toISOString().slice(0, 10)}`;
    await stack.redis.hset(day, { spent_usd: '0.24', input_tokens: '40000', output_tokens: '8000', calls: '1' });

    const human = await ktrdr(['agent', 'budget']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('  Spent:     $0.2400 of $2.00 (12.0%)');
    expect(human.stdout).toContain('  Calls:     1 (40,000 input / 8,000 output tokens)');

    const json = await ktrdr(['agent', 'budget', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ spent_usd: 0.24, limit_usd: 2, remaining_usd: 1.76, calls: 1 });

    await stack.redis.hincrbyfloat(day, 'spent_usd', 2);
    const refused = await ktrdr(['agent', 'trigger']);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toContain('Cannot trigger: Daily LLM budget exhausted');
    expect(refused.stdout).toContain('Daily LLM budget exhausted: $2.2400 of $2.00 spent on');
  });
});
