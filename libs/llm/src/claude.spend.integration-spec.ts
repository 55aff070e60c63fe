import { BudgetExhaustedError } from '@ktrdr/errors';
import { BudgetLedger } from '@ktrdr/operations';
import { Redis } from 'ioredis';
import { createClaudeClient } from './claude.client';
import { ClaudeDesigner } from './claude.designer';
import { FakeAnthropicServer, errorBody, toolUseMessage } from '../../../tools/testing/fake-anthropic.server';
import { loadLlmConfig } from './llm.config';
import { costUsd } from './llm.pricing';
import type { DesignInput } from './llm.types';
import { EXAMPLE_STRATEGY } from './strategy.example';

const prefix = `it_llm_spend_${process.pid}_${Date.now()}`;
let redis: Redis;
let fake: FakeAnthropicServer;

beforeAll(async () => {
  redis = new Redis(process.env['REDIS_URL']!);
  fake = await FakeAnthropicServer.start();
});
afterEach(() => fake.reset());
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await fake.close();
});

const input: DesignInput = { model: 'claude-sonnet-5-5', brief: null, availableData: [], recent: [] };

function designer(ledger: BudgetLedger): ClaudeDesigner {
  const config = loadLlmConfig({ ANTHROPIC_API_KEY: 'sk-ant-test-SECRET123', ANTHROPIC_BASE_URL: fake.url, KTRDR_LLM_MAX_RETRIES: '0' });
  return new ClaudeDesigner(createClaudeClient(config), config, { spend: ledger });
}

describe('Claude calls spend through the budget ledger (real Redis)', () => {
  it("records each turn's tokens and cost", async () => {
    const ledger = new BudgetLedger(redis, `${prefix}_a`, { limitUsd: 5 });
    fake.reply(
      toolUseMessage('save_strategy_config', { ...EXAMPLE_STRATEGY, indicators: {} }, { input_tokens: 3000, output_tokens: 700 }),
      toolUseMessage('save_strategy_config', EXAMPLE_STRATEGY, { input_tokens: 3900, output_tokens: 800 }),
    );
    const out = await designer(ledger).design(input, { signal: new AbortController().signal });
    const status = await ledger.status();
    expect(status).toMatchObject({ calls: 2, input_tokens: 6900, output_tokens: 1500 });
    expect(status.spent_usd).toBeCloseTo(costUsd('claude-sonnet-5-5', out.usage), 6);
  });

  it("sends nothing once the day's budget is spent", async () => {
    const ledger = new BudgetLedger(redis, `${prefix}_b`, { limitUsd: 0.01 });
    await ledger.record({ input_tokens: 1, output_tokens: 1 }, 0.02);
    await expect(designer(ledger).design(input, { signal: new AbortController().signal })).rejects.toBeInstanceOf(BudgetExhaustedError);
    expect(fake.requests).toHaveLength(0);
  });

  it('releases the reservation of a failed request (nothing is billed)', async () => {
    const ledger = new BudgetLedger(redis, `${prefix}_c`, { limitUsd: 0.2 });
    fake.always({ kind: 'json', status: 500, body: errorBody('api_error', 'boom') });
    await expect(designer(ledger).design(input, { signal: new AbortController().signal })).rejects.toThrow('Claude API error: api_error (HTTP 500)');
    expect(await ledger.status()).toMatchObject({ calls: 0, spent_usd: 0 });
    // The held estimate was freed: a new reservation for most of the limit is granted.
    const r = await ledger.reserve(0.19);
    await r.release();
  });
});
