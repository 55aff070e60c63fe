import { readCycleParameters, type CycleParameters } from '@ktrdr/agent-domain';
import type { RecentStrategy } from '@ktrdr/llm';
import type { OperationInfo, OperationsStore } from '@ktrdr/operations';
import type { StrategyStore } from '@ktrdr/strategies';

const RECENT_CYCLES = 10;
const HEADLINE_BACKTEST = ['total_return', 'sharpe_ratio', 'max_drawdown', 'win_rate', 'total_trades', 'benchmark_return'] as const;

const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The strategies of the latest finished cycles, with their verdicts and headline numbers: what a
 * designer learns from (Claude reads them in its prompt; the offline designer avoids a design
 * judged poor). Read from the operation records, so every worker replica sees the same history.
 */
export async function recentResearch(store: OperationsStore, strategies: StrategyStore): Promise<RecentStrategy[]> {
  const page = await store.list({ operation_type: 'agent_research', limit: RECENT_CYCLES * 2, offset: 0 });
  const finished = page.operations
    .filter((op) => ['completed', 'failed'].includes(op.status))
    .map((op) => ({ op, p: readCycleParameters(op.metadata.parameters) }))
    .filter(({ p }) => typeof p.strategy_name === 'string');
  return Promise.all(finished.slice(0, RECENT_CYCLES).map(({ op, p }) => describe(op, p, strategies)));
}

async function describe(op: OperationInfo, p: CycleParameters, strategies: StrategyStore): Promise<RecentStrategy> {
  const name = p.strategy_name!;
  const metrics: Record<string, number | null> = { accuracy: numOrNull(p.training_result?.accuracy) };
  // Read as numbers or null: an older record may lack a metric.
  for (const k of HEADLINE_BACKTEST) metrics[k] = numOrNull(p.backtest_result?.[k]);
  const verdict = p.assessment_verdict ?? null;
  const inspected = await strategies.inspect(name).catch(() => null);
  const indicators = inspected?.valid ? [...new Set(Object.values(inspected.config.indicators).map((i) => i.type))].sort() : undefined;
  return {
    name,
    verdict,
    metrics,
    ...(indicators ? { indicators } : {}),
    ...(op.status === 'failed' && op.error_message ? { outcome: op.error_message } : {}),
  };
}
