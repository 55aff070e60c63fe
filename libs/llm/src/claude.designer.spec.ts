import { INDICATOR_TYPES, parseStrategy } from '@ktrdr/agent-domain';
import { CancelledError, ErrorCode, LlmError, isKtrdrError } from '@ktrdr/errors';
import { inspect } from 'node:util';
import { createClaudeClient } from './claude.client';
import { ClaudeDesigner } from './claude.designer';
import { FakeAnthropicServer, errorBody, textMessage, toolUseMessage, type FakeReply } from '../../../tools/testing/fake-anthropic.server';
import { eventually } from '../../../tools/testing/wait/wait';
import { loadLlmConfig } from './llm.config';
import type { LlmLogger } from './llm.logger';
import { costUsd } from './llm.pricing';
import type { DesignInput } from './llm.types';
import { EXAMPLE_STRATEGY } from './strategy.example';

const KEY = 'sk-ant-test-SECRET123';
const MODEL = 'claude-sonnet-5-5';

let fake: FakeAnthropicServer;
const logLines: string[] = [];
const logger: LlmLogger = {
  info: (obj, msg) => logLines.push(JSON.stringify({ level: 'info', ...obj, msg })),
  warn: (obj, msg) => logLines.push(JSON.stringify({ level: 'warn', ...obj, msg })),
};
/** Every error a test produced, to check none of them carries the key. */
const errorsSeen: unknown[] = [];

beforeAll(async () => {
  fake = await FakeAnthropicServer.start();
});
afterEach(() => fake.reset());
afterAll(async () => {
  await fake.close();
  // The key reached the server as the SDK's auth header, and nowhere else.
  for (const line of logLines) expect(line).not.toContain(KEY);
  for (const e of errorsSeen) {
    expect(String((e as Error).message)).not.toContain(KEY);
    expect(JSON.stringify((e as { details?: unknown }).details ?? {})).not.toContain(KEY);
    expect(inspect(e)).not.toContain(KEY);
  }
});

function designer(env: Record<string, string> = {}, baseURL = fake.url, timeoutMs?: number): ClaudeDesigner {
  const loaded = loadLlmConfig({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: baseURL, KTRDR_LLM_MAX_RETRIES: '0', ...env });
  // Below the 1 s the environment accepts, to keep the timeout test short.
  const config = timeoutMs ? { ...loaded, timeoutMs } : loaded;
  return new ClaudeDesigner(createClaudeClient(config, logger), config, { logger });
}

const INPUT: DesignInput = {
  model: MODEL,
  brief: 'Mean reversion with RSI on daily SP500 bars',
  availableData: [
    { symbol: 'SP500', timeframe: '1d', start: '2000-01-03', end: '2020-04-17' },
    { symbol: 'SYNTH_TREND', timeframe: '1h', start: '2015-01-01', end: '2026-01-01' },
  ],
  recent: [{ name: 'macd_trend_v1', verdict: 'poor', metrics: { sharpe_ratio: -0.42, total_return: -0.061 }, indicators: ['macd', 'adx'] }],
};

const valid = { ...EXAMPLE_STRATEGY, name: 'rsi dip buyer!' };
const invalid = {
  ...EXAMPLE_STRATEGY,
  name: 'rsi_dip_buyer',
  indicators: { rsi_14: { type: 'rsi', period: -3 } },
};

async function failure(p: Promise<unknown>): Promise<LlmError> {
  const e = await p.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
  errorsSeen.push(e);
  return e as LlmError;
}

const never = new AbortController().signal;

describe('ClaudeDesigner against a local Messages API', () => {
  it('forces save_strategy_config with a prompt that carries format, catalogue, data, history and brief', async () => {
    fake.reply(toolUseMessage('save_strategy_config', valid, { input_tokens: 3200, output_tokens: 900 }));
    const out = await designer().design(INPUT, { signal: never, logContext: { operation_id: 'op_agent_design_x' } });

    expect(out.config.name).toBe('rsi_dip_buyer'); // made safe instead of a corrective turn
    expect(parseStrategy(out.config).ok).toBe(true);
    expect(out).toMatchObject({ source: 'claude', model: MODEL, usage: { input_tokens: 3200, output_tokens: 900 }, turns: 1 });
    expect(out.cost_usd).toBeCloseTo((3200 * 3 + 900 * 15) / 1e6, 10);

    const [req] = fake.requests;
    expect(req!.path).toBe('/v1/messages');
    // SDK 1.x sends the key as a bearer token (0.x used x-api-key).
    expect([req!.headers['authorization'], req!.headers['x-api-key']]).toContain(`Bearer ${KEY}`);
    const body = req!.body as {
      model: string;
      tool_choice: unknown;
      tools: { name: string; input_schema: Record<string, unknown> }[];
      messages: { content: string }[];
      system: string;
    };
    expect(body.model).toBe(MODEL);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'save_strategy_config' });
    expect(body.tools[0]!.input_schema).toMatchObject({ type: 'object', required: expect.arrayContaining(['name', 'indicators', 'fuzzy_sets']) });
    expect(body.tools[0]!.input_schema).not.toHaveProperty('$schema');
    const prompt = body.messages[0]!.content;
    for (const type of INDICATOR_TYPES) expect(prompt).toContain(`- ${type} (`);
    expect(prompt).toContain('Relative Strength Index, 0-100');
    expect(prompt).toContain('SYNTH_TREND | 1h | 2015-01-01 | 2026-01-01');
    expect(prompt).toContain('macd_trend_v1: verdict: poor; indicators: macd, adx; sharpe_ratio=-0.42');
    expect(prompt).toContain('<brief>\nMean reversion with RSI on daily SP500 bars\n</brief>');
    expect(prompt).toContain('fuzzy_sets:'); // the YAML example
    expect(logLines.some((l) => l.includes('"operation_id":"op_agent_design_x"') && l.includes('Claude request done'))).toBe(true);
  });

  it('sends the validation errors back once and accepts the corrected config, summing usage', async () => {
    fake.reply(
      toolUseMessage('save_strategy_config', invalid, { input_tokens: 3000, output_tokens: 800 }),
      toolUseMessage('save_strategy_config', valid, { input_tokens: 4000, output_tokens: 850 }),
    );
    const out = await designer().design(INPUT, { signal: never });
    expect(out.turns).toBe(2);
    expect(out.usage).toEqual({ input_tokens: 7000, output_tokens: 1650 });
    expect(out.cost_usd).toBeCloseTo(costUsd(MODEL, out.usage), 12);

    const second = fake.requests[1]!.body as { messages: { role: string; content: unknown }[]; tool_choice: unknown };
    expect(second.tool_choice).toEqual({ type: 'tool', name: 'save_strategy_config' });
    expect(second.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    const [result] = second.messages[2]!.content as { type: string; tool_use_id: string; is_error: boolean; content: string }[];
    expect(result).toMatchObject({ type: 'tool_result', is_error: true });
    expect(result!.tool_use_id).toBe((second.messages[1]!.content as { id: string }[])[0]!.id);
    expect(result!.content).toContain('indicators.rsi_14.period: expected a positive integer');
  });

  it('fails after the corrective turn when the config is still invalid, quoting the first errors', async () => {
    fake.reply(toolUseMessage('save_strategy_config', invalid), toolUseMessage('save_strategy_config', invalid));
    const e = await failure(designer().design(INPUT, { signal: never }));
    expect(e).toBeInstanceOf(LlmError);
    expect(e.code).toBe(ErrorCode.LlmInvalidOutput);
    expect(e.message).toBe('Claude produced an invalid strategy: indicators.rsi_14.period: expected a positive integer');
    expect(fake.requests).toHaveLength(2);
  });

  it('fails without a corrective turn when corrections are configured off', async () => {
    fake.reply(toolUseMessage('save_strategy_config', invalid));
    const e = await failure(designer({ KTRDR_LLM_MAX_CORRECTIONS: '0' }).design(INPUT, { signal: never }));
    expect(e.code).toBe(ErrorCode.LlmInvalidOutput);
    expect(fake.requests).toHaveLength(1);
  });

  it('reports a reply without the tool call', async () => {
    fake.reply(textMessage('I think RSI is a good idea.'));
    const e = await failure(designer().design(INPUT, { signal: never }));
    expect(e.code).toBe(ErrorCode.LlmNoToolCall);
    expect(e.message).toBe('Claude did not save a strategy configuration');
  });

  it('says when the reply ran out of output tokens before the tool call', async () => {
    fake.reply(textMessage('Let me think', 'max_tokens'));
    const e = await failure(designer({ KTRDR_LLM_DESIGN_MAX_TOKENS: '2000' }).design(INPUT, { signal: never }));
    expect(e.message).toBe('Claude did not save a strategy configuration (the reply hit the 2000-token output limit)');
  });

  it('refuses a prompt above the input size limit before sending it', async () => {
    const e = await failure(designer({ KTRDR_LLM_MAX_INPUT_CHARS: '4000' }).design(INPUT, { signal: never }));
    expect(e.code).toBe(ErrorCode.LlmInputTooLarge);
    expect(e.message).toMatch(/^Claude request too large: \d+ characters \(limit 4000, KTRDR_LLM_MAX_INPUT_CHARS\)$/);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('ClaudeDesigner: API failures become "Claude API error: <type> (HTTP <status>)"', () => {
  // The raw bodies quote the key, as a hostile or confused proxy might: it must not come through.
  const apiError = (status: number, type: string, headers: Record<string, string> = {}): FakeReply => ({
    kind: 'json',
    status,
    headers,
    body: errorBody(type, `upstream said no to ${KEY}`),
  });

  it('429 after the SDK has retried (retry-after-ms honoured)', async () => {
    fake.always(apiError(429, 'rate_limit_error', { 'retry-after-ms': '5' }));
    const e = await failure(designer({ KTRDR_LLM_MAX_RETRIES: '2' }).design(INPUT, { signal: never }));
    expect(e.message).toBe('Claude API error: rate_limit_error (HTTP 429)');
    expect(e.details).toMatchObject({ status: 429, type: 'rate_limit_error', request_id: 'req_fake_3' });
    expect(fake.requests).toHaveLength(3);
  });

  it('401 is not retried', async () => {
    fake.always(apiError(401, 'authentication_error'));
    const e = await failure(designer({ KTRDR_LLM_MAX_RETRIES: '2' }).design(INPUT, { signal: never }));
    expect(e.message).toBe('Claude API error: authentication_error (HTTP 401)');
    expect(fake.requests).toHaveLength(1);
  });

  it('500', async () => {
    fake.always(apiError(500, 'api_error'));
    const e = await failure(designer().design(INPUT, { signal: never }));
    expect(e.message).toBe('Claude API error: api_error (HTTP 500)');
  });

  it('529', async () => {
    fake.always(apiError(529, 'overloaded_error'));
    const e = await failure(designer().design(INPUT, { signal: never }));
    expect(e.message).toBe('Claude API error: overloaded_error (HTTP 529)');
  });

  it('a status without a typed body is named from the status', async () => {
    fake.always({ kind: 'json', status: 529, body: `<html>${KEY}</html>` });
    const e = await failure(designer().design(INPUT, { signal: never }));
    expect(e.message).toBe('Claude API error: overloaded_error (HTTP 529)');
  });

  it('connection refused', async () => {
    const closed = await FakeAnthropicServer.start();
    const url = closed.url;
    await closed.close();
    const e = await failure(designer({}, url).design(INPUT, { signal: never }));
    expect(e.code).toBe(ErrorCode.LlmApiError);
    expect(e.message).toBe('Claude API error: connection refused');
  });

  it('timeout', async () => {
    fake.always({ kind: 'hang' });
    const e = await failure(designer({}, fake.url, 200).design(INPUT, { signal: never }));
    expect(e.message).toBe('Claude API error: request timed out after 0.2s');
    await fake.waitForEarlyClose(0);
  });
});

describe('ClaudeDesigner: cancellation', () => {
  it('aborts the in-flight HTTP request within 100 ms and rejects with CancelledError', async () => {
    fake.always({ kind: 'hang' });
    const ac = new AbortController();
    const run = designer().design(INPUT, { signal: ac.signal });
    await fake.waitForRequests(1);
    const abortedAt = Date.now();
    ac.abort('Cancelled by user');
    const e = await run.catch((err: unknown) => err);
    expect(e).toBeInstanceOf(CancelledError);
    expect((e as Error).message).toBe('Cancelled by user');
    const closedAt = await fake.waitForEarlyClose(0);
    expect(closedAt - abortedAt).toBeLessThan(100);
  });

  it('stops while the SDK waits to retry, without another request', async () => {
    fake.always({ kind: 'json', status: 429, headers: { 'retry-after-ms': '60000' }, body: errorBody('rate_limit_error', 'slow down') });
    const ac = new AbortController();
    // The SDK listens for the abort on our signal twice: around the HTTP request, then in its wait
    // before the retry. The second listener says the 429 has reached that wait, so the abort lands there.
    const listens = jest.spyOn(ac.signal, 'addEventListener');
    const run = designer({ KTRDR_LLM_MAX_RETRIES: '3' }).design(INPUT, { signal: ac.signal });
    await fake.waitForRequests(1);
    await eventually(
      () => (listens.mock.calls.filter(([type]) => type === 'abort').length >= 2 ? true : undefined),
      "the SDK's wait before its retry",
      5000,
      1,
    );
    ac.abort();
    const e = await run.catch((err: unknown) => err);
    expect(e).toBeInstanceOf(CancelledError);
    expect(isKtrdrError(e) && e.code).toBe(ErrorCode.Cancelled);
    expect(fake.requests).toHaveLength(1);
  });

  it('does not send anything when already cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(designer().design(INPUT, { signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('the API key', () => {
  it('prints as [redacted] wherever the config is logged or serialised', () => {
    const config = loadLlmConfig({ ANTHROPIC_API_KEY: KEY });
    expect(JSON.stringify(config)).not.toContain(KEY);
    expect(inspect(config, { depth: 5 })).not.toContain(KEY);
    expect(`${config.apiKey}`).toBe('[redacted]');
    expect(config.apiKey!.reveal()).toBe(KEY);
  });
});
