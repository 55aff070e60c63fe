import type { CycleParameters } from '@ktrdr/agent-domain';
import { readCampaignParameters } from '@ktrdr/api-contract';
import { scoreTrials } from '@ktrdr/backtest';
import type { CampaignDesignContext } from '@ktrdr/llm';
import type { CampaignLedger, OperationsStore } from '@ktrdr/operations';

/**
 * What a campaign trial's designer is given: the ledger so far (never the holdout: trial numbers
 * come from walk-forward runs that end before it), the hashes already tried, the campaign's search,
 * seed and scope, and where the sealed part of the data begins. Null for a cycle outside a campaign.
 */
export async function campaignDesignContext(store: OperationsStore, ledger: CampaignLedger, cycle: CycleParameters): Promise<CampaignDesignContext | null> {
  if (!cycle.campaign_id || !cycle.sealed_from) return null;
  const campaign = await store.get(cycle.campaign_id);
  if (!campaign) return null;
  const p = readCampaignParameters(campaign.metadata.parameters);
  const ledgerId = cycle.ledger_id ?? p.ledger_id ?? campaign.operation_id;
  const [trials, returns] = await Promise.all([ledger.trials(ledgerId), ledger.returns(ledgerId)]);
  const scores = scoreTrials(
    trials.map((t) => ({ key: t.cycle_id, counted: t.strategy_hash !== null && t.outcome !== 'cancelled', returns: returns.get(t.cycle_id) ?? null })),
  );
  return {
    search: p.search,
    trial: trials.length + 1,
    seed: p.seed,
    sealed_from: cycle.sealed_from,
    scope: p.scope,
    tried_hashes: trials.map((t) => t.strategy_hash).filter((h): h is string => h !== null),
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
