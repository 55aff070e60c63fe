/**
 * The real `ktrdr` binary following a cycle over the API's live events: the API's own request log
 * shows one GET .../events and no polling of the operation. (The polling fallback, used when a
 * server refuses to stream, is covered against a fake API in lib/follow.runner.spec.ts.)
 * Needs `npx tsc -b apps/api apps/cli apps/research-worker` first.
 */
import { runKtrdr } from '../../../tools/testing/cli.runner';
import { eventually, startStack, type Stack } from '../../../tools/testing/stack.harness';

const ktrdr = (apiUrl: string, args: string[]) => runKtrdr(args, { apiUrl, timeoutMs: 45_000 });

/** The API's request log (pino-http, one JSON line per finished request): method and path. */
function apiRequests(stack: Stack): string[] {
  const out: string[] = [];
  for (const line of stack.api.output().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { req?: { method?: string; url?: string } };
      if (entry.req?.method && entry.req.url) out.push(`${entry.req.method} ${entry.req.url}`);
    } catch {
      /* not a log line */
    }
  }
  return out;
}

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ workerEnv: { KTRDR_STUB_DELAY_MS: '250' }, apiEnv: { LOG_LEVEL: 'info' } });
}, 60_000);
afterAll(async () => stack?.stop());

describe('ktrdr following over live events', () => {
  it('agent trigger --follow reads the event stream and never polls the operation', async () => {
    const r = await ktrdr(stack.apiUrl, ['agent', 'trigger', '--follow']);
    expect(r.code).toBe(0);
    const id = /op_agent_research_\d{8}_\d{6}_[0-9a-f]{8}/.exec(r.stdout)?.[0];
    expect(id).toBeDefined();
    // Today's rendering: plain progress lines on stderr, child steps included, then the summary.
    expect(r.stderr).toMatch(/^\[ *[\d.]+%\] Designing strategy\.\.\./m);
    expect(r.stderr).toMatch(/\| training op_training_\S+: /);
    expect(r.stderr).toContain('[ 100%] Complete');
    expect(r.stdout).toContain(`Research cycle completed!\n  Operation: ${id}\n`);

    // The stream request is logged when it ends, which is when the follow ended: wait for the line.
    const requests = await eventually(
      () => {
        const lines = apiRequests(stack);
        return lines.some((l) => l.endsWith('/events')) ? lines : undefined;
      },
      'the events request in the API log',
      5000,
      50,
    );
    expect(requests.filter((l) => l === `GET /api/v1/operations/${id}/events`)).toHaveLength(1);
    expect(requests.filter((l) => /^GET \/api\/v1\/operations\/op_[^/]+$/.test(l))).toEqual([]);
  });

  it('operations artifacts lists names and shows one, as text and as JSON', async () => {
    const list = JSON.parse((await ktrdr(stack.apiUrl, ['operations', 'list', '--type', 'backtesting', '--json'])).stdout) as Array<{ operation_id: string }>;
    const op = list[0]!.operation_id;
    const equity = { t: ['2021-01-04', '2021-01-05'], equity: [100000, 100250.5], benchmark: [100000, 99900], trades: [] };
    // Written as a worker would (the CLI may not import the store library): one hash field per artifact.
    await stack.redis.hset(`${stack.prefix}:{ops}:art:${op}`, 'equity', JSON.stringify(equity));

    const names = await ktrdr(stack.apiUrl, ['operations', 'artifacts', op]);
    expect(names.code).toBe(0);
    expect(names.stdout).toContain(`Artifacts of ${op}:\n  equity\n`);

    const text = await ktrdr(stack.apiUrl, ['operations', 'artifacts', op, 'equity']);
    expect(text.stdout).toContain('  equity: 2 values (100000 → 100250.50)\n');
    const json = await ktrdr(stack.apiUrl, ['operations', 'artifacts', op, 'equity', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(equity);

    const missing = await ktrdr(stack.apiUrl, ['operations', 'artifacts', op, 'history']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('Error: Artifact not found: history');
  });
});
