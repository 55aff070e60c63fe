/**
 * End to end: a research cycle's children and the artifacts they hold, through the real built
 * `ktrdr` binary against the real API and a stub worker. A cycle publishes no artifacts itself:
 * `operations children` names its phases and `operations artifacts <cycle>` gathers theirs.
 * Needs `npm run build` first.
 */
import { runKtrdr, type CliRun } from '../../../tools/testing/cli.runner';
import { eventually, startStack, type Stack } from '../../../tools/testing/stack.harness';

let stack: Stack;
let cycleId: string;
/** The cycle's children by type, as the API lists them. */
const child: Record<string, string> = {};

const ktrdr = (args: string[]): Promise<CliRun> => runKtrdr(args, { apiUrl: stack.apiUrl });

const UNKNOWN = 'op_agent_research_20000101_000000_deadbeef';
const STRATEGY = { name: 'e2e_strategy', indicators: [{ name: 'rsi', period: 14 }] };
const HISTORY = { epochs: [1, 2, 3], loss: [0.9, 0.7, 0.55] };
const EQUITY = { t: ['2021-01-04', '2021-01-05'], equity: [100000, 100250.5], benchmark: [100000, 99900], trades: [] };

function expectOneErrorLine(r: CliRun, line: string): void {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(`${line}\n`);
}

beforeAll(async () => {
  stack = await startStack({ workerEnv: { KTRDR_STUB_WORKERS: 'true', KTRDR_STUB_DELAY_MS: '50' } });
  const trigger = await ktrdr(['agent', 'trigger', '--json']);
  expect(trigger.code).toBe(0);
  cycleId = (JSON.parse(trigger.stdout) as { operation_id: string }).operation_id;
  await eventually(
    async () => {
      const r = await stack.request<{ data: { status: string } }>('GET', `/operations/${cycleId}`);
      if (r.body.data.status === 'running' || r.body.data.status === 'pending') return undefined;
      expect(r.body.data.status).toBe('completed');
      return true;
    },
    `cycle ${cycleId} to complete`,
    30_000,
    50,
  );
  const children = await stack.request<{ data: Array<{ operation_id: string; operation_type: string }> }>('GET', `/operations/${cycleId}/children`);
  for (const c of children.body.data) child[c.operation_type] = c.operation_id;
  // Stub phases publish no artifacts: written here as a worker writes them (one hash field per
  // artifact; the CLI may not import the store library). The assessment child is left with none.
  const put = (op: string | undefined, name: string, value: unknown) => stack.redis.hset(`${stack.prefix}:{ops}:art:${op}`, name, JSON.stringify(value));
  await put(child['agent_design'], 'strategy', STRATEGY);
  await put(child['training'], 'history', HISTORY);
  await put(child['backtesting'], 'equity', EQUITY);
}, 60_000);
afterAll(async () => stack?.stop());

describe('ktrdr operations children', () => {
  it('lists the phases of a finished cycle, oldest first, as a table', async () => {
    expect(Object.keys(child).sort()).toEqual(['agent_assessment', 'agent_design', 'backtesting', 'training']);
    const r = await ktrdr(['operations', 'children', cycleId]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^OPERATION ID\s+TYPE\s+STATUS\s+PROGRESS\s+DURATION$/);
    expect(lines[1]).toMatch(/^-+( +-+)+$/);
    const rows = lines.slice(2, 6);
    expect(rows.map((l) => l.split(/\s+/).slice(0, 4))).toEqual([
      [child['agent_design'], 'agent_design', 'completed', '100%'],
      [child['training'], 'training', 'completed', '100%'],
      [child['backtesting'], 'backtesting', 'completed', '100%'],
      [child['agent_assessment'], 'agent_assessment', 'completed', '100%'],
    ]);
    for (const row of rows) expect(row).toMatch(/ \d+s$/);
    expect(lines.slice(6)).toEqual(['', `4 child operation(s) of ${cycleId} (0 active)`, `Their artifacts: npx ktrdr operations artifacts ${cycleId}`]);
  });

  it('--json prints the children themselves: an array of operation records, no envelope', async () => {
    const r = await ktrdr(['operations', 'children', cycleId, '--json']);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(Array.isArray(body)).toBe(true);
    expect(body.map((c) => c['operation_id'])).toEqual([child['agent_design'], child['training'], child['backtesting'], child['agent_assessment']]);
    for (const c of body) expect(c).toMatchObject({ parent_operation_id: cycleId, status: 'completed', error_message: null });
    expect(Object.keys(body[0]!)).not.toContain('success');
  });

  it('a child has no children of its own', async () => {
    const r = await ktrdr(['operations', 'children', child['training']!]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`No child operations of ${child['training']}.\n`);
    expect(JSON.parse((await ktrdr(['operations', 'children', child['training']!, '--json'])).stdout)).toEqual([]);
  });

  it('an unknown id is the API 404 message and exit 1, also as a JSON error', async () => {
    expectOneErrorLine(await ktrdr(['operations', 'children', UNKNOWN]), `Error: Operation not found: ${UNKNOWN}`);
    const json = await ktrdr(['operations', 'children', UNKNOWN, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'OPERATION_NOT_FOUND', status: 404, message: `Operation not found: ${UNKNOWN}` } });
  });
});

describe('ktrdr operations artifacts of a research cycle', () => {
  it("lists each child's artifacts under its phase and id", async () => {
    const r = await ktrdr(['operations', 'artifacts', cycleId]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        `Artifacts of research cycle ${cycleId}, by child operation:`,
        `  designing    ${child['agent_design']}`,
        '    strategy',
        `  training     ${child['training']}`,
        '    history',
        `  backtesting  ${child['backtesting']}`,
        '    equity',
        `  assessing    ${child['agent_assessment']}`,
        '    (none)',
        `Show one with: npx ktrdr operations artifacts ${cycleId} <name> [--json]`,
        '',
      ].join('\n'),
    );
  });

  it('--json lists them as an array of {operation_id, operation_type, artifacts}', async () => {
    const r = await ktrdr(['operations', 'artifacts', cycleId, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { operation_id: child['agent_design'], operation_type: 'agent_design', artifacts: ['strategy'] },
      { operation_id: child['training'], operation_type: 'training', artifacts: ['history'] },
      { operation_id: child['backtesting'], operation_type: 'backtesting', artifacts: ['equity'] },
      { operation_id: child['agent_assessment'], operation_type: 'agent_assessment', artifacts: [] },
    ]);
  });

  it('shows a named artifact from the child that has it, as the child id shows it', async () => {
    const viaCycle = await ktrdr(['operations', 'artifacts', cycleId, 'equity']);
    const viaChild = await ktrdr(['operations', 'artifacts', child['backtesting']!, 'equity']);
    expect(viaCycle.code).toBe(0);
    expect(viaCycle.stdout).toBe(viaChild.stdout);
    expect(viaCycle.stdout).toContain(`Artifact: equity of ${child['backtesting']}\n`);
    expect(viaCycle.stdout).toContain('  equity: 2 values (100000 → 100250.50)\n');

    expect(JSON.parse((await ktrdr(['operations', 'artifacts', cycleId, 'equity', '--json'])).stdout)).toEqual(EQUITY);
    expect(JSON.parse((await ktrdr(['operations', 'artifacts', cycleId, 'strategy', '--json'])).stdout)).toEqual(STRATEGY);
    expect(JSON.parse((await ktrdr(['operations', 'artifacts', cycleId, 'history', '--json'])).stdout)).toEqual(HISTORY);
  });

  it('a name no child published is one error line naming the cycle, exit 1', async () => {
    expectOneErrorLine(
      await ktrdr(['operations', 'artifacts', cycleId, 'assessment']),
      `Error: Artifact not found: assessment (no child operation of ${cycleId} published one)`,
    );
    const json = await ktrdr(['operations', 'artifacts', cycleId, 'assessment', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'ARTIFACT_NOT_FOUND', status: 404 } });
  });

  it('a child id behaves as before: its own list, and its own not-found', async () => {
    const r = await ktrdr(['operations', 'artifacts', child['backtesting']!]);
    expect(r.stdout).toContain(`Artifacts of ${child['backtesting']}:\n  equity\n`);
    expect(JSON.parse((await ktrdr(['operations', 'artifacts', child['backtesting']!, '--json'])).stdout)).toEqual({
      operation_id: child['backtesting'],
      artifacts: ['equity'],
    });
    expect((await ktrdr(['operations', 'artifacts', child['agent_assessment']!])).stdout).toBe(`No artifacts for ${child['agent_assessment']}.\n`);
    expectOneErrorLine(await ktrdr(['operations', 'artifacts', child['training']!, 'equity']), 'Error: Artifact not found: equity');
  });

  it('an unknown id is the API 404 message and exit 1', async () => {
    expectOneErrorLine(await ktrdr(['operations', 'artifacts', UNKNOWN]), `Error: Operation not found: ${UNKNOWN}`);
  });
});
