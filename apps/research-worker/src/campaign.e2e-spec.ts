import type { CampaignView, Trial } from '@ktrdr/api-contract';
import { eventually, startStack, type ManagedProcess, type Stack } from '../../../tools/testing/stack.harness';
import { OPEN_GATES_ENV } from '../../../tools/testing/research.fixtures';

/**
 * Research campaigns end to end on real processes and a real Redis: an orchestrator process, a
 * design/assessment process and a compute process (training, backtest, folds), real offline designs
 * and real walk-forward training. A campaign completes with a report; a cancel during a trial's
 * training leaves every record of the tree cancelled when it returns; a kill -9 of the orchestrator
 * mid-campaign loses nothing; a resume continues the ledger.
 */

interface Op {
  operation_id: string;
  operation_type: string;
  status: string;
  error_message: string | null;
  metadata: { parameters: Record<string, unknown> };
}

const TERMINAL = ['completed', 'failed', 'cancelled'];
const REAL = { KTRDR_STUB_WORKERS: 'false', KTRDR_JOB_LOCK_MS: '2000', KTRDR_RECONCILE_INTERVAL_MS: '300' };

const getOp = async (stack: Stack, id: string): Promise<Op> => (await stack.request<{ data: Op }>('GET', `/operations/${id}`)).body.data;
const childrenOf = async (stack: Stack, id: string): Promise<Op[]> => (await stack.request<{ data: Op[] }>('GET', `/operations/${id}/children`)).body.data;
const campaign = async (stack: Stack, id: string): Promise<CampaignView> =>
  (await stack.request<{ data: CampaignView }>('GET', `/agent/campaigns/${id}`)).body.data;
const trials = async (stack: Stack, id: string): Promise<Trial[]> => (await stack.request<{ data: Trial[] }>('GET', `/agent/campaigns/${id}/trials`)).body.data;

async function start(stack: Stack, body: Record<string, unknown>): Promise<{ operation_id: string; holdout: { from: string; to: string } }> {
  const res = await stack.request<{ operation_id: string; holdout: { from: string; to: string } }>('POST', '/agent/campaigns', body);
  expect(res.status).toBe(202);
  return res.body;
}

async function finished(stack: Stack, id: string, timeoutMs: number): Promise<CampaignView> {
  return eventually(
    async () => {
      const c = await campaign(stack, id).catch(() => undefined);
      return c && TERMINAL.includes(c.status) ? c : undefined;
    },
    `campaign ${id} terminal`,
    timeoutMs,
    200,
  );
}

/** Every operation under `id`, depth first. */
async function tree(stack: Stack, id: string): Promise<Op[]> {
  const out: Op[] = [];
  for (const child of await childrenOf(stack, id)) out.push(child, ...(await tree(stack, child.operation_id)));
  return out;
}

describe('research campaigns on real processes', () => {
  let stack: Stack;
  let orchestrator: ManagedProcess;

  beforeAll(async () => {
    stack = await startStack({
      workers: [],
      workerEnv: { ...REAL, ...OPEN_GATES_ENV, KTRDR_MAX_CONCURRENT_CYCLES: '2' },
      apiEnv: { KTRDR_MAX_CONCURRENT_CYCLES: '2' },
    });
    orchestrator = await stack.startWorker('research');
    await stack.startWorker('design,assessment');
    await stack.startWorker('training,backtest,fold');
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('a campaign of three short cycles completes with its trials, its finalists’ holdout results and a report', async () => {
    // A market with a planted edge, so the short campaign's trials trade (seed 2 traded in two of its first three).
    const { operation_id: id, holdout } = await start(stack, {
      scope: { symbols: ['SYNTH_EDGE_DEMO'], timeframe: '1d' },
      max_cycles: 3,
      finalists: 2,
      stop_after_unproductive: 10,
      seed: 2,
    });
    // The sealed holdout is the last fifth of the synthetic series' twelve years (2015 → 2026).
    expect(holdout.to).toBe('2026-12-31');
    expect(Date.parse(holdout.to) - Date.parse(holdout.from)).toBeGreaterThan(2.3 * 365 * 86_400_000);

    const done = await finished(stack, id, 240_000);
    expect(done.status).toBe('completed');
    expect(done.stage).toBe('done');
    expect(done.stop_reason).toBe('max_cycles');
    expect(done.trials).toBe(3);
    expect(['found', 'nothing_found']).toContain(done.verdict);
    expect(done.verdict_reason).toEqual(expect.any(String));
    expect(done.report.length).toBeGreaterThanOrEqual(3);
    expect(done.report[0]).toMatch(/^3 trials: /);

    const ts = await trials(stack, id);
    expect(ts.map((t) => t.trial)).toEqual([1, 2, 3]);
    // Three different designs, each evaluated in full on the bars before the holdout.
    expect(new Set(ts.map((t) => t.strategy_hash)).size).toBe(3);
    for (const t of ts) {
      expect(t.outcome).toBe('passed');
      expect(t.metrics.bars).toBeGreaterThan(1000);
      // A DSR for every trial that traded (a run that never moved has no Sharpe ratio to deflate).
      if ((t.metrics.total_trades ?? 0) > 0) expect(t.dsr).not.toBeNull();
      const strategy = (await stack.request<{ data: { backtest: { date_range: { end: string } } } }>('GET', `/strategies/${t.strategy_name}`)).body.data;
      expect(Date.parse(strategy.backtest.date_range.end)).toBeLessThan(Date.parse(holdout.from));
    }
    // The finalists are gate-passing trials; each had one look at the holdout, by a cycle of its own.
    const ranked = ts.filter((t) => t.dsr !== null).sort((a, b) => b.dsr! - a.dsr! || a.trial - b.trial);
    expect(ranked.length).toBeGreaterThan(0);
    expect(done.finalists.map((f) => f.trial)).toEqual(ranked.slice(0, 2).map((t) => t.trial));
    for (const look of done.finalists) {
      expect(look.status).toBe('completed');
      expect(look.cycle_id).toEqual(expect.any(String));
      expect(look.sharpe_ratio).toEqual(expect.any(Number));
      const cycle = await getOp(stack, look.cycle_id!);
      expect(cycle.metadata.parameters['holdout_of']).toBe(look.trial);
      // Its backtest ran on the holdout and only there.
      const backtest = (await childrenOf(stack, look.cycle_id!)).find((c) => c.operation_type === 'backtesting')!;
      const equity = (await stack.request<{ data: { t: string[] } }>('GET', `/operations/${backtest.operation_id}/artifacts/equity`)).body.data;
      expect(equity.t[0]! >= holdout.from).toBe(true);
      expect(equity.t[equity.t.length - 1]!.slice(0, 10) <= holdout.to).toBe(true);
    }
    // The verdict reads the best finalist's three tests.
    expect(done.verdict_reason).toMatch(/^trial \d+ \(.+\): (DSR|PBO|holdout)/);
    const board = (await stack.request<{ data: { rank: number; trial: number }[]; trials: number }>('GET', `/agent/campaigns/${id}/leaderboard`)).body;
    expect(board.trials).toBe(3);
    expect(board.data.map((r) => r.rank)).toEqual(board.data.map((_, i) => i + 1));
  }, 300_000);

  it('a cancel during a trial’s training leaves campaign, cycle, training child and folds cancelled when it returns', async () => {
    // Hourly synthetic bars: a trial's fifteen fold jobs take long enough to be caught running.
    const { operation_id: id } = await start(stack, { scope: { symbols: ['SYNTH_CAMPAIGN'], timeframe: '1h' }, max_cycles: 5 });
    const training = await eventually(
      async () => {
        const ops = await tree(stack, id);
        const t = ops.find((o) => o.operation_type === 'training' && o.status === 'running');
        return t && ops.some((o) => o.operation_type === 'training_fold' && o.status === 'running') ? t : undefined;
      },
      'a trial training its folds',
      120_000,
      20,
    );
    const res = await stack.request<{ status: string; children_cancelled: string[] }>('DELETE', `/agent/campaigns/${id}`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    expect(res.body.children_cancelled).toContain(training.operation_id);
    // Read at once: the cancel's one atomic step made every record final.
    expect((await getOp(stack, id)).status).toBe('cancelled');
    const ops = await tree(stack, id);
    expect(ops.filter((o) => !TERMINAL.includes(o.status))).toEqual([]);
    expect((await getOp(stack, training.operation_id)).status).toBe('cancelled');
    expect(ops.filter((o) => o.operation_type === 'training_fold' && o.status === 'cancelled').length).toBeGreaterThan(0);
    expect((await campaign(stack, id)).stop_reason).toBe('cancelled');
    // A second cancel is refused, naming the status.
    const again = await stack.request<{ error: { code: string; details: { reason: string } } }>('DELETE', `/agent/campaigns/${id}`);
    expect(again.status).toBe(409);
    expect(again.body.error.details.reason).toBe('not_cancellable');
  }, 180_000);

  it('kill -9 of the orchestrator mid-campaign: a new one carries it on and its ledger is whole', async () => {
    const { operation_id: id } = await start(stack, { max_cycles: 3, finalists: 1, stop_after_unproductive: 10, seed: 11 });
    await eventually(async () => ((await trials(stack, id)).length >= 1 ? true : undefined), 'a first trial', 120_000, 100);
    orchestrator.child.kill('SIGKILL');
    await orchestrator.exited;
    orchestrator = await stack.startWorker('research');
    const done = await finished(stack, id, 240_000);
    expect(done.status).toBe('completed');
    const ts = await trials(stack, id);
    expect(ts.map((t) => t.trial)).toEqual([1, 2, 3]);
    // Every search cycle is in the ledger exactly once; the only other cycles are the finalists' looks.
    const cycles = await childrenOf(stack, id);
    const search = cycles.filter((c) => c.metadata.parameters['holdout_of'] === undefined);
    expect(search.map((c) => c.operation_id).sort()).toEqual(ts.map((t) => t.cycle_id).sort());
    expect(cycles.length - search.length).toBe(done.finalists.length);
  }, 300_000);

  it('resume of a cancelled campaign continues its ledger; a campaign whose holdout was looked at is not resumed', async () => {
    const { operation_id: id, holdout } = await start(stack, { max_cycles: 4, finalists: 1, stop_after_unproductive: 10, seed: 5 });
    // Cancelled with a trial recorded and the next one running, so the cancel ends a cycle of its own.
    await eventually(
      async () => ((await trials(stack, id)).length >= 1 && (await campaign(stack, id)).active_cycles.length > 0 ? true : undefined),
      'a first trial and a running one',
      120_000,
      20,
    );
    const cancel = await stack.request<{ children_cancelled: string[] }>('DELETE', `/agent/campaigns/${id}`);
    expect(cancel.status).toBe(200);
    const endedCycles = cancel.body.children_cancelled.filter((c) => c.startsWith('op_agent_research_'));
    const before = await trials(stack, id);

    const res = await stack.request<{ operation_id: string; resumed_from: string; holdout: { from: string } }>('POST', `/agent/campaigns/${id}/resume`);
    expect(res.status).toBe(202);
    expect(res.body.resumed_from).toBe(id);
    expect(res.body.holdout).toEqual(holdout);
    // Once only: a second resume of the same campaign is refused, naming the first.
    const twice = await stack.request<{ error: { message: string; details: { reason: string } } }>('POST', `/agent/campaigns/${id}/resume`);
    expect(twice.status).toBe(409);
    expect(twice.body.error.details.reason).toBe('not_resumable');
    expect(twice.body.error.message).toContain(`already resumed as ${res.body.operation_id}`);
    const done = await finished(stack, res.body.operation_id, 240_000);
    expect(done.status).toBe('completed');
    expect(done.ledger_id).toBe(id);
    const after = await trials(stack, res.body.operation_id);
    // The old trials are still there, with their numbers; the cycle the cancel ended is a trial too;
    // the count goes on to the campaign's four.
    expect(after.slice(0, before.length).map((t) => t.cycle_id)).toEqual(before.map((t) => t.cycle_id));
    expect(after.map((t) => t.trial)).toEqual(after.map((_, i) => i + 1));
    expect(after.length).toBe(4);
    // Every cycle the cancel ended is a trial of the old campaign.
    for (const c of endedCycles) expect(after.find((t) => t.cycle_id === c)).toMatchObject({ outcome: 'cancelled', campaign_id: id });

    // The finished campaign is not resumable; nor is a cancelled one whose holdout has been looked at.
    const again = await stack.request<{ error: { details: { reason: string } } }>('POST', `/agent/campaigns/${res.body.operation_id}/resume`);
    expect(again.status).toBe(409);
    expect(again.body.error.details.reason).toBe('not_resumable');
    const { operation_id: other } = await start(stack, { max_cycles: 5 });
    expect((await stack.request('DELETE', `/agent/campaigns/${other}`)).status).toBe(200);
    await stack.redis.hset(`${stack.prefix}:{ops}:ledger:${other}:holdout`, '1', JSON.stringify({ trial: 1, status: 'completed' }));
    const looked = await stack.request<{ error: { code: string; message: string; details: { reason: string } } }>('POST', `/agent/campaigns/${other}/resume`);
    expect(looked.status).toBe(409);
    expect(looked.body.error.details.reason).toBe('holdout_used');
    expect(looked.body.error.message).toMatch(/holdout was already evaluated/);
  }, 300_000);

  it('bad input gets a 422 naming the field, and campaign routes refuse other operations', async () => {
    const bad = await stack.request<{ error: { message: string } }>('POST', '/agent/campaigns', {
      max_cycles: 0,
      scope: { symbols: ['NOPE'], timeframe: '1d' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/max_cycles/);
    const noData = await stack.request<{ error: { message: string } }>('POST', '/agent/campaigns', { scope: { symbols: ['NOPE'], timeframe: '1d' } });
    expect(noData.status).toBe(422);
    expect(noData.body.error.message).toMatch(/scope\.symbols: no market data for NOPE 1d/);
    const tooMany = await stack.request<{ error: { message: string } }>('POST', '/agent/campaigns', { concurrency: 3 });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.message).toMatch(/concurrency: must be at most KTRDR_MAX_CONCURRENT_CYCLES \(2\)/);
    const cycle = await stack.request<{ operation_id: string }>('POST', '/agent/trigger', { strategy: 'v3_minimal' });
    const wrong = await stack.request<{ error: { details: { reason: string } } }>('GET', `/agent/campaigns/${cycle.body.operation_id}`);
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.details.reason).toBe('not_campaign');
    expect((await stack.request('DELETE', `/agent/cancel/${cycle.body.operation_id}`)).status).toBe(200);
    expect((await stack.request('GET', '/agent/campaigns/op_agent_campaign_20200101_000000_deadbeef')).status).toBe(404);
    expect((await stack.request('GET', '/agent/campaigns/..%2F..%2Fetc')).status).toBe(404);
  }, 60_000);
});
