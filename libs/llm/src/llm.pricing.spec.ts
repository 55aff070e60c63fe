import { parseStrategy } from '@ktrdr/agent-domain';
import { ConfigError } from '@ktrdr/runtime';
import { loadLlmConfig } from './llm.config';
import { DEFAULT_PRICES, costUsd, parsePriceOverrides, priceOf } from './llm.pricing';
import { EXAMPLE_STRATEGY } from './strategy.example';

describe('prices and cost', () => {
  it('prices the alias models per million tokens', () => {
    expect(costUsd('claude-sonnet-4-5', { input_tokens: 1_000_000, output_tokens: 1_000_000 })).toBe(18);
    expect(costUsd('haiku', { input_tokens: 2000, output_tokens: 1000 })).toBeCloseTo(0.007, 12);
    expect(costUsd('claude-opus-4-1', { input_tokens: 10_000, output_tokens: 2_000 })).toBeCloseTo(0.3, 12);
  });

  it('prices dated ids like their alias, unknown ones like their family, and unknown families at the top price', () => {
    expect(priceOf('claude-sonnet-4-5-20250929')).toEqual(DEFAULT_PRICES['claude-sonnet-4-5']);
    expect(priceOf('claude-haiku-9')).toEqual(DEFAULT_PRICES['claude-haiku-4-5']);
    expect(priceOf('claude-mystery-1')).toEqual(DEFAULT_PRICES['claude-opus-4-1']);
  });

  it('merges KTRDR_LLM_PRICES over the defaults, aliases included, and names a bad value', () => {
    const parsed = parsePriceOverrides('{"sonnet": {"input": 2, "output": 10}, "claude-new-1": {"input": 0.5, "output": 1}}');
    expect(parsed.ok && parsed.prices['claude-sonnet-5-5']).toEqual({ input: 2, output: 10 });
    expect(parsed.ok && priceOf('claude-new-1', parsed.prices)).toEqual({ input: 0.5, output: 1 });
    expect(parsePriceOverrides('{"sonnet": {"input": -1, "output": 1}}')).toMatchObject({ ok: false, error: expect.stringContaining('sonnet.input') });
    expect(() => loadLlmConfig({ KTRDR_LLM_PRICES: 'not json', KTRDR_LLM_MAX_CORRECTIONS: '9' })).toThrow(ConfigError);
    try {
      loadLlmConfig({ KTRDR_LLM_PRICES: 'not json', KTRDR_LLM_MAX_CORRECTIONS: '9' });
    } catch (e) {
      expect((e as ConfigError).problems).toEqual([
        expect.stringMatching(/^KTRDR_LLM_MAX_CORRECTIONS: /),
        expect.stringMatching(/^KTRDR_LLM_PRICES: expected JSON/),
      ]);
    }
  });

  it('has documented defaults', () => {
    expect(loadLlmConfig({})).toMatchObject({
      apiKey: null,
      timeoutMs: 120_000,
      maxRetries: 2,
      maxCorrections: 1,
      maxInputChars: 60_000,
      maxOutputTokens: { design: 8192, assessment: 2048 },
      dailyBudgetUsd: 0,
    });
  });

  it('shows a valid strategy as the prompt example', () => {
    expect(parseStrategy(EXAMPLE_STRATEGY)).toMatchObject({ ok: true });
  });
});
