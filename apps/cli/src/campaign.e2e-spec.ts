/**
 * End to end: the built `ktrdr campaign` commands against the real API and research workers on a
 * real Redis. Stub workers make a cycle take about a second; their cycles have no out-of-sample
 * returns, so a stub campaign ends nothing_found with nothing ranked. The last block runs real
 * phases with open gates, so trials are ranked by DSR, a PBO is computed and the finalists take
 * their look at the holdout. Needs `npx tsc -b apps/api apps/research-worker apps/cli` (and the CLI's
 * manifest, `npm run build`) first.
 */
import { runKtrdr, type CliRun } from '../../../tools/testing/cli.runner';
import { eventually, freePort, startStack, type Stack } from '../../../tools/testing/stack.harness';
import { OPEN_GATES_ENV } from '../../../tools/testing/research.fixtures';

const ID_OF = (type: string) => new RegExp(`op_${type}_\\d{8}_\\d{6}_[0-9a-f]{8}`);
const CAMPAIGN_ID = ID_OF('agent_campaign');

function campaignIdIn(text: string): string {
  const m = CAMPAIGN_ID.exec(text);
  if (!m) throw new Error(`no campaign id in:\n${text}`);
  return m[0];
}

function parseJson<T = Record<string, unknown>>(text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`not JSON:\n${text}`);
  }
}

function expectOneErrorLine(r: CliRun, pattern: RegExp): void {
  expect(r.code).toBe(1);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.stdout + r.stderr).not.toMatch(/^\s+at /m);
}

interface Op {
  operation_id: string;
  status: string;
}
interface TrialRow {
  trial: number;
  cycle_id: string;
  campaign_id: string;
  outcome: string;
}

describe('ktrdr campaign without an API', () => {
  it('prints the one line every command prints, and exits 2', async () => {
    const url = `http://127.0.0.1:${await freePort()}`; // nothing listens there
    for (const args of [
      ['campaign', 'start'],
      ['campaign', 'status'],
      ['campaign', 'list'],
      ['campaign', 'trials', 'op_agent_campaign_20261207_091500_ab12cd34'],
    ]) {
      const r = await runKtrdr(args, { apiUrl: url });
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(r.stderr).toBe(`Error: cannot reach the ktrdr API at ${url} (connection refused). Is it running? Start it with: npm start\n`);
    }
    const j = await runKtrdr(['campaign', 'report', 'op_agent_campaign_20261207_091500_ab12cd34', '--json'], { apiUrl: url });
    expect(j.code).toBe(2);
    expect(parseJson<{ error: { code: string } }>(j.stdout).error.code).toBe('api_unreachable');
  });

  it('rejects a flag the CLI can check before calling the API', async () => {
    const r = await runKtrdr(['campaign', 'start', '--budget', 'lots'], { apiUrl: 'http://127.0.0.1:1' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Expected a number but received: lots');
    const s = await runKtrdr(['campaign', 'start', '--search', 'clever'], { apiUrl: 'http://127.0.0.1:1' });
    expect(s.code).not.toBe(0);
    expect(s.stderr).toContain('Expected --search=clever to be one of: directed, random');
  });
});

describe('ktrdr campaign on stub workers', () => {
  let stack: Stack;
  const run = (...args: string[]): Promise<CliRun> => runKtrdr(args, { apiUrl: stack.apiUrl, timeoutMs: 60_000 });
  const op = async (id: string): Promise<Op> => (await stack.request<{ data: Op }>('GET', `/operations/${id}`)).body.data;
  const trials = async (id: string): Promise<TrialRow[]> => (await stack.request<{ data: TrialRow[] }>('GET', `/agent/campaigns/${id}/trials`)).body.data;
  let searching = '';
  let resumed = '';

  beforeAll(async () => {
    // About a second a cycle: a long campaign is still searching while the commands look at it.
    stack = await startStack({ workerEnv: { KTRDR_STUB_DELAY_MS: '250', KTRDR_RECONCILE_INTERVAL_MS: '500' } });
  }, 60_000);
  afterAll(async () => stack?.stop());

  it('with no campaign yet: status and list say so, cancel has nothing to do (exit 0), resume nothing to resume (exit 1)', async () => {
    const status = await run('campaign', 'status');
    expect(status.code).toBe(0);
    expect(status.stdout).toBe('No research campaigns yet.\nStart one with: npx ktrdr campaign start\n');
    expect((await run('campaign', 'list')).stdout).toContain('No research campaigns found.');
    expect(parseJson<unknown[]>((await run('campaign', 'list', '--json')).stdout)).toEqual([]);
    const cancel = await run('campaign', 'cancel');
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toBe('No active research campaign to cancel.\n');
    const resume = await run('campaign', 'resume', '--json');
    expect(resume.code).toBe(1);
    expect(parseJson(resume.stdout)).toEqual({ resumed: false, reason: 'nothing_to_resume', message: 'No cancelled or failed research campaign to resume.' });
  });

  it('a bad value reaches the API, which names the field: one line, exit 1; --json gives the error object', async () => {
    expectOneErrorLine(await run('campaign', 'start', '--symbols', 'NOPE'), /^Error: Invalid body: scope\.symbols: no market data for NOPE 1d/);
    expectOneErrorLine(await run('campaign', 'start', '--max-cycles', '0'), /^Error: Invalid body: max_cycles: must be at least 1$/);
    expectOneErrorLine(await run('campaign', 'start', '--max-duration', 'forever'), /max_duration: expected seconds or a duration such as 90m, 2h, 1d/);
    const j = await run('campaign', 'start', '--concurrency', '5', '--json');
    expect(j.code).toBe(1);
    const body = parseJson<{ error: { code: string; status: number; message: string } }>(j.stdout);
    expect(body.error).toMatchObject({ code: 'VALIDATION_FAILED', status: 422 });
    expect(body.error.message).toMatch(/concurrency: must be at most KTRDR_MAX_CONCURRENT_CYCLES/);
  });

  it('start: the campaign, its sealed holdout and how to follow and cancel it', async () => {
    const r = await run(
      'campaign',
      'start',
      '--max-cycles',
      '200',
      '--stop-after-unproductive',
      '200',
      '--brief',
      'momentum on daily bars',
      '--max-duration',
      '10m',
    );
    expect(r.code).toBe(0);
    searching = campaignIdIn(r.stdout);
    expect(r.stdout.split('\n')).toEqual([
      'Research campaign started!',
      `  Campaign ID: ${searching}`,
      expect.stringMatching(/^ {2}Holdout \(sealed\): \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d; no trial sees these bars/),
      `  Follow it with: npx ktrdr campaign status ${searching} --follow`,
      `  Cancel it with: npx ktrdr campaign cancel ${searching}`,
      '',
    ]);
  });

  it('status (the newest active campaign by default): cycle i/N, the active cycle, the best so far, the spend, the stage', async () => {
    await eventually(async () => ((await trials(searching)).length >= 1 ? true : undefined), 'a first trial', 30_000, 100);
    const r = await run('campaign', 'status');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`Campaign: ${searching}`);
    expect(lines).toContain('  Status: RUNNING (searching)');
    expect(r.stdout).toMatch(/\n {2}Cycle: \d+\/200 \(\d+ trials? recorded\)\n/);
    expect(r.stdout).toMatch(/\n {2}Active cycle: (op_agent_research_\d{8}_\d{6}_[0-9a-f]{8}|none \(the next one is starting\))\n/);
    expect(lines).toContain('  Best so far: none yet');
    expect(lines).toContain('  Spent: $0.00 (no budget limit)');
    expect(lines).toContain('  Brief: momentum on daily bars');
    expect(r.stdout).toMatch(
      /\n {2}Limits: 200 cycles, at most 10m 00s, stop after 200 unproductive, 1 at a time, 3 finalists, directed search \(seed \d+\)\n/,
    );
    expect(lines).toContain(`Cancel it with: npx ktrdr campaign cancel ${searching}`);

    const j = parseJson<{ operation_id: string; status: string; stage: string; limits: { max_cycles: number } }>(
      (await run('campaign', 'status', searching, '--json')).stdout,
    );
    expect(j).toMatchObject({ operation_id: searching, status: 'running', stage: 'searching', limits: { max_cycles: 200 } });
    expect(j).not.toHaveProperty('success');
  });

  it('list: a row per campaign; --json the campaigns as an array', async () => {
    const r = await run('campaign', 'list');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CAMPAIGN ID\s+STATUS\s+CYCLES\s+BEST DSR\s+SPENT\s+OUTCOME\s+SCOPE\s+CREATED \(UTC\)$/);
    expect(lines[2]).toMatch(new RegExp(`^${searching}\\s+running\\s+\\d+/200\\s+-\\s+\\$0\\.00\\s+searching\\s+SP500 1d\\s+`));
    expect(lines.at(-1)).toBe('Showing 1 of 1 campaign. Show one with: npx ktrdr campaign status <ID>');
    const j = parseJson<Array<{ operation_id: string }>>((await run('campaign', 'list', '--status', 'running', '--json')).stdout);
    expect(j.map((c) => c.operation_id)).toEqual([searching]);
    expect((await run('campaign', 'list', '--status', 'failed')).stdout).toContain('No research campaigns found.');
  });

  it('cancel (the newest active by default): the campaign and everything under it are cancelled when it returns', async () => {
    const r = await run('campaign', 'cancel');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual(['Research campaign cancelled!', `  Campaign: ${searching}`]);
    expect(lines.at(-1)).toBe(`  Resume it with: npx ktrdr campaign resume ${searching}`);
    const cancelled = [...r.stdout.matchAll(/^ {4}- (op_\S+)$/gm)].map((m) => m[1]!);
    expect(lines[2]).toBe(
      cancelled.length
        ? `  Cancelled with it: ${cancelled.length} operation${cancelled.length === 1 ? '' : 's'}`
        : '  Cancelled with it: nothing else was running',
    );
    // The records say so at once, the campaign's and every operation the cancel named.
    for (const id of [searching, ...cancelled]) expect({ id, status: (await op(id)).status }).toEqual({ id, status: 'cancelled' });

    const status = await run('campaign', 'status', searching);
    expect(status.stdout).toContain('  Status: CANCELLED');
    expect(status.stdout).toContain('  Stop reason: cancelled');
    expect(status.stdout).toContain(`Resume it with: npx ktrdr campaign resume ${searching}`);
  });

  it('refusals print their message and reason in one line, exit 1; --json the error with the reason as its code', async () => {
    expectOneErrorLine(
      await run('campaign', 'cancel', searching),
      new RegExp(`^Error: Campaign ${searching} is already finished \\(status: cancelled\\) \\[not_cancellable\\]$`),
    );
    const j = await run('campaign', 'cancel', searching, '--json');
    expect(j.code).toBe(1);
    expect(parseJson(j.stdout)).toEqual({
      error: {
        code: 'not_cancellable',
        status: 409,
        message: `Campaign ${searching} is already finished (status: cancelled)`,
        details: { reason: 'not_cancellable', status: 'cancelled' },
      },
    });
    expectOneErrorLine(
      await run('campaign', 'status', 'op_agent_campaign_20200101_000000_deadbeef'),
      /^Error: Operation not found: op_agent_campaign_20200101_000000_deadbeef \[not_found\]$/,
    );
    const cycleId = (await trials(searching))[0]!.cycle_id;
    expectOneErrorLine(
      await run('campaign', 'trials', cycleId),
      new RegExp(`^Error: Operation ${cycleId} \\(agent_research\\) is not a research campaign \\[not_campaign\\]$`),
    );
  });

  it('resume --follow (the newest cancelled by default) goes on from the same ledger; Ctrl+C with --cancel-on-interrupt cancels it', async () => {
    const before = await trials(searching);
    const r = await runKtrdr(['campaign', 'resume', '--follow', '--cancel-on-interrupt'], {
      apiUrl: stack.apiUrl,
      // Ctrl+C once the resumed campaign has recorded a trial of its own.
      interruptWhen: /^Trial \d+ · /m,
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(130);
    resumed = campaignIdIn(r.stdout);
    expect(resumed).not.toBe(searching);
    expect(r.stdout).toContain(
      `Research campaign resumed!\n  Campaign ID: ${resumed}\n  Resumed from: ${searching} (same ledger and holdout: its trials go on counting)\n`,
    );
    expect(r.stdout).toContain(`Research campaign cancelled!\n  Campaign: ${resumed}\n`);
    const stderr = r.stderr.split('\n');
    expect(stderr[0]).toBe(`Following ${resumed} (Ctrl+C cancels it)`);
    // The earlier trials are counted once; the new ones are told one by one, numbered on from them.
    expect(r.stderr).toMatch(/^\d+ trials? recorded so far$/m);
    const told = [...r.stderr.matchAll(/^Trial (\d+) · (passed|gate_failed|failed|cancelled) · /gm)].map((m) => Number(m[1]));
    expect(told.length).toBeGreaterThan(0);
    expect(Math.min(...told)).toBeGreaterThan(before.length);
    expect(r.stderr).toMatch(/^Cycle started: op_agent_research_/m);
    expect(r.stderr).toMatch(/^\[ *[\d.]+%\] Cycle \d+\/200 · no DSR yet · \$0\.00 spent$/m);
    expect((await op(resumed)).status).toBe('cancelled');

    const after = await trials(resumed);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.map((t) => t.trial)).toEqual(after.map((_, i) => i + 1));
  });

  it('resume is refused once a finalist has looked at the holdout, naming the reason', async () => {
    // As if a finalist of the cancelled campaign had been evaluated (its ledger is the first campaign's).
    await stack.redis.hset(`${stack.prefix}:{ops}:ledger:${searching}:holdout`, '1', JSON.stringify({ trial: 1, status: 'completed' }));
    expectOneErrorLine(
      await run('campaign', 'resume', resumed),
      new RegExp(`^Error: Cannot resume ${resumed}: its holdout was already evaluated \\(trial 1\\); a second look is refused \\[holdout_used\\]$`),
    );
    const j = await run('campaign', 'resume', resumed, '--json');
    expect(parseJson<{ error: { code: string; status: number } }>(j.stdout).error).toMatchObject({ code: 'holdout_used', status: 409 });
  });

  it('start --follow to the end: each trial, the stop, then the verdict, the stop reason and the report', async () => {
    const r = await run('campaign', 'start', '--max-cycles', '2', '--follow');
    expect(r.code).toBe(0);
    const id = campaignIdIn(r.stdout);
    const out = r.stdout.split('\n');
    expect(out).toContain('Research campaign completed: nothing found');
    expect(out).toContain('  Status: COMPLETED (done)');
    expect(out).toContain('  Trials: 2 of at most 2');
    expect(out).toContain('  Stop reason: max_cycles');
    expect(r.stdout).toMatch(/\n {2}Verdict: NOTHING FOUND: .+\n/);
    expect(r.stdout).toMatch(/\nReport:\n {2}2 trials: .+\n {2}The search stopped because it ran its maximum number of cycles \(max_cycles\)\.\n/);
    expect(out).not.toContain(`  Follow it with: npx ktrdr campaign status ${id} --follow`);
    expect(r.stderr.split('\n')[0]).toBe(`Following ${id} (Ctrl+C detaches; it keeps running)`);
    expect(r.stderr).toMatch(/^Trial 1 · passed · v3_minimal \(\S+\) · Sharpe [\d.-]+ · DSR -$/m);
    expect(r.stderr).toMatch(/^Trial 2 · passed · /m);
    expect(r.stderr).toContain('Search stopped: max_cycles');

    // A finished campaign is neither cancelled nor resumed.
    expectOneErrorLine(await run('campaign', 'cancel', id), /\[not_cancellable\]$/);
    expectOneErrorLine(await run('campaign', 'resume', id), new RegExp(`^Error: Cannot resume ${id}: it completed; start a new campaign \\[not_resumable\\]$`));

    // Its trials, leaderboard (nothing to rank: stub cycles have no out-of-sample returns) and report.
    const t = await run('campaign', 'trials', id);
    expect(t.code).toBe(0);
    const rows = t.stdout.split('\n');
    expect(rows[0]).toMatch(/^TRIAL\s+STRATEGY\s+FAMILY\s+OUTCOME\s+SHARPE\s+RETURN\s+TRADES\s+DSR$/);
    expect(rows[2]).toMatch(/^\s+1\s+v3_minimal\s+\S+\s+passed\s+[\d.-]+\s+[\d.-]+%\s+\d+\s+-$/);
    expect(rows[3]).toMatch(/^\s+2\s+v3_minimal\s+/);
    expect(t.stdout).toMatch(/\n2 trials · a finding needs DSR ≥ 0\.95/);
    const tj = parseJson<{ data: TrialRow[]; total_count: number; dsr_threshold: number }>((await run('campaign', 'trials', id, '--json')).stdout);
    expect(tj).toMatchObject({ total_count: 2, dsr_threshold: 0.95 });
    expect(tj.data.map((x) => x.trial)).toEqual([1, 2]);
    expect(tj).not.toHaveProperty('success');

    const lb = await run('campaign', 'leaderboard', id);
    expect(lb.code).toBe(0);
    expect(lb.stdout).toBe(
      `No trial of ${id} has out-of-sample returns yet: nothing to rank (2 trials recorded).\n` +
        'PBO: not available (it needs at least 2 trials with out-of-sample returns over common bars; 0 so far)\n',
    );
    expect(parseJson((await run('campaign', 'leaderboard', id, '--json')).stdout)).toMatchObject({
      data: [],
      trials: 2,
      pbo: null,
      dsr_threshold: 0.95,
      pbo_threshold: 0.2,
    });

    const rep = await run('campaign', 'report', id);
    expect(rep.code).toBe(0);
    const lines = rep.stdout.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      `Research campaign report: ${id}`,
      expect.stringMatching(/^ {2}COMPLETED · 2 trials · SP500 1d · holdout \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d$/),
      'Verdict: NOTHING FOUND',
      expect.stringMatching(/^ {2}Why: .+/),
      'Stop reason: max_cycles',
    ]);
    expect(rep.stdout).toMatch(/\nIdea families \(best DSR first\):\n {2}FAMILY\s+TRIALS\s+PASSED\s+BEST DSR\s+MEAN SHARPE\n/);
    expect(rep.stdout).toContain('\nFinalists: the holdout, looked at once, beside the walk-forward:\n  none\n');
    expect(rep.stdout).toMatch(/\nIn words:\n {2}2 trials: /);
    expect(parseJson<{ operation_id: string; verdict: string }>((await run('campaign', 'report', id, '--json')).stdout)).toMatchObject({
      operation_id: id,
      verdict: 'nothing_found',
    });
  });
});

describe('ktrdr campaign on real phases (open gates)', () => {
  let stack: Stack;
  const run = (...args: string[]): Promise<CliRun> => runKtrdr(args, { apiUrl: stack.apiUrl, timeoutMs: 240_000 });

  beforeAll(async () => {
    stack = await startStack({ workerEnv: { KTRDR_STUB_WORKERS: 'false', ...OPEN_GATES_ENV } });
  }, 60_000);
  afterAll(async () => stack?.stop());

  it('a campaign ranks its trials by DSR with a PBO, and its report sets the finalists’ holdout beside their walk-forward', async () => {
    const r = await run('campaign', 'start', '--max-cycles', '3', '--finalists', '2', '--seed', '5', '--follow');
    expect(r.code).toBe(0);
    const id = campaignIdIn(r.stdout);
    expect(r.stdout).toMatch(/^Research campaign completed: (found|nothing found)$/m);
    expect(r.stderr).toMatch(/^Holdout: evaluating \d finalists? once \(trial [\d, ]+\)$/m);
    expect(r.stderr).toMatch(/^Holdout evaluation started: op_agent_research_/m);

    const lb = await run('campaign', 'leaderboard', id);
    expect(lb.code).toBe(0);
    const lines = lb.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^RANK\s+TRIAL\s+FAMILY\s+DSR\s+VS 0\.95\s+SHARPE\s+TRADES\s+OUTCOME\s+STRATEGY$/);
    expect(lines[2]).toMatch(/^\s+1\s+\d\s+\S+\s+\d\.\d\d\s+(meets|below)\s+[\d.-]+\s+\d+\s+passed\s+offline_\S+$/);
    expect(lines.at(-2)).toMatch(/^\d of 3 trials ranked \(those with out-of-sample returns\) · a finding needs DSR ≥ 0\.95$/);
    expect(lines.at(-1)).toMatch(/^PBO: (\d\.\d\d over \d trials × \d+ bars \(.+\)|not available \(.+\))$/);

    const rep = await run('campaign', 'report', id);
    expect(rep.code).toBe(0);
    expect(rep.stdout).toMatch(
      /\nFinalists: the holdout, looked at once, beside the walk-forward:\n {2}TRIAL\s+STRATEGY\s+DSR\s+WALK-FORWARD SHARPE\s+HOLDOUT SHARPE\s+HOLDOUT RETURN\s+BUY & HOLD\s+STATUS\n/,
    );
    expect(rep.stdout).toMatch(/\n {2}\s*\d\s+offline_\S+\s+\d\.\d\d\s+[\d.-]+\s+[\d.-]+\s+[\d.-]+%\s+[\d.-]+%\s+completed\n/);
    expect(rep.stdout).toMatch(/\n {2}Why: trial \d \(offline_\S+\): /);

    const status = await run('campaign', 'status', id);
    expect(status.stdout).toMatch(/\n {2}Finalists on the holdout: trial \d: Sharpe [\d.-]+/);
    expect(status.stdout).toContain('(evaluated once by the finalists)');
  }, 300_000);
});
