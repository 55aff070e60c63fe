/**
 * End to end: the built `ktrdr agent resume` against the real API and a stub worker whose backtests
 * fail, so every resumed cycle starts at backtesting (and fails there again). Needs
 * `npx tsc -b apps/api apps/research-worker apps/cli` first.
 */
import { runKtrdr } from '../../../tools/testing/cli.runner';
import { eventually, startStack, type Stack } from '../../../tools/testing/stack.harness';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ workers: [] });
  // Backtests (which fail) are slow enough that the CLI can look at a resumed cycle while it runs.
  const failures = JSON.stringify({ backtesting: 'injected: feed down' });
  await stack.startWorker('research,design,training,assessment', { KTRDR_STUB_DELAY_MS: '200' });
  await stack.startWorker('backtest', { KTRDR_STUB_DELAY_MS: '8000', KTRDR_STUB_FAILURES: failures });
});
afterAll(async () => {
  await stack?.stop();
});

const ktrdr = (args: string[]) => runKtrdr(args, { apiUrl: stack.apiUrl });

const statusOf = async (id: string): Promise<string> => (await stack.request<{ data: { status: string } }>('GET', `/operations/${id}`)).body.data.status;
const finished = (id: string): Promise<string> =>
  eventually(async () => {
    const s = await statusOf(id);
    return ['completed', 'failed', 'cancelled'].includes(s) ? s : undefined;
  }, `${id} to finish`);

describe('ktrdr agent resume', () => {
  it('says so when there is nothing to resume', async () => {
    const out = await ktrdr(['agent', 'resume']);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain('No failed or cancelled research cycle to resume.');
  });

  it('resumes the newest failed cycle, shows where it came from, follows it, and explains refusals', async () => {
    const first = (await stack.request<{ operation_id: string }>('POST', '/agent/trigger')).body.operation_id;
    expect(await finished(first)).toBe('failed');

    const started = await ktrdr(['agent', 'resume', '--json']);
    expect(started.code).toBe(0);
    const json = JSON.parse(started.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ triggered: true, resumed_from: first, start_phase: 'backtesting', message: 'Research cycle resumed' });
    const second = json['operation_id'] as string;

    // While it runs (an 8 s backtest, room for two CLI runs on a loaded machine): resuming it is refused, and the status names the cycle it resumed.
    const busy = await ktrdr(['agent', 'resume', second]);
    expect(busy.code).toBe(1);
    expect(busy.stdout).toContain(`Cannot resume ${second}: Cycle ${second} is still active (running)`);
    const active = await ktrdr(['agent', 'status']);
    expect(active.stdout).toContain('Status: ACTIVE');
    expect(active.stdout).toContain(`  Resumed from: ${first}`);
    expect(await finished(second)).toBe('failed');

    const op = await ktrdr(['operations', 'status', second]);
    expect(op.stdout).toContain(`  Resumed from: ${first}`);
    expect(op.stdout).toContain('  Error: Backtest failed: injected: feed down');

    const late = await ktrdr(['agent', 'resume', second, '--from-phase', 'assessing']);
    expect(late.code).not.toBe(0);
    expect(late.stdout + late.stderr).toContain('from_phase: must be at or before backtesting');

    // Default target is now the resumed cycle (the newest failed one); follow it to its end.
    const followed = await ktrdr(['agent', 'resume', '--from-phase', 'training', '--follow']);
    expect(followed.stdout).toContain('Research cycle resumed!');
    expect(followed.stdout).toContain(`  Resumed from: ${second}`);
    expect(followed.stdout).toContain('  Starting at: training (reusing designing)');
    expect(followed.stdout).toContain('Failed: Backtest failed: injected: feed down');
    expect(followed.stdout).toContain('  Phase: backtesting (failed)');
    // The first progress line reads as in `agent trigger --follow` and `operations follow`.
    const resumedId = /Operation ID: (\S+)/.exec(followed.stdout)?.[1];
    expect(followed.stderr.split('\n')[0]).toBe(`Following ${resumedId} (Ctrl+C detaches; it keeps running)`);

    const idle = await ktrdr(['agent', 'status']);
    expect(idle.stdout).toContain('Status: IDLE');
    expect(idle.stdout).toContain(`  Resumed from: ${second}`);
  });

  it('resuming a cycle started from a strategy does not claim to reuse a design it never had', async () => {
    const first = (await stack.request<{ operation_id: string }>('POST', '/agent/trigger', { strategy: 'v3_minimal' })).body.operation_id;
    expect(await finished(first)).toBe('failed');
    const resumed = await ktrdr(['agent', 'resume', first]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('  Starting at: backtesting (reusing training; strategy v3_minimal as given; it had no design phase)');
    expect(resumed.stdout).not.toContain('designing');
    const second = /Operation ID: (\S+)/.exec(resumed.stdout)![1]!;
    expect(await finished(second)).toBe('failed');
  });
});
