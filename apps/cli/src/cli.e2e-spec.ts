/**
 * End to end: the real built `ktrdr` binary (node apps/cli/bin/run.js) against the real built API
 * and research worker on a real Redis (private key prefix, stub phase executors).
 * Needs `npm run build` first.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runKtrdr, type CliRun } from '../../../tools/testing/cli.runner';
import { freePort, repoRoot, startStack, type Stack } from '../../../tools/testing/stack.harness';

const ROOT = repoRoot(__dirname);
/** Runs the CLI as a user would and collects its output and exit code. */
const ktrdr = runKtrdr;

function parseJson(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`not JSON:\n${text}`);
  }
}

function expectNoStackTrace(r: CliRun): void {
  expect(r.stdout + r.stderr).not.toMatch(/^\s+at /m);
}

function operationIdIn(text: string, type = 'agent_research'): string {
  const m = new RegExp(`op_${type}_\\d{8}_\\d{6}_[0-9a-f]{8}`).exec(text);
  if (!m) throw new Error(`no ${type} operation id in:\n${text}`);
  return m[0];
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'apps/cli/dist/commands.js'))) {
    throw new Error('apps/cli is not built: run `npm run build` before the e2e tests');
  }
});

describe('ktrdr CLI without an API', () => {
  it('prints one line naming the URL and exits non-zero when the API is unreachable', async () => {
    for (const args of [
      ['agent', 'status'],
      ['operations', 'list'],
      ['agent', 'trigger'],
    ]) {
      const r = await ktrdr(args, { apiUrl: 'http://127.0.0.1:1' });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^Error: cannot reach the ktrdr API at http:\/\/127\.0\.0\.1:1 /);
      expectNoStackTrace(r);
    }
  });

  it('reports connection refused the same way, and as JSON with --json', async () => {
    const url = `http://127.0.0.1:${await freePort()}`; // nothing listens there
    const r = await ktrdr(['agent', 'status'], { apiUrl: url });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`Error: cannot reach the ktrdr API at ${url} (connection refused). Is it running? Start it with: npm start\n`);
    const j = await ktrdr(['operations', 'list', '--json'], { apiUrl: url });
    expect(j.code).toBe(2);
    const body = parseJson(j.stdout) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('api_unreachable');
    expect(body.error.message).toContain(url);
  });

  it('rejects an invalid --status before calling the API', async () => {
    const r = await ktrdr(['operations', 'list', '--status', 'sleeping'], { apiUrl: 'http://127.0.0.1:1' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Expected --status=sleeping to be one of');
    expectNoStackTrace(r);
  });
});

describe('ktrdr CLI against a running stack (slow stub phases)', () => {
  let stack: Stack;
  let cycleId = '';
  const run = (...args: string[]): Promise<CliRun> => ktrdr(args, { apiUrl: stack.apiUrl });

  beforeAll(async () => {
    // Long phases keep a cycle in its design phase for the whole block.
    stack = await startStack({ workerEnv: { KTRDR_STUB_DELAY_MS: '60000' } });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('operations list on an empty store says so', async () => {
    const r = await run('operations', 'list');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('No operations found.');
  });

  it('operations status <unknown> prints the message and exits 1', async () => {
    const r = await run('operations', 'status', 'op_training_20260101_000000_deadbeef');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Error: Operation not found: op_training_20260101_000000_deadbeef');
    expectNoStackTrace(r);
    const j = await run('operations', 'status', 'op_training_20260101_000000_deadbeef', '--json');
    expect(j.code).toBe(1);
    expect((parseJson(j.stdout) as { error: { status: number } }).error.status).toBe(404);
  });

  it('agent status when nothing ever ran: IDLE, no previous cycles', async () => {
    const r = await run('agent', 'status');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Status: IDLE\nNo previous cycles.\n');
    expect(parseJson((await run('agent', 'status', '--json')).stdout)['status']).toBe('idle');
  });

  it('agent trigger rejects bad input with the API message', async () => {
    const r = await run('agent', 'trigger', '--model', 'gpt-9');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^Error: .*gpt-9/);
    const s = await run('agent', 'trigger', '--strategy', 'no_such_strategy');
    expect(s.code).toBe(1);
    expect(s.stderr).toContain('Strategy not found: no_such_strategy');
  });

  it('agent trigger starts a cycle', async () => {
    const r = await run('agent', 'trigger', '--model', 'haiku');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Research cycle started!\n {2}Operation ID: op_agent_research_/);
    cycleId = operationIdIn(r.stdout);
  });

  it('a second trigger is refused: active cycle exists', async () => {
    const r = await run('agent', 'trigger');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`Cannot trigger: Active cycle exists\n  Operation ID: ${cycleId}\n  Cancel it with: npx ktrdr agent cancel\n`);
    const j = await run('agent', 'trigger', '--json');
    expect(j.code).toBe(1);
    expect(parseJson(j.stdout)).toMatchObject({ triggered: false, reason: 'active_cycle_exists', operation_id: cycleId });
  });

  it('agent status shows the active cycle with its phase and child', async () => {
    const r = await run('agent', 'status');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Status: ACTIVE');
    expect(lines).toContain(`  Operation: ${cycleId}`);
    expect(lines).toContain('  Phase: designing');
    expect(r.stdout).toMatch(/ {2}Child operation: op_agent_design_\d{8}_\d{6}_[0-9a-f]{8}\n/);
    expect(r.stdout).toMatch(/ {2}Progress: [\d.]+% Designing strategy/);
    const j = parseJson((await run('agent', 'status', '--json')).stdout);
    expect(j).toMatchObject({ status: 'active', operation_id: cycleId, phase: 'designing' });
  });

  it('operations list prints a table with a footer', async () => {
    const r = await run('operations', 'list');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^OPERATION ID\s+TYPE\s+STATUS\s+PROGRESS\s+STEP\s+CREATED \(UTC\)\s+DURATION$/);
    expect(lines[1]).toMatch(/^-+( +-+)+$/);
    expect(r.stdout).toMatch(new RegExp(`${cycleId}\\s+agent_research\\s+running`));
    expect(r.stdout).toMatch(/op_agent_design_\S+\s+agent_design\s+running/);
    expect(lines.at(-1)).toBe('Showing 2 of 2 operations (2 active)');

    const filtered = await run('operations', 'list', '--type', 'agent_research', '--active');
    expect(filtered.stdout).toContain(cycleId);
    expect(filtered.stdout).not.toContain('op_agent_design_');
    expect(filtered.stdout.trimEnd().split('\n').at(-1)).toMatch(/^Showing 1 of 1 operations/);

    const none = await run('operations', 'list', '--status', 'failed');
    expect(none.stdout.trim()).toBe('No operations found.');

    // --json: the rows themselves (an array), as every list command prints its list.
    const j = JSON.parse((await run('operations', 'list', '--limit', '1', '--json')).stdout) as Array<{ operation_id: string }>;
    expect(Array.isArray(j)).toBe(true);
    expect(j).toHaveLength(1);
  });

  it('every --json output is the resource itself, never the API envelope: one object, or a list as an array', async () => {
    const outputs: Array<[string[], 'object' | 'array']> = [
      [['operations', 'list'], 'array'],
      [['operations', 'status', cycleId], 'object'],
      [['operations', 'artifacts', cycleId], 'array'],
      [['operations', 'children', cycleId], 'array'],
      [['agent', 'status'], 'object'],
      [['agent', 'budget'], 'object'],
      [['data', 'list'], 'array'],
      [['strategies', 'list'], 'array'],
      [['strategies', 'show', 'v3_minimal'], 'object'],
    ];
    for (const [args, shape] of outputs) {
      const r = await run(...args, '--json');
      expect({ args, code: r.code }).toEqual({ args, code: 0 });
      const body = JSON.parse(r.stdout) as unknown;
      expect({ args, array: Array.isArray(body) }).toEqual({ args, array: shape === 'array' });
      // No envelope anywhere: neither `success` nor a `data` wrapper around the resource.
      const record = (Array.isArray(body) ? body[0] : body) as Record<string, unknown> | undefined;
      if (record !== undefined) expect({ args, keys: Object.keys(record).filter((k) => k === 'success' || k === 'data') }).toEqual({ args, keys: [] });
    }
  });

  it('operations status shows a running cycle', async () => {
    const r = await run('operations', 'status', cycleId);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Operation: ${cycleId}\n  Type: agent_research\n  Status: RUNNING\n  Parent: -\n`);
    expect(r.stdout).toContain('  Phase: designing');
    expect(parseJson((await run('operations', 'status', cycleId, '--json')).stdout)['operation_id']).toBe(cycleId);
  });

  it('Ctrl+C while following detaches and leaves the cycle running', async () => {
    const r = await ktrdr(['operations', 'follow', cycleId], { apiUrl: stack.apiUrl, interruptWhen: /%\] Designing/ });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Detached. The operation keeps running.\n');
    expect(r.stdout).toContain(`Re-attach with: npx ktrdr operations follow ${cycleId}\n`);
    expectNoStackTrace(r);
    const status = await run('operations', 'status', cycleId);
    expect(status.stdout).toContain('Status: RUNNING');
  });

  it('agent trigger --follow while a cycle is active is refused and follows nothing', async () => {
    // Refused (a cycle is active): --follow must not follow anything.
    const refused = await run('agent', 'trigger', '--follow');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('Cannot trigger: Active cycle exists');
  });

  it('agent cancel cancels the cycle and its child', async () => {
    const before = parseJson((await run('agent', 'status', '--json')).stdout);
    const child = before['child_operation_id'] as string;
    const r = await run('agent', 'cancel');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Research cycle cancelled!\n  Operation: ${cycleId}\n  Child operation: ${child}\n`);
    const childStatus = await run('operations', 'status', child);
    expect(childStatus.stdout).toContain('Status: CANCELLED');
    expect(childStatus.stdout).toContain(`Parent: ${cycleId}`);
    expect(childStatus.stdout).toContain('Cancellation reason: Parent cancelled');
  });

  it('agent cancel with nothing active says so and exits 0', async () => {
    const r = await run('agent', 'cancel');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Could not cancel: no_active_cycle\nNo active research cycle to cancel.\n');
    expect(r.stderr).toBe('');
    const j = await run('agent', 'cancel', '--json');
    expect(j.code).toBe(0);
    expect(parseJson(j.stdout)).toMatchObject({ success: false, reason: 'no_active_cycle' });
  });

  it('agent cancel <finished id> prints the refusal and exits 1', async () => {
    const r = await run('agent', 'cancel', cycleId);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^Error: .*already finished/);
    expectNoStackTrace(r);
  });

  it('agent status after the cancel: IDLE with the last cycle', async () => {
    const r = await run('agent', 'status');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Status: IDLE\nLast cycle:\n  Operation: ${cycleId}\n  Outcome: cancelled\n`);
  });

  it('operations status shows the cancellation reason; operations cancel of a finished op exits 1', async () => {
    const s = await run('operations', 'status', cycleId);
    expect(s.stdout).toContain('Status: CANCELLED');
    expect(s.stdout).toContain('Cancellation reason: Cancelled by user');
    const c = await run('operations', 'cancel', cycleId);
    expect(c.code).toBe(1);
    expect(c.stderr.trim()).toBe(`Error: Operation ${cycleId} is already finished (status: cancelled)`);
  });

  it('operations cancel cancels a running cycle and lists its children', async () => {
    const t = await run('agent', 'trigger', '--json');
    expect(t.code).toBe(0);
    const id = parseJson(t.stdout)['operation_id'] as string;
    const r = await run('operations', 'cancel', id, '--reason', 'e2e test');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Operation cancelled: ${id}\\n {2}Reason: e2e test\\n {2}Children cancelled:\\n {4}- op_agent_design_`));
    const again = await run('operations', 'cancel', id, '--json');
    expect(again.code).toBe(1);
    expect((parseJson(again.stdout) as { error: { status: number } }).error.status).toBe(409);

    const next = parseJson((await run('agent', 'trigger', '--json')).stdout)['operation_id'] as string;
    const j = await run('operations', 'cancel', next, '--json');
    expect(j.code).toBe(0);
    const body = parseJson(j.stdout) as { operation_id: string; status: string; children_cancelled: string[] };
    expect(body).toMatchObject({ operation_id: next, status: 'cancelled' });
    expect(body.children_cancelled).toHaveLength(1);
  });

  it('Ctrl+C with --cancel-on-interrupt cancels the cycle and exits 130', async () => {
    const r = await ktrdr(['agent', 'trigger', '--follow', '--cancel-on-interrupt'], {
      apiUrl: stack.apiUrl,
      interruptWhen: /%\] Designing/,
    });
    expect(r.code).toBe(130);
    const id = operationIdIn(r.stdout);
    expect(r.stdout).toContain('Research cycle started!');
    expect(r.stdout).toMatch(new RegExp(`Research cycle cancelled!\\n {2}Operation: ${id}\\n {2}Child operation: op_agent_design_`));
    const s = await run('operations', 'status', id);
    expect(s.stdout).toContain('Status: CANCELLED');
  });
});

describe('ktrdr CLI following a cycle to the end (fast stub phases)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ workerEnv: { KTRDR_STUB_DELAY_MS: '200' } });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('agent trigger --follow draws progress on stderr and ends with the summary', async () => {
    const r = await ktrdr(['agent', 'trigger', '--follow'], { apiUrl: stack.apiUrl, timeoutMs: 45_000 });
    expect(r.code).toBe(0);
    const id = operationIdIn(r.stdout);
    expect(r.stdout).toMatch(/^Research cycle started!\n/);
    // stderr is not a TTY here: plain progress lines, one per change
    expect(r.stderr).toMatch(/^\[ *[\d.]+%\] /m);
    expect(r.stderr).toContain('[ 100%] Complete');
    const lines = r.stderr.trim().split('\n');
    expect(new Set(lines).size).toBe(lines.length);
    expect(r.stdout).toContain(`Research cycle completed!\n  Operation: ${id}\n  Phase: done (completed)\n  Strategy: v3_minimal\n  Verdict: promising\n`);
    // Who designed it is said once the record knows, never a Claude model the worker did not call.
    expect(r.stderr).toMatch(/^Designer: stub$/m);
    expect(r.stdout + r.stderr).not.toMatch(/Model: claude/);
    expect(r.stdout).toMatch(/ {2}Sharpe ratio: -?\d+\.\d\d\n {2}Win rate: \d+\.\d%\n {2}Max drawdown: \d+\.\d%\n/);
    // Stub phases: the canned numbers say so.
    expect(r.stdout).toContain('  (stub results: canned numbers, no real research ran)\n');
    // The first progress line reads the same in every following command.
    const header = `Following ${id} (Ctrl+C detaches; it keeps running)`;
    expect(lines[0]).toBe(header);

    // following a finished operation prints its summary at once
    const again = await ktrdr(['operations', 'follow', id], { apiUrl: stack.apiUrl });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Verdict: promising');
    expect(again.stderr.split('\n')[0]).toBe(header);
    expect((await ktrdr(['operations', 'status', id], { apiUrl: stack.apiUrl })).stdout).toContain('  (stub results: canned numbers, no real research ran)\n');

    // and its children can be followed / inspected the same way
    const list = JSON.parse((await ktrdr(['operations', 'list', '--type', 'training', '--json'], { apiUrl: stack.apiUrl })).stdout) as Array<{
      operation_id: string;
      status: string;
    }>;
    expect(list[0]?.status).toBe('completed');
    const child = await ktrdr(['operations', 'follow', list[0]!.operation_id, '--json'], { apiUrl: stack.apiUrl });
    expect(child.code).toBe(0);
    expect(parseJson(child.stdout)).toMatchObject({ outcome: 'completed' });
  });

  it('agent trigger --follow --json prints one JSON document with the final operation', async () => {
    const r = await ktrdr(['agent', 'trigger', '--follow', '--json'], { apiUrl: stack.apiUrl, timeoutMs: 45_000 });
    expect(r.code).toBe(0);
    const body = parseJson(r.stdout) as { triggered: boolean; follow: { outcome: string; operation: { result_summary: Record<string, unknown> } } };
    expect(body.triggered).toBe(true);
    expect(body.follow.outcome).toBe('completed');
    expect(body.follow.operation.result_summary).toMatchObject({ strategy_name: 'v3_minimal', verdict: 'promising' });
    expect(r.stderr).toBe('');
  });

  it('agent status after completed cycles: IDLE with outcome completed', async () => {
    const r = await ktrdr(['agent', 'status'], { apiUrl: stack.apiUrl });
    expect(r.stdout).toMatch(
      /^Status: IDLE\nLast cycle:\n {2}Operation: op_agent_research_\S+\n {2}Outcome: completed\n {2}Phase: done \(completed\)\n {2}Strategy: v3_minimal\n {2}Designer: stub\n/,
    );
  });
});

describe('ktrdr CLI showing a failed cycle', () => {
  const REASON = 'no market data for SP500 1h between 2021-01-01 and 2021-06-30';
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      workerEnv: { KTRDR_STUB_DELAY_MS: '100', KTRDR_STUB_FAILURES: JSON.stringify({ backtesting: REASON }) },
    });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('follow ends with Failed: <error_message> and exit 1; status commands show the error', async () => {
    const r = await ktrdr(['agent', 'trigger', '--follow'], { apiUrl: stack.apiUrl, timeoutMs: 45_000 });
    expect(r.code).toBe(1);
    const id = operationIdIn(r.stdout);
    expect(r.stdout).toContain(`Failed: Backtest failed: ${REASON}\n  Operation: ${id}\n`);
    expectNoStackTrace(r);

    const status = await ktrdr(['agent', 'status'], { apiUrl: stack.apiUrl });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Status: IDLE\nLast cycle:\n  Operation: ${id}\n  Outcome: failed\n`);
    expect(status.stdout).toContain(`  Error: Backtest failed: ${REASON}\n`);

    const op = await ktrdr(['operations', 'status', id], { apiUrl: stack.apiUrl });
    expect(op.stdout).toContain('  Status: FAILED\n');
    // A failed cycle is never labelled "Completed", wherever it is shown.
    for (const out of [r.stdout, status.stdout, op.stdout]) expect(out).not.toMatch(/complete/i);
    expect(op.stdout).toContain(`  Error: Backtest failed: ${REASON}\n`);

    const child = await ktrdr(['operations', 'list', '--status', 'failed', '--type', 'backtesting'], { apiUrl: stack.apiUrl });
    expect(child.stdout).toMatch(/op_backtesting_\S+\s+backtesting\s+failed/);
  });
});
