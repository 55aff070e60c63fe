import { ClaudeAssessor } from './claude.assessor.js';
import { createClaudeClient } from './claude.client.js';
import { ClaudeDesigner } from './claude.designer.js';
import type { LlmConfig } from './llm.config.js';
import type { LlmLogger } from './llm.logger.js';
import type { SpendGuard, StrategyAssessor, StrategyDesigner } from './llm.types.js';
import { OfflineAssessor } from './offline.assessor.js';
import { OfflineDesigner } from './offline.designer.js';

export interface LlmServices {
  /** `claude` with ANTHROPIC_API_KEY, `offline` without. */
  mode: 'claude' | 'offline';
  designer: StrategyDesigner;
  assessor: StrategyAssessor;
}

/**
 * The designer and assessor a worker uses: Claude when a key is configured (one client shared by
 * both; every request reserves and records its spend on `spend`, e.g. the BudgetLedger), the
 * offline ones otherwise.
 */
export function createLlmServices(config: LlmConfig, deps: { spend?: SpendGuard; logger?: LlmLogger } = {}): LlmServices {
  if (!config.apiKey) return { mode: 'offline', designer: new OfflineDesigner(), assessor: new OfflineAssessor({ maxPValue: config.promisingMaxPValue }) };
  const client = createClaudeClient(config, deps.logger);
  return { mode: 'claude', designer: new ClaudeDesigner(client, config, deps), assessor: new ClaudeAssessor(client, config, deps) };
}
