import { ConfigError } from '@ktrdr/runtime';
import { loadApiConfig } from './api.config';

describe('API configuration: model aliases', () => {
  it('keeps the built-in ids and lets KTRDR_MODEL_ALIASES point an alias at another model', () => {
    expect(loadApiConfig({}).modelAliases).toEqual({ opus: 'claude-opus-5-5', sonnet: 'claude-sonnet-5-5', haiku: 'claude-haiku-5-5' });
    const config = loadApiConfig({ KTRDR_MODEL_ALIASES: '{"sonnet": "claude-sonnet-6"}' });
    expect(config.modelAliases).toMatchObject({ sonnet: 'claude-sonnet-6', haiku: 'claude-haiku-5-5' });
  });

  it.each([
    ['not json', 'expected a JSON object'],
    ['{"gpt": "claude-x-1"}', 'bad: gpt'],
    ['{"sonnet": "gpt-4"}', 'bad: sonnet'],
  ])('refuses %s, naming the variable', (raw, reason) => {
    expect(() => loadApiConfig({ KTRDR_MODEL_ALIASES: raw })).toThrow(ConfigError);
    expect(() => loadApiConfig({ KTRDR_MODEL_ALIASES: raw })).toThrow(new RegExp(`KTRDR_MODEL_ALIASES: .*${reason}`));
  });
});
