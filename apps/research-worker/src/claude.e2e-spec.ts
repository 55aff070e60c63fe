import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { FakeAnthropicServer, errorBody, toolUseMessage } from '../../../tools/testing/fake-anthropic.server';
import { researchScratch, type ResearchScratch } from '../../../tools/testing/research.fixtures';
import { repoRoot, startStack, type Stack } from '../../../tools/testing/stack.harness';
import { childrenOf, getOp as getOperation, triggerCycle, waitTerminal } from '../../../tools/testing/stack.requests';

/**
 * Claude design and assessment through the real worker process: the real @anthropic-ai/sdk talks
 * to a local fake Messages server (ANTHROPIC_BASE_URL), so the forced tool calls, the error
 * mapping, the abort of an in-flight request on cancel and the key's secrecy are checked across
 * processes. Training and backtest are stubbed here (their real runs have their own e2e).
 */

const SECRET = 'sk-ant-test-SECRET123';

interface Op {
  operation_id: string;
  status: string;
  error_message: string | null;
  result_summary: Record<string, any> | null;
  metadata: { parameters: Record<string, any> };
}

let fake: FakeAnthropicServer;
let scratch: ResearchScratch;
let stack: Stack;

const getOp = async (id: string): Promise<Op> => (await getOperation(stack, id)) as Op;
const children = async (id: string): Promise<Op[]> => (await childrenOf(stack, id)) as Op[];

const trigger = (body: Record<string, unknown> = {}): Promise<string> => triggerCycle(stack, body);

const finished = async (id: string): Promise<Op> => (await waitTerminal(stack, id, 30_000, 50)) as Op;

const strategyConfig = (name: string): Record<string, unknown> => ({
  ...(parse(readFileSync(join(repoRoot(), 'strategies', 'v3_minimal.yaml'), 'utf8')) as object),
  name,
});
const assessment = {
  verdict: 'mediocre',
  strengths: ['Sharpe 1.12 on unseen bars', 'Beats buy-and-hold by 4.5 points'],
  weaknesses: ['24 trades only', 'Drawdown 11.8%'],
  suggestions: ['Test on 1h bars', 'Add a volatility input'],
};

beforeAll(async () => {
  fake = await FakeAnthropicServer.start();
  scratch = researchScratch(['v3_minimal']);
  stack = await startStack({
    apiEnv: scratch.env,
    workerEnv: {
      ...scratch.env,
      KTRDR_STUB_WORKERS: 'false',
      KTRDR_STUB_PHASES: 'training,backtest',
      KTRDR_STUB_DELAY_MS: '0',
      ANTHROPIC_API_KEY: SECRET,
      ANTHROPIC_BASE_URL: fake.url,
      KTRDR_LLM_MAX_RETRIES: '1',
    },
  });
}, 60_000);

afterEach(() => fake.reset());

afterAll(async () => {
  await stack?.stop();
  await fake?.close();
  rmSync(scratch.root, { recursive: true, force: true });
});

describe('Claude design and assessment through the worker (real SDK, local fake Messages server)', () => {
  it('designs with a forced save_strategy_config call, assesses with save_assessment, and sums the tokens on the cycle', async () => {
    const haiku = 'claude-haiku-5-5';
    fake.reply(
      toolUseMessage('save_strategy_config', strategyConfig('claude trend idea!'), { input_tokens: 1000, output_tokens: 500 }, haiku),
      toolUseMessage('save_assessment', assessment, { input_tokens: 800, output_tokens: 200 }, haiku),
    );
    const parent = await finished(await trigger({ model: 'haiku', brief: 'trend following on daily bars' }));
    expect(parent.status).toBe('completed');

    const [design, , , assess] = await children(parent.operation_id);
    // The model's name is made safe, not trusted.
    expect(design!.result_summary).toMatchObject({
      designer: 'claude',
      model: 'claude-haiku-5-5',
      strategy_name: 'claude_trend_idea',
      input_tokens: 1000,
      output_tokens: 500,
    });
    expect(design!.result_summary!['cost_usd']).toBeGreaterThan(0);
    expect(assess!.result_summary).toMatchObject({ assessor: 'claude', verdict: 'mediocre', strengths: assessment.strengths });
    expect(parent.result_summary).toMatchObject({
      verdict: 'mediocre',
      designer: 'claude',
      assessor: 'claude',
      stub: true,
      llm_usage: { input_tokens: 1800, output_tokens: 700 },
    });

    const [designRequest, assessRequest] = fake.requests;
    expect(designRequest!.body).toMatchObject({ model: 'claude-haiku-5-5', tool_choice: { type: 'tool', name: 'save_strategy_config' } });
    expect(JSON.stringify(designRequest!.body['messages'])).toContain('trend following on daily bars');
    expect(assessRequest!.body).toMatchObject({ tool_choice: { type: 'tool', name: 'save_assessment' } });
    const budget = (await stack.request<Record<string, number>>('GET', '/agent/budget')).body;
    expect(budget).toMatchObject({ calls: 2, input_tokens: 1800, output_tokens: 700 });
  }, 60_000);

  it('a 429 after the SDK retries fails the cycle as "Design failed: Claude API error: rate_limit_error (HTTP 429)"', async () => {
    fake.always({ kind: 'json', status: 429, body: errorBody('rate_limit_error', 'slow down'), headers: { 'retry-after-ms': '10' } });
    const parent = await finished(await trigger());
    expect(parent.status).toBe('failed');
    expect(parent.error_message).toBe('Design failed: Claude API error: rate_limit_error (HTTP 429)');
    expect(fake.requests.length).toBe(2); // the first try and one retry (KTRDR_LLM_MAX_RETRIES=1)
  }, 60_000);

  it('a reply without the tool call fails the assessment in words', async () => {
    fake.reply(toolUseMessage('save_strategy_config', strategyConfig('no_tool_case')));
    fake.always({
      kind: 'json',
      body: {
        id: 'msg_t',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-5-5',
        content: [{ type: 'text', text: 'Looks fine.' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 5 },
      },
    });
    const parent = await finished(await trigger());
    expect(parent.status).toBe('failed');
    expect(parent.error_message).toBe('Assessment failed: Claude did not save an assessment');
  }, 60_000);

  it('a cancel while Claude is answering closes the HTTP request within 100 ms and both records end cancelled', async () => {
    fake.reply({ kind: 'hang' });
    const id = await trigger();
    await fake.waitForRequests(1);
    const requestedAt = Date.now();
    const res = await stack.request<{ success: boolean; child_cancelled: string }>('DELETE', '/agent/cancel');
    expect(res.body.success).toBe(true);
    const closedAt = await fake.waitForEarlyClose(0);
    expect(closedAt - requestedAt).toBeLessThan(100);
    expect((await getOp(id)).status).toBe('cancelled');
    const design = await getOp(res.body.child_cancelled);
    expect(design.status).toBe('cancelled');
    expect(design.error_message).toBeNull();
  }, 60_000);

  it('the API key appears nowhere: not in any Redis key or value, not in the worker or API output', async () => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await stack.redis.scan(cursor, 'MATCH', `${stack.prefix}*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const type = await stack.redis.type(key);
        const dump =
          type === 'hash'
            ? await stack.redis.hgetall(key)
            : type === 'list'
              ? await stack.redis.lrange(key, 0, -1)
              : type === 'zset'
                ? await stack.redis.zrange(key, 0, -1)
                : type === 'set'
                  ? await stack.redis.smembers(key)
                  : type === 'stream'
                    ? await stack.redis.xrange(key, '-', '+')
                    : type === 'string'
                      ? await stack.redis.get(key)
                      : null;
        if (`${key} ${JSON.stringify(dump)}`.includes('SECRET123')) found.push(key);
      }
    } while (cursor !== '0');
    expect(found).toEqual([]);
    for (const p of [stack.api, ...stack.workers]) expect(p.output()).not.toContain('SECRET123');
  });
});
