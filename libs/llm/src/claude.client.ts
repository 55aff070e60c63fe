import { Anthropic } from '@anthropic-ai/sdk';
import type { LlmConfig } from './llm.config.js';
import { sdkLogger, type LlmLogger } from './llm.logger.js';

/**
 * The Anthropic client, built inside the worker from the configured key. The key goes to the SDK
 * (which sends it as a header and redacts it from its own debug output) and nowhere else.
 */
export function createClaudeClient(config: Pick<LlmConfig, 'apiKey' | 'baseURL' | 'timeoutMs' | 'maxRetries'>, logger?: LlmLogger): Anthropic {
  if (!config.apiKey) throw new Error('createClaudeClient needs ANTHROPIC_API_KEY; without it use the offline designer and assessor');
  return new Anthropic({
    apiKey: config.apiKey.reveal(),
    ...(config.baseURL ? { baseURL: config.baseURL } : {}),
    timeout: config.timeoutMs,
    maxRetries: config.maxRetries,
    logLevel: 'warn',
    logger: sdkLogger(logger),
  });
}
