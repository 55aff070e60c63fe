import { readCycleParameters, strategyContentHash, type CycleParameters } from '@ktrdr/agent-domain';
import { readCampaignParameters } from '@ktrdr/api-contract';
import { scoreTrials } from '@ktrdr/backtest';
import type { CampaignDesignContext } from '@ktrdr/llm';
import type { CampaignLedger, OperationsStore } from '@ktrdr/operations';
import type { StrategyStore } from '@ktrdr/strategies';

/**
 * What a campaign trial's designer is given: the ledger so far (never the holdout: trial numbers
 * come from walk-forward runs that end before it), the hashes already tried, the campaign's search,
 * seed and scope, and where the sealed part of the data begins. Null for a cycle outside a campaign.
 */
export async function campaignDesignContext(
  store: OperationsStore,
  ledger: CampaignLedger,
  strategies: StrategyStore,
  cycle: CycleParameters,
  cycleId: string,
): Promise<CampaignDesignContext | null> {
  if (!cycle.campaign_id || !cycle.sealed_from) return null;
  const campaign = await store.get(cycle.campaign_id);
  if (!campaign) return null;
  const p = readCampaignParameters(campaign.metadata.parameters);
  const ledgerId = cycle.ledger_id ?? p.ledger_id ?? campaign.operation_id;
  const [trials, returns, siblings] = await Promise.all([ledger.trials(ledgerId), ledger.returns(ledgerId), store.children(campaign.operation_id)]);
  // Cycles of this campaign running beside this one: their designs are tried too, though not recorded yet.
  const recorded = new Set(trials.map((t) => t.cycle_id));
  const search = siblings.filter((c) => readCycleParameters(c.metadata.parameters).holdout_of === undefined);
  const running = search.filter((c) => c.operation_id !== cycleId && !recorded.has(c.operation_id));
  const runningHashes = await Promise.all(
    running.map(async (c) => {
      const name = readCycleParameters(c.metadata.parameters).strategy_name;
      const config = name ? await strategies.read(name).catch(() => null) : null;
      return config ? strategyContentHash(config) : null;
    }),
  );
  // A number of its own for every cycle (its place among the campaign's cycles, after the trials of the
  // campaigns it resumes), so concurrent designs never share a trial number and so a seed.
  const mine = search.findIndex((c) => c.operation_id === cycleId);
  const earlier = trials.filter((t) => t.campaign_id !== campaign.operation_id).length;
  const scores = scoreTrials(
    trials.map((t) => ({ key: t.cycle_id, counted: t.strategy_hash !== null && t.outcome !== 'cancelled', returns: returns.get(t.cycle_id) ?? null })),
  );
  return {
    search: p.search,
    trial: mine >= 0 ? earlier + mine + 1 : trials.length + 1,
    seed: p.seed,
    sealed_from: cycle.sealed_from,
    scope: p.scope,
    tried_hashes: [...trials.map((t) => t.strategy_hash), ...runningHashes].filter((h): h is string => h !== null),
    ledger: trials.map((t) => ({
      trial: t.trial,
      family: t.idea?.family ?? 'unknown',
      strategy_hash: t.strategy_hash,
      indicators: t.params?.indicators ?? [],
      label: t.params?.label ?? null,
      hidden_layers: t.params?.hidden_layers ?? [],
      confidence_threshold: t.params?.confidence_threshold ?? null,
      outcome: t.outcome,
      reason: t.reason,
      sharpe_ratio: t.metrics.sharpe_ratio,
      dsr: scores.dsr.get(t.cycle_id) ?? null,
    })),
  };
}
