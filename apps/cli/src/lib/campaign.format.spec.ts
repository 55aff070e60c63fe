import type { CampaignView, HoldoutResult, Trial } from '@ktrdr/api-contract';
import { operationRecord } from '../../../../tools/testing/operation.fixture';
import { campaignErrorFrom, type ApiClient, type CampaignLeaderboard, type CampaignTrials } from './api.client';
import { campaignFollowHooks } from './campaign.follow';
import {
  CampaignRecordNotes,
  campaignCancelledLines,
  campaignFollowSummaryLines,
  campaignListLines,
  campaignReportLines,
  campaignStartedLines,
  campaignStatusLines,
  leaderboardLines,
  pboText,
  trialNote,
  trialsTableLines,
} from './campaign.format';

const ID = 'op_agent_campaign_20261207_091500_ab12cd34';
const OLD = 'op_agent_campaign_20261206_080000_cd34ef56';
const CYCLE = 'op_agent_research_20261207_091730_12345678';

function view(fields: Partial<CampaignView> = {}): CampaignView {
  return {
    operation_id: ID,
    status: 'running',
    stage: 'searching',
    created_at: '2026-12-07T09:15:00.000Z',
    started_at: '2026-12-07T09:15:01.000Z',
    completed_at: null,
    error_message: null,
    brief: null,
    scope: { symbols: ['SP500'], timeframe: '1d' },
    limits: {
      max_cycles: 20,
      max_duration_seconds: null,
      budget_usd: null,
      concurrency: 1,
      stop_after_unproductive: 5,
      target_dsr: null,
      finalists: 3,
      search: 'directed',
      seed: 42,
    },
    holdout: { from: '2016-03-27', to: '2020-04-17' },
    ledger_id: ID,
    resumed_from: null,
    trials: 2,
    active_cycles: [CYCLE],
    best: { trial: 2, dsr: 0.41, sharpe: 1.12, strategy_name: 'offline_rsi_reversion_aa' },
    spent_usd: 0,
    stop_reason: null,
    verdict: null,
    verdict_reason: null,
    pbo: null,
    finalists: [],
    lessons: [],
    report: [],
    ...fields,
  };
}

function trial(n: number, fields: Partial<Trial> = {}): Trial {
  return {
    trial: n,
    cycle_id: `op_agent_research_20261207_0915${String(n).padStart(2, '0')}_0000000${n}`,
    campaign_id: ID,
    strategy_name: `offline_s${n}`,
    strategy_hash: `h${n}`,
    idea: { family: n % 2 ? 'mean_reversion/zigzag' : 'trend/zigzag', hypothesis: null },
    params: null,
    outcome: 'passed',
    reason: null,
    metrics: {
      accuracy: 0.6,
      majority_baseline: 0.5,
      sharpe_ratio: 0.5 + n / 10,
      total_return: 0.1,
      max_drawdown: 0.2,
      win_rate: 0.5,
      total_trades: 20 + n,
      random_entry_p_value: 0.05,
      psr: 0.9,
      per_bar_sharpe: 0.03,
      bars: 2449,
    },
    recorded_at: '2026-12-07T09:16:00.000Z',
    dsr_at_record: 0.3,
    dsr: 0.3 + n / 10,
    holdout_result: null,
    ...fields,
  };
}

function look(n: number, fields: Partial<HoldoutResult> = {}): HoldoutResult {
  return {
    trial: n,
    cycle_id: `op_agent_research_20261207_1000${String(n).padStart(2, '0')}_aaaaaaa${n}`,
    status: 'completed',
    sharpe_ratio: 0.61,
    total_return: 0.072,
    max_drawdown: 0.1,
    total_trades: 12,
    win_rate: 0.5,
    benchmark_return: 0.31,
    error: null,
    ...fields,
  };
}

describe('campaign start and resume', () => {
  it('names the campaign, its sealed holdout and how to follow and cancel it', () => {
    expect(campaignStartedLines({ triggered: true, operation_id: ID, holdout: { from: '2016-03-27', to: '2020-04-17' }, message: 'x' }, false)).toEqual([
      'Research campaign started!',
      `  Campaign ID: ${ID}`,
      '  Holdout (sealed): 2016-03-27 to 2020-04-17; no trial sees these bars, the finalists are evaluated on them once at the end',
      `  Follow it with: npx ktrdr campaign status ${ID} --follow`,
      `  Cancel it with: npx ktrdr campaign cancel ${ID}`,
    ]);
  });

  it('a resumed campaign names the one it goes on from, and a followed one has no follow hint', () => {
    const lines = campaignStartedLines(
      { triggered: true, operation_id: ID, holdout: { from: '2016-03-27', to: '2020-04-17' }, resumed_from: OLD, message: 'x' },
      true,
    );
    expect(lines[0]).toBe('Research campaign resumed!');
    expect(lines).toContain(`  Resumed from: ${OLD} (same ledger and holdout: its trials go on counting)`);
    expect(lines.join('\n')).not.toContain('Follow it with');
  });
});

describe('campaign status', () => {
  it('while searching: cycle i/N, the active cycle, the best trial, the spend and the limits', () => {
    const lines = campaignStatusLines(
      view({ brief: 'volatility', limits: { ...view().limits, budget_usd: 5, max_duration_seconds: 7200, target_dsr: 0.9 }, spent_usd: 0.125 }),
    );
    expect(lines).toEqual([
      `Campaign: ${ID}`,
      '  Status: RUNNING (searching)',
      '  Cycle: 3/20 (2 trials recorded)',
      `  Active cycle: ${CYCLE}`,
      '  Best so far: trial 2 · DSR 0.41 · Sharpe 1.12 · offline_rsi_reversion_aa',
      '  Spent: $0.13 of $5.00 budget',
      '  Scope: SP500 1d',
      '  Brief: volatility',
      '  Limits: 20 cycles, at most 2h 00m, stop after 5 unproductive, target DSR 0.90, 1 at a time, 3 finalists, directed search (seed 42)',
      '  Holdout: 2016-03-27 to 2020-04-17 (sealed)',
      '  Started: 2026-12-07 09:15:01 UTC',
      `Follow it with: npx ktrdr campaign status ${ID} --follow`,
      `Cancel it with: npx ktrdr campaign cancel ${ID}`,
    ]);
  });

  it('on the holdout: the stage, the evaluations running, the stop reason', () => {
    const lines = campaignStatusLines(
      view({ stage: 'holdout', stop_reason: 'unproductive', trials: 9, finalists: [look(2, { status: 'running', sharpe_ratio: null })] }),
    );
    expect(lines).toContain('  Status: RUNNING (evaluating the finalists on the holdout)');
    expect(lines).toContain('  Cycle: 9/20 (9 trials recorded)');
    expect(lines).toContain(`  Holdout evaluation: ${CYCLE}`);
    expect(lines).toContain('  Stop reason: unproductive');
    expect(lines).toContain('  Finalists on the holdout: trial 2: running');
    expect(lines).toContain('  Holdout: 2016-03-27 to 2020-04-17 (evaluated once by the finalists)');
  });

  it('once ended: the verdict and why, the PBO, the finalists, the report, and no follow hint', () => {
    const done = view({
      status: 'completed',
      stage: 'done',
      completed_at: '2026-12-07T10:15:00.000Z',
      active_cycles: [],
      trials: 12,
      stop_reason: 'max_cycles',
      verdict: 'found',
      verdict_reason: 'trial 2 (offline_rsi_reversion_aa): DSR 0.97 ≥ 0.95, PBO 0.10 ≤ 0.20, holdout Sharpe 0.61 > 0',
      pbo: 0.1,
      finalists: [look(2), look(5, { status: 'failed', sharpe_ratio: null, error: 'no bars' })],
      report: ['12 trials: 3 passed every gate.', 'Found: trial 2.'],
    });
    const lines = campaignStatusLines(done);
    expect(lines).toEqual(
      expect.arrayContaining([
        '  Status: COMPLETED (done)',
        '  Trials: 12 of at most 20',
        '  Best trial: trial 2 · DSR 0.41 · Sharpe 1.12 · offline_rsi_reversion_aa',
        '  Stop reason: max_cycles',
        '  Verdict: FOUND: trial 2 (offline_rsi_reversion_aa): DSR 0.97 ≥ 0.95, PBO 0.10 ≤ 0.20, holdout Sharpe 0.61 > 0',
        '  PBO: 0.10',
        '  Finalists on the holdout: trial 2: Sharpe 0.61; trial 5: failed (no bars)',
        '  Completed: 2026-12-07 10:15:00 UTC',
        'Report:',
        '  12 trials: 3 passed every gate.',
        '  Found: trial 2.',
      ]),
    );
    expect(lines.join('\n')).not.toMatch(/Follow it with|Resume it with|Active cycle/);
    expect(campaignFollowSummaryLines(done)[0]).toBe('Research campaign completed: found');
  });

  it('a cancelled campaign whose holdout is unseen can be resumed, and says so', () => {
    const cancelled = view({ status: 'cancelled', completed_at: '2026-12-07T10:00:00.000Z', active_cycles: [], best: null, stop_reason: 'cancelled' });
    const lines = campaignStatusLines(cancelled);
    expect(lines).toContain('  Best trial: none');
    expect(lines).toContain('  Ended: 2026-12-07 10:00:00 UTC');
    expect(lines).toContain(`Resume it with: npx ktrdr campaign resume ${ID}`);
    expect(campaignFollowSummaryLines(cancelled)[0]).toBe('Research campaign cancelled');
    const failed = view({ status: 'failed', error_message: 'Redis went away', active_cycles: [] });
    expect(campaignFollowSummaryLines(failed)[0]).toBe('Research campaign failed: Redis went away');
    expect(campaignStatusLines(failed)).toContain('  Error: Redis went away');
  });
});

describe('campaign list and cancel', () => {
  it('one row per campaign: its cycles, best DSR, spend and outcome', () => {
    const lines = campaignListLines({
      success: true,
      total_count: 3,
      data: [view(), view({ operation_id: OLD, status: 'completed', stage: 'done', trials: 20, active_cycles: [], best: null, verdict: 'nothing_found' })],
    });
    expect(lines[0]).toMatch(/^CAMPAIGN ID\s+STATUS\s+CYCLES\s+BEST DSR\s+SPENT\s+OUTCOME\s+SCOPE\s+CREATED \(UTC\)$/);
    expect(lines[2]).toMatch(new RegExp(`^${ID}\\s+running\\s+3/20\\s+0\\.41\\s+\\$0\\.00\\s+searching\\s+SP500 1d\\s+2026-12-07 09:15:00$`));
    expect(lines[3]).toMatch(new RegExp(`^${OLD}\\s+completed\\s+20/20\\s+-\\s+\\$0\\.00\\s+nothing_found\\s+SP500 1d`));
    expect(lines.at(-1)).toBe('Showing 2 of 3 campaigns. Show one with: npx ktrdr campaign status <ID>');
    expect(campaignListLines({ success: true, total_count: 0, data: [] })).toEqual([
      'No research campaigns found.',
      'Start one with: npx ktrdr campaign start',
    ]);
  });

  it('a cancel names what it cancelled with the campaign and how to resume', () => {
    expect(campaignCancelledLines({ success: true, operation_id: ID, status: 'cancelled', children_cancelled: [CYCLE], message: 'x' })).toEqual([
      'Research campaign cancelled!',
      `  Campaign: ${ID}`,
      '  Cancelled with it: 1 operation',
      `    - ${CYCLE}`,
      `  Resume it with: npx ktrdr campaign resume ${ID}`,
    ]);
    expect(campaignCancelledLines({ success: true, operation_id: ID, status: 'cancelled', children_cancelled: [], message: 'x' })[2]).toBe(
      '  Cancelled with it: nothing else was running',
    );
  });
});

describe('campaign trials and leaderboard', () => {
  const trials: CampaignTrials = {
    success: true,
    total_count: 3,
    dsr_threshold: 0.95,
    expected_max_sharpe: 0.0188,
    data: [
      trial(1),
      trial(2, { holdout_result: look(2) }),
      trial(3, {
        outcome: 'gate_failed',
        reason: 'Backtest gate failed: not_significant (p 0.64 > 0.10)',
        dsr: null,
        metrics: { ...trial(3).metrics, sharpe_ratio: null },
      }),
    ],
  };

  it('every trial in order with its outcome, Sharpe, trades, DSR, holdout Sharpe and reason', () => {
    const lines = trialsTableLines(ID, trials);
    expect(lines[0]).toMatch(/^TRIAL\s+STRATEGY\s+FAMILY\s+OUTCOME\s+SHARPE\s+RETURN\s+TRADES\s+DSR\s+HOLDOUT SHARPE\s+REASON$/);
    expect(lines[2]).toMatch(/^\s+1\s+offline_s1\s+mean_reversion\/zigzag\s+passed\s+0\.60\s+10\.0%\s+21\s+0\.40$/);
    expect(lines[3]).toMatch(/^\s+2\s+offline_s2\s+trend\/zigzag\s+passed\s+0\.70\s+10\.0%\s+22\s+0\.50\s+0\.61$/);
    expect(lines[4]).toMatch(/^\s+3\s+offline_s3\s+mean_reversion\/zigzag\s+gate_failed\s+-\s+10\.0%\s+23\s+-\s+Backtest gate failed: not_significant/);
    expect(lines).toContain('3 trials · a finding needs DSR ≥ 0.95 · SR₀ 0.0188 (the per-bar Sharpe the best of N skill-less trials would show)');
    expect(trialsTableLines(ID, { ...trials, data: [], total_count: 0 })).toEqual([`No trials recorded for ${ID} yet.`]);
  });

  const board: CampaignLeaderboard = {
    success: true,
    trials: 3,
    pbo: 0.36,
    pbo_trials: 2,
    pbo_bars: 2449,
    dsr_threshold: 0.95,
    pbo_threshold: 0.2,
    data: [
      { ...trial(2, { dsr: 0.97 }), rank: 1 },
      { ...trial(1), rank: 2 },
    ],
  };

  it('ranks by DSR against the threshold, with the PBO line', () => {
    const lines = leaderboardLines(ID, board);
    expect(lines[0]).toMatch(/^RANK\s+TRIAL\s+FAMILY\s+DSR\s+VS 0\.95\s+SHARPE\s+TRADES\s+OUTCOME\s+STRATEGY$/);
    expect(lines[2]).toMatch(/^\s+1\s+2\s+trend\/zigzag\s+0\.97\s+meets\s+0\.70\s+22\s+passed\s+offline_s2$/);
    expect(lines[3]).toMatch(/^\s+2\s+1\s+mean_reversion\/zigzag\s+0\.40\s+below\s+0\.60\s+21\s+passed\s+offline_s1$/);
    expect(lines.slice(-2)).toEqual([
      '2 of 3 trials ranked (those with out-of-sample returns) · a finding needs DSR ≥ 0.95',
      'PBO: 0.36 over 2 trials × 2449 bars (above 0.20, too likely overfit for a finding)',
    ]);
  });

  it('says why nothing is ranked and why there is no PBO', () => {
    expect(leaderboardLines(ID, { ...board, data: [], pbo: null, pbo_trials: 0, pbo_bars: 0 })).toEqual([
      `No trial of ${ID} has out-of-sample returns yet: nothing to rank (3 trials recorded).`,
      'PBO: not available (it needs at least 2 trials with out-of-sample returns over common bars; 0 so far)',
    ]);
    expect(pboText({ pbo: 0.1, pbo_trials: 4, pbo_bars: 500, pbo_threshold: 0.2 })).toBe(
      'PBO: 0.10 over 4 trials × 500 bars (at most 0.20, as a finding needs)',
    );
  });
});

describe('campaign report', () => {
  it('verdict and why, stop reason, families, finalists on the holdout beside their walk-forward Sharpe, the sentences', () => {
    const v = view({
      status: 'completed',
      stage: 'done',
      trials: 3,
      active_cycles: [],
      stop_reason: 'unproductive',
      verdict: 'nothing_found',
      verdict_reason: 'trial 2 (offline_s2): DSR 0.50 < 0.95',
      pbo: 0.36,
      finalists: [look(2)],
      lessons: [
        { family: 'trend/zigzag', trials: 1, passed: 1, best_dsr: 0.5, mean_sharpe: 0.7 },
        { family: 'mean_reversion/zigzag', trials: 2, passed: 1, best_dsr: 0.4, mean_sharpe: null },
      ],
      report: ['Families that helped (passed the gates, DSR ≥ 0.50): trend/zigzag (best DSR 0.50, 1 trials).', 'Nothing found: trial 2.'],
    });
    const lines = campaignReportLines(v, [trial(1), trial(2)]);
    expect(lines.slice(0, 7)).toEqual([
      `Research campaign report: ${ID}`,
      '  COMPLETED · 3 trials · SP500 1d · holdout 2016-03-27 to 2020-04-17',
      'Verdict: NOTHING FOUND',
      '  Why: trial 2 (offline_s2): DSR 0.50 < 0.95',
      'Stop reason: unproductive',
      'Best trial: trial 2 · DSR 0.41 · Sharpe 1.12 · offline_rsi_reversion_aa',
      'PBO: 0.36',
    ]);
    const text = lines.join('\n');
    expect(text).toMatch(
      /FAMILY\s+TRIALS\s+PASSED\s+BEST DSR\s+MEAN SHARPE\n.*\n\s+trend\/zigzag\s+1\s+1\s+0\.50\s+0\.70\n\s+mean_reversion\/zigzag\s+2\s+1\s+0\.40\s+-/,
    );
    expect(text).toMatch(/TRIAL\s+STRATEGY\s+DSR\s+WALK-FORWARD SHARPE\s+HOLDOUT SHARPE\s+HOLDOUT RETURN\s+BUY & HOLD\s+STATUS/);
    expect(text).toMatch(/\n\s+2\s+offline_s2\s+0\.50\s+0\.70\s+0\.61\s+7\.2%\s+31\.0%\s+completed/);
    expect(lines.slice(-3)).toEqual([
      'In words:',
      '  Families that helped (passed the gates, DSR ≥ 0.50): trend/zigzag (best DSR 0.50, 1 trials).',
      '  Nothing found: trial 2.',
    ]);
  });

  it('a running campaign has no verdict yet and no finalists yet', () => {
    const lines = campaignReportLines(view(), []);
    expect(lines).toContain('Verdict: not yet (the campaign is searching)');
    expect(lines).toContain('Stop reason: none yet (still searching)');
    expect(lines).toContain('  none yet (chosen when the search stops)');
  });
});

describe('following a campaign', () => {
  it('tells a new best, the stop rule and the holdout once each, from the record', () => {
    const notes = new CampaignRecordNotes();
    expect(notes.next({ stage: 'searching' })).toEqual([]);
    const best = { trial: 2, dsr: 0.41, sharpe: 1.12, strategy_name: 's2' };
    expect(notes.next({ stage: 'searching', best })).toEqual(['Best so far: trial 2 · DSR 0.41 · Sharpe 1.12 · s2']);
    expect(notes.next({ stage: 'searching', best })).toEqual([]);
    expect(notes.next({ stage: 'holdout', best, stop_reason: 'unproductive', finalist_trials: [2, 4] })).toEqual([
      'Search stopped: unproductive',
      'Holdout: evaluating 2 finalists once (trial 2, 4)',
    ]);
    expect(notes.next({ stage: 'done', best, stop_reason: 'unproductive', finalist_trials: [2, 4] })).toEqual([]);
  });

  it('a trial note: outcome, strategy and family, Sharpe, DSR', () => {
    expect(trialNote(trial(3, { outcome: 'gate_failed', dsr: null }))).toBe('Trial 3 · gate_failed · offline_s3 (mean_reversion/zigzag) · Sharpe 0.80 · DSR -');
  });

  it('tells each cycle it starts and each trial it records, reading them when the record moves', async () => {
    let current = view({ trials: 0, active_cycles: [CYCLE] });
    let ledger: Trial[] = [];
    const reads: string[] = [];
    const api = {
      getCampaign: async () => (reads.push('campaign'), current),
      campaignTrials: async () => (
        reads.push('trials'),
        { success: true, data: ledger, total_count: ledger.length, dsr_threshold: 0.95, expected_max_sharpe: null }
      ),
    } as unknown as ApiClient;
    const hooks = campaignFollowHooks(api, 0);
    const said: string[] = [];
    const snapshot = (cycles: number, recorded: number) => ({
      op: operationRecord({
        operation_id: ID,
        operation_type: 'agent_campaign',
        status: 'running',
        progress: { percentage: 10, current_step: 'Cycle', steps_completed: recorded, steps_total: 20 },
        metadata: { parameters: { stage: 'searching', cycles_started: cycles } },
      }),
      child: null,
    });
    hooks.onUpdate(snapshot(1, 0), (l) => said.push(l));
    await hooks.settle();
    // The same record again reads nothing.
    hooks.onUpdate(snapshot(1, 0), (l) => said.push(l));
    await hooks.settle();
    expect(reads).toEqual(['campaign']);
    ledger = [trial(1)];
    current = view({ trials: 1, active_cycles: ['op_agent_research_20261207_091800_87654321'] });
    hooks.onUpdate(snapshot(2, 1), (l) => said.push(l));
    await hooks.settle();
    expect(said).toEqual([
      `Cycle started: ${CYCLE}`,
      'Cycle started: op_agent_research_20261207_091800_87654321',
      'Trial 1 · passed · offline_s1 (mean_reversion/zigzag) · Sharpe 0.60 · DSR 0.40',
    ]);
    expect(hooks.detach(ID)).toEqual(['Detached. The campaign keeps running.', `Re-attach with: npx ktrdr campaign status ${ID} --follow`]);
  });
});

describe('campaign refusals', () => {
  it("take the envelope's details.reason as their code, keeping the message", () => {
    const e = campaignErrorFrom(409, {
      success: false,
      error: {
        code: 'OPERATION_FINISHED',
        message: `Campaign ${ID} is already finished (status: completed)`,
        details: { reason: 'not_cancellable', status: 'completed' },
      },
    });
    expect(e).toMatchObject({ code: 'not_cancellable', status: 409, message: `Campaign ${ID} is already finished (status: completed)` });
    // A validation failure has no reason: its code stays the envelope's.
    expect(campaignErrorFrom(422, { success: false, error: { code: 'VALIDATION_FAILED', message: 'Invalid body', details: { errors: [] } } }).code).toBe(
      'VALIDATION_FAILED',
    );
  });
});
