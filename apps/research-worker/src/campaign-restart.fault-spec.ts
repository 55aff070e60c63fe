import type { CampaignView, Trial } from '@ktrdr/api-contract';
import { eventually, pause, startDurableRedis, startStack, type DurableRedis, type Stack } from '../../../tools/testing/stack.harness';

/**
 * A campaign's ledger is in Redis beside the records: a Redis restart (AOF) mid-campaign loses no
 * trial, and the campaign goes on to its end. Real processes, real offline trials.
 */

const TERMINAL = ['completed', 'failed', 'cancelled'];

describe('Redis restarts (AOF) mid-campaign', () => {
  let stack: Stack;
  let redis: DurableRedis;

  beforeAll(async () => {
    redis = await startDurableRedis();
    stack = await startStack({
      redisUrl: redis.url,
      workers: ['research,design,assessment', 'training,backtest,fold'],
      workerEnv: { KTRDR_STUB_WORKERS: 'false', KTRDR_RECONCILE_INTERVAL_MS: '500', KTRDR_JOB_LOCK_MS: '3000' },
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop().catch(() => undefined);
    await redis?.remove();
  });

  it('no trial is lost and the campaign ends with every cycle in its ledger', async () => {
    const res = await stack.request<{ operation_id: string }>('POST', '/agent/campaigns', { max_cycles: 4, stop_after_unproductive: 10, seed: 3 });
    expect(res.status).toBe(202);
    const id = res.body.operation_id;
    const trials = async (): Promise<Trial[]> => (await stack.request<{ data: Trial[] }>('GET', `/agent/campaigns/${id}/trials`)).body.data;
    await eventually(async () => ((await trials().catch(() => [])).length >= 2 ? true : undefined), 'two trials', 120_000, 100);
    const before = await trials();
    await redis.kill();
    // The outage is what is tested: Redis stays down for a second while every process retries.
    await pause(1000);
    await redis.start();
    const done = await eventually(
      async () => {
        const v = (await stack.request<{ data: CampaignView }>('GET', `/agent/campaigns/${id}`).catch(() => null))?.body.data;
        return v && TERMINAL.includes(v.status) ? v : undefined;
      },
      'campaign terminal',
      240_000,
      250,
    ).catch(async (e: unknown) => {
      // Say where it stood: the campaign and every cycle under it, with their children.
      const view = (await stack.request<{ data: CampaignView }>('GET', `/agent/campaigns/${id}`)).body.data;
      const cycles = (await stack.request<{ data: { operation_id: string; status: string }[] }>('GET', `/operations/${id}/children`)).body.data;
      const lines = await Promise.all(
        cycles.map(async (c) => {
          const kids = (await stack.request<{ data: { operation_type: string; status: string }[] }>('GET', `/operations/${c.operation_id}/children`)).body.data;
          return `${c.operation_id} ${c.status}: ${kids.map((k) => `${k.operation_type}=${k.status}`).join(' ')}`;
        }),
      );
      throw new Error(
        `${(e as Error).message}\ncampaign ${view.status}/${view.stage}, ${view.trials} trials, active ${view.active_cycles.join(',')}\n${lines.join('\n')}\n${stack.workers.map((w) => w.output().slice(-3000)).join('\n---\n')}`,
      );
    });
    expect(done.status).toBe('completed');
    const after = await trials();
    // Every trial recorded before the restart is still there, as it was.
    expect(after.slice(0, before.length).map((t) => [t.trial, t.cycle_id, t.strategy_hash])).toEqual(before.map((t) => [t.trial, t.cycle_id, t.strategy_hash]));
    expect(after.map((t) => t.trial)).toEqual(after.map((_, i) => i + 1));
    expect(after.length).toBe(4);
    // A cycle the outage broke is a failed trial with its reason, not a hole in the ledger.
    for (const t of after.filter((x) => x.outcome === 'failed')) expect(t.reason).toEqual(expect.any(String));
  }, 300_000);
});
