import { IDEA_THEMES, LABEL_SOURCES, INDICATOR_TYPES, parseStrategy, seededRandom, sealStrategy, strategyContentHash } from '@ktrdr/agent-domain';
import { createClaudeClient } from './claude.client';
import { ClaudeDesigner } from './claude.designer';
import { CAMPAIGN_PROMPT_LIMITS } from './design.prompt';
import { FakeAnthropicServer, toolUseMessage } from '../../../tools/testing/fake-anthropic.server';
import { loadLlmConfig } from './llm.config';
import type { CampaignDesignContext, CampaignTrialSummary, DesignInput } from './llm.types';
import { EXAMPLE_STRATEGY } from './strategy.example';

/**
 * Claude inside a campaign, through the real SDK against the local Messages API: the prompt carries
 * the campaign's rules and a summary of its ledger whose size does not grow with the ledger, and a
 * design that breaks a campaign rule comes back in the corrective turn.
 */

const MODEL = 'claude-sonnet-5-5';
let fake: FakeAnthropicServer;

beforeAll(async () => {
  fake = await FakeAnthropicServer.start();
});
afterEach(() => fake.reset());
afterAll(async () => {
  await fake.close();
});

function designer(): ClaudeDesigner {
  // The default input limit (60,000 characters) stays: a ledger listed in full would pass it long before 1,000 trials.
  const config = loadLlmConfig({ ANTHROPIC_API_KEY: 'sk-ant-test-campaign', ANTHROPIC_BASE_URL: fake.url, KTRDR_LLM_MAX_RETRIES: '0' });
  return new ClaudeDesigner(createClaudeClient(config), config);
}

const OUTCOMES: readonly CampaignTrialSummary['outcome'][] = ['passed', 'gate_failed', 'gate_failed', 'gate_failed', 'failed', 'cancelled'];

/** `n` trials with every field filled, long reasons included: the worst case for the summary's size. */
function ledgerOf(n: number): CampaignTrialSummary[] {
  const rng = seededRandom(n);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const outcome = pick(OUTCOMES);
    const backtested = outcome === 'passed' || rng() < 0.5;
    return {
      trial: i + 1,
      family: rng() < 0.1 ? `mixed/${pick(LABEL_SOURCES)}` : `${pick(IDEA_THEMES)}/${pick(LABEL_SOURCES)}`,
      strategy_hash: (0x1000000000000 + i).toString(16).padStart(16, '0'),
      indicators: [...new Set([pick(INDICATOR_TYPES), pick(INDICATOR_TYPES), pick(INDICATOR_TYPES)])].sort(),
      label: pick(LABEL_SOURCES),
      hidden_layers: pick([[16], [32, 16], [64, 32]]),
      confidence_threshold: pick([0.35, 0.4, 0.45, 0.5]),
      outcome,
      reason:
        outcome === 'passed'
          ? null
          : `no_skill (accuracy 41.2% ≤ majority baseline 48.7%); also loss_too_high (1.044 > 0.8); ${'and a long tail of detail '.repeat(10)}`,
      sharpe_ratio: backtested ? Math.round((rng() * 3 - 1) * 1000) / 1000 : null,
      dsr: backtested ? Math.round(rng() * 1000) / 1000 : null,
    };
  });
}

const SEALED_FROM = '2019-01-01';

function input(ledger: CampaignTrialSummary[], over: Partial<CampaignDesignContext> = {}): DesignInput {
  return {
    model: MODEL,
    brief: null,
    availableData: [{ symbol: 'SP500', timeframe: '1d', start: '2000-01-03', end: '2018-12-31' }],
    recent: [],
    campaign: {
      search: 'directed',
      trial: ledger.length + 1,
      seed: 5,
      ledger,
      tried_hashes: ledger.map((t) => t.strategy_hash!),
      sealed_from: SEALED_FROM,
      scope: { symbols: ['SP500'], timeframe: '1d' },
      ...over,
    },
  };
}

const valid = { ...EXAMPLE_STRATEGY, name: 'campaign_rsi_dip' };
const never = new AbortController().signal;

async function promptFor(ledger: CampaignTrialSummary[]): Promise<string> {
  fake.reply(toolUseMessage('save_strategy_config', valid));
  await designer().design(input(ledger), { signal: never });
  const body = fake.requests.at(-1)!.body as { messages: { content: string }[] };
  return body.messages[0]!.content;
}

/**
 * What the prompt may differ by between 100 trials and 1,000: longer numbers and a few more family
 * rows, nothing per trial (900 more trials listed would add some 200,000 characters).
 */
const GROWTH_BOUND = 1_000;
/** The whole campaign section's bound, whatever the ledger: 15 family rows, 10 trial lines and the rules. */
const CAMPAIGN_SECTION_BOUND = 6_500;

describe('ClaudeDesigner in a campaign', () => {
  it('sends a summary of the ledger whose size is bounded at 10, 100 and 1,000 trials', async () => {
    fake.reply(toolUseMessage('save_strategy_config', valid));
    await designer().design({ ...input([]), campaign: undefined }, { signal: never });
    const without = (fake.requests[0]!.body as { messages: { content: string }[] }).messages[0]!.content.length;

    const sizes: Record<number, number> = {};
    for (const n of [10, 100, 1000]) {
      const ledger = ledgerOf(n);
      const prompt = await promptFor(ledger);
      sizes[n] = prompt.length;
      expect(prompt).toContain(`This design is trial ${n + 1} of a research campaign on SP500 1d`);
      expect(prompt).toContain(`Its ledger so far: ${n} trials`);
      // The newest trial is shown, with its reason cut short.
      expect(prompt).toContain(`- trial ${n}: `);
      expect(prompt).not.toContain('and a long tail of detail '.repeat(4));
      // The best by DSR is shown.
      const best = [...ledger].sort((a, b) => (b.dsr ?? -1) - (a.dsr ?? -1) || (b.sharpe_ratio ?? -9) - (a.sharpe_ratio ?? -9) || a.trial - b.trial)[0]!;
      expect(prompt).toContain(`- trial ${best.trial}: ${best.family}; indicators ${best.indicators.join(', ')}`);
      const trialLines = prompt.split('\n').filter((l) => l.startsWith('- trial '));
      expect(trialLines.length).toBeLessThanOrEqual(CAMPAIGN_PROMPT_LIMITS.best + CAMPAIGN_PROMPT_LIMITS.last);
    }
    // Measured on 2026-12-07: no campaign 5,899 characters; ledgers of 10, 100 and 1,000 trials 10,251, 10,385 and 10,789.
    expect(sizes[100]! - without).toBeLessThanOrEqual(CAMPAIGN_SECTION_BOUND);
    expect(sizes[1000]! - without).toBeLessThanOrEqual(CAMPAIGN_SECTION_BOUND);
    expect(Math.abs(sizes[1000]! - sizes[100]!)).toBeLessThanOrEqual(GROWTH_BOUND);
  });

  it('states the campaign rules and the family table', async () => {
    const prompt = await promptFor(ledgerOf(30));
    expect(prompt).toContain('training_data.symbols ["SP500"] and training_data.timeframes ["1d"]');
    expect(prompt).toContain("must end by 2018-12-31, before 2019-01-01: the bars from then on are the campaign's sealed holdout");
    expect(prompt).toContain('A design that repeats an earlier trial (the same content apart from name, description, hypothesis and version) is refused');
    expect(prompt).toMatch(
      /family \(indicator theme \/ label source\) \| trials \| passed \| failed \| best DSR \| mean Sharpe\n[a-z_]+\/[a-z_]+ \| \d+ \| \d+ \| \d+ \| /,
    );
    expect(prompt.indexOf('# Campaign')).toBeLessThan(prompt.indexOf('# Brief'));
  });

  it('sends a repeated design back in the corrective turn, and accepts the changed one', async () => {
    const parsed = parseStrategy(valid);
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    // As the campaign will run it: parsed (defaults filled in) and cut before the holdout.
    const repeated = strategyContentHash(sealStrategy(parsed.config, SEALED_FROM).config);
    const ledger = ledgerOf(3).map((t, i) => (i === 1 ? { ...t, strategy_hash: repeated } : t));
    const changed = { ...valid, decisions: { ...valid.decisions, confidence_threshold: 0.55 } };
    fake.reply(toolUseMessage('save_strategy_config', valid), toolUseMessage('save_strategy_config', changed));
    const out = await designer().design(input(ledger), { signal: never });
    expect(out.turns).toBe(2);
    expect(out.config.decisions.confidence_threshold).toBe(0.55);
    const second = fake.requests[1]!.body as { messages: { content: unknown }[] };
    const [result] = second.messages[2]!.content as { content: string }[];
    expect(result!.content).toContain(`the design repeats trial 2 (content hash ${repeated}) and a campaign never runs a design twice`);
  });

  it('sends back a design off the campaign market or starting inside the holdout', async () => {
    fake.reply(toolUseMessage('save_strategy_config', valid), toolUseMessage('save_strategy_config', valid));
    const e = await designer()
      .design(input([], { scope: { symbols: ['SYNTH_EDGE_A'], timeframe: '4h' }, sealed_from: '2016-06-01' }), { signal: never })
      .catch((err: unknown) => err as Error);
    expect((e as Error).message).toMatch(/^Claude produced an invalid strategy: training_data\.symbols: the campaign trades SYNTH_EDGE_A, not SP500/);
    const [result] = (fake.requests[1]!.body as { messages: { content: unknown }[] }).messages[2]!.content as { content: string }[];
    expect(result!.content).toContain('training_data.timeframes: the campaign trades 4h bars, not 1d');
    expect(result!.content).toContain("start inside the campaign's sealed holdout (from 2016-06-01)");
  });
});
