import type { HoldoutResult } from '@ktrdr/api-contract';
import { Redis } from 'ioredis';
import { CampaignLedger, type NewTrial } from './campaign.ledger';

const prefix = `it_ledger_${process.pid}_${Date.now()}`;
let redis: Redis;

beforeAll(() => {
  redis = new Redis(process.env['REDIS_URL']!);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

const trial = (cycle: string, outcome: NewTrial['outcome'] = 'passed'): NewTrial => ({
  cycle_id: cycle,
  campaign_id: 'op_agent_campaign_20261207_000000_0000abcd',
  strategy_name: `s_${cycle}`,
  strategy_hash: `h_${cycle}`,
  idea: { family: 'trend/zigzag', hypothesis: null },
  params: null,
  outcome,
  reason: outcome === 'passed' ? null : 'Training gate failed: no_skill',
  metrics: {
    accuracy: 0.5,
    majority_baseline: 0.4,
    sharpe_ratio: 0.3,
    total_return: 0.1,
    max_drawdown: 0.2,
    win_rate: 0.5,
    total_trades: 12,
    random_entry_p_value: 0.2,
    psr: 0.7,
    per_bar_sharpe: 0.02,
    bars: 3,
  },
  recorded_at: '2026-12-07T00:00:00.000Z',
  dsr_at_record: null,
});

describe('CampaignLedger on a real Redis', () => {
  it('numbers trials in the order they are recorded, once per cycle, with their returns', async () => {
    const ledger = new CampaignLedger(redis, prefix);
    expect(await ledger.record('L1', trial('c1'), { t: [1, 2, 3], r: [0.0123456789, -0.02, 0] })).toEqual({ trial: 1, added: true });
    expect(await ledger.record('L1', trial('c2', 'gate_failed'), null)).toEqual({ trial: 2, added: true });
    // A second step seeing the same cycle end changes nothing.
    expect(await ledger.record('L1', trial('c1', 'failed'), null)).toEqual({ trial: 1, added: false });
    const trials = await ledger.trials('L1');
    expect(trials.map((t) => [t.trial, t.cycle_id, t.outcome])).toEqual([
      [1, 'c1', 'passed'],
      [2, 'c2', 'gate_failed'],
    ]);
    const returns = await ledger.returns('L1');
    expect([...returns.keys()]).toEqual(['c1']);
    expect(returns.get('c1')).toEqual({ t: [1, 2, 3], r: [0.012345679, -0.02, 0] });
    expect(await ledger.has('L1', 'c2')).toBe(true);
    expect(await ledger.has('L1', 'c3')).toBe(false);
    // Another ledger is another count.
    expect(await ledger.record('L2', trial('c9'), null)).toEqual({ trial: 1, added: true });
    // Under the store's prefix and hash tag.
    expect(await redis.exists(`${prefix}:{ops}:ledger:L1:trials`)).toBe(1);
  });

  it('numbers concurrent records without a gap or a repeat', async () => {
    const ledger = new CampaignLedger(redis, prefix);
    const out = await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.record('L3', trial(`k${i}`), null)));
    expect(out.map((o) => o.trial).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('grants each trial one look at the holdout', async () => {
    const ledger = new CampaignLedger(redis, prefix);
    const look: HoldoutResult = {
      trial: 1,
      cycle_id: null,
      status: 'pending',
      sharpe_ratio: null,
      total_return: null,
      max_drawdown: null,
      total_trades: null,
      win_rate: null,
      benchmark_return: null,
      error: null,
    };
    expect(await ledger.claimHoldout('L1', look)).toBe(true);
    expect(await ledger.claimHoldout('L1', { ...look, cycle_id: 'other' })).toBe(false);
    await ledger.updateHoldout('L1', { ...look, status: 'completed', sharpe_ratio: 0.8 });
    // An update never creates a look that was not claimed.
    await ledger.updateHoldout('L1', { ...look, trial: 2 });
    const looks = await ledger.holdouts('L1');
    expect([...looks.keys()]).toEqual([1]);
    expect(looks.get(1)).toMatchObject({ status: 'completed', sharpe_ratio: 0.8 });
  });

  it('keeps the scores the last step computed, for readers that do not compute them', async () => {
    const ledger = new CampaignLedger(redis, prefix);
    expect(await ledger.scores('L4')).toBeNull();
    const scores = {
      dsr: { c1: 0.61, c2: null },
      expected_max_sharpe: 0.23,
      trials: 2,
      pbo: 0.4,
      pbo_trials: 2,
      pbo_bars: 300,
      computed_at: '2026-12-07T00:00:00.000Z',
    };
    await ledger.writeScores('L4', scores);
    expect(await ledger.scores('L4')).toEqual(scores);
  });
});
