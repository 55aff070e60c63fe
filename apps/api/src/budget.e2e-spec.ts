import { BudgetLedger } from '@ktrdr/operations';
import { startStack, type Stack } from '../../../tools/testing/stack.harness';

// The built API (npx tsc -b apps/api) with a $1 daily budget and no worker: only the HTTP contract.
let stack: Stack;
let ledger: BudgetLedger;

beforeAll(async () => {
  stack = await startStack({ workers: [], apiEnv: { KTRDR_DAILY_BUDGET_USD: '1' } });
  ledger = new BudgetLedger(stack.redis, stack.prefix, { limitUsd: 1 });
});
afterAll(async () => {
  await stack?.stop();
});

const today = (): string => new Date().toISOString().slice(0, 10);

describe('API: daily LLM budget', () => {
  it("GET /agent/budget reports today's spend against the limit", async () => {
    const before = await stack.request('GET', '/agent/budget');
    expect(before).toEqual({
      status: 200,
      body: { date: today(), spent_usd: 0, limit_usd: 1, remaining_usd: 1, input_tokens: 0, output_tokens: 0, calls: 0, enabled: true },
    });
    // What a worker records after a Claude call.
    await ledger.record({ input_tokens: 12_000, output_tokens: 3_000 }, 0.081);
    const after = await stack.request('GET', '/agent/budget');
    expect(after.body).toMatchObject({ spent_usd: 0.081, remaining_usd: 0.919, input_tokens: 12_000, output_tokens: 3_000, calls: 1 });
  });

  it("refuses a trigger with 429 budget_exhausted once the day's budget is spent, creating nothing", async () => {
    await ledger.record({ input_tokens: 300_000, output_tokens: 60_000 }, 1.8);
    const res = await stack.request<Record<string, unknown>>('POST', '/agent/trigger', { brief: 'RSI' });
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({
      triggered: false,
      reason: 'budget_exhausted',
      message: `Daily LLM budget exhausted: $1.8810 of $1.00 spent on ${today()} (UTC); it resets at 00:00 UTC`,
      spent_usd: 1.881,
      limit_usd: 1,
      error: { code: 'BUDGET_EXHAUSTED' },
    });
    expect(String(res.body['resets_at'])).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00Z$/);
    const ops = await stack.request<{ total_count: number }>('GET', '/operations?operation_type=agent_research');
    expect(ops.body.total_count).toBe(0);
    // Bad input is still a 422, whatever the budget.
    expect((await stack.request('POST', '/agent/trigger', { model: 'gpt-4' })).status).toBe(422);
  });
});
