import { eventually, freePort, startStack, type Stack } from '../../../tools/testing/stack.harness';

/**
 * Observability on real processes: the worker's health port (GET /health for compose, GET /metrics with
 * the agent_* metrics counted where the events happen), the API's health listing live workers, and
 * structured log lines that carry the operation id.
 */

let stack: Stack;
let healthUrl: string;

beforeAll(async () => {
  const port = await freePort();
  healthUrl = `http://127.0.0.1:${port}`;
  stack = await startStack({ workers: [], workerEnv: { KTRDR_STUB_DELAY_MS: '300' } });
  await stack.startWorker('all', { KTRDR_WORKER_HEALTH_PORT: String(port), KTRDR_WORKER_HEALTH_HOST: '127.0.0.1' });
});
afterAll(async () => {
  await stack?.stop();
});

const metrics = async (): Promise<string> => (await fetch(`${healthUrl}/metrics`)).text();
/** The value of one sample line, e.g. `agent_cycles_total{outcome="completed"}`; 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function runCycle(body: Record<string, unknown>): Promise<{ id: string; status: string }> {
  const res = await stack.request<{ operation_id: string }>('POST', '/agent/trigger', body);
  expect(res.status).toBe(202);
  const id = res.body.operation_id;
  const status = await eventually(
    async () => {
      const s = (await stack.request<{ data: { status: string } }>('GET', `/operations/${id}`)).body.data.status;
      return ['completed', 'failed', 'cancelled'].includes(s) ? s : undefined;
    },
    'cycle terminal',
    20_000,
    20,
  );
  return { id, status };
}

describe('worker health port', () => {
  it('GET /health is 200 with the queues it consumes; unknown paths 404', async () => {
    const res = await fetch(`${healthUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'healthy',
      redis: { connected: true },
      queues: ['research', 'design', 'training', 'backtest', 'assessment', 'fold'],
      running: true,
    });
    expect((await fetch(`${healthUrl}/nope`)).status).toBe(404);
  });

  it('the API health lists the live workers per queue', async () => {
    const h = await stack.request<{ workers: Record<string, { count: number }> }>('GET', '/health');
    for (const q of ['research', 'design', 'training', 'backtest', 'assessment']) expect(h.body.workers[q]!.count).toBeGreaterThanOrEqual(1);
  });

  it('counts cycles, phases and gates under their documented names', async () => {
    const before = await metrics();
    expect((await runCycle({})).status).toBe('completed');
    expect((await runCycle({ bypass_gates: true })).status).toBe('completed');
    const after = await metrics();
    const delta = (series: string): number => sample(after, series) - sample(before, series);
    expect(delta('agent_cycles_total{outcome="completed"}')).toBe(2);
    expect(delta('agent_cycle_duration_seconds_count')).toBe(2);
    for (const phase of ['designing', 'training', 'backtesting', 'assessing']) expect(delta(`agent_phase_duration_seconds_count{phase="${phase}"}`)).toBe(2);
    expect(delta('agent_gate_results_total{gate="training",result="pass"}')).toBe(1);
    expect(delta('agent_gate_results_total{gate="training",result="bypassed"}')).toBe(1);
    expect(delta('agent_gate_results_total{gate="backtest",result="pass"}')).toBe(1);
    expect(after).toContain('# TYPE agent_llm_tokens_total counter');
    expect(after).toContain('# TYPE agent_llm_cost_usd_total counter');
    expect(after).toMatch(/agent_queue_jobs\{queue="training",state="active"\} \d+/);
  });

  it('measures cancel latency: request → compute stopped, in the worker that held the job', async () => {
    const before = sample(await metrics(), 'agent_cancel_latency_seconds_count');
    const res = await stack.request<{ operation_id: string }>('POST', '/agent/trigger', {});
    const id = res.body.operation_id;
    await eventually(
      async () => {
        const s = (await stack.request<{ child_operation_id?: string | null }>('GET', '/agent/status')).body;
        if (!s.child_operation_id) return undefined;
        return (await stack.request<{ data: { status: string } }>('GET', `/operations/${s.child_operation_id}`)).body.data.status === 'running'
          ? true
          : undefined;
      },
      'a child running',
      10_000,
      5,
    );
    expect((await stack.request('DELETE', `/agent/cancel/${id}`)).status).toBe(200);
    const after = await eventually(async () => {
      const text = await metrics();
      return sample(text, 'agent_cancel_latency_seconds_count') > before ? text : undefined;
    }, 'cancel latency observed');
    expect(sample(after, 'agent_cancel_latency_seconds_count')).toBe(before + 1);
    // Well under the 100 ms a cancel may take on loopback; the bucket makes it visible to dashboards.
    expect(sample(after, 'agent_cancel_latency_seconds_bucket{le="5"}')).toBeGreaterThanOrEqual(1);
  });

  it('logs lines about an operation with its operation_id', async () => {
    const { id } = await runCycle({});
    const lines = stack.workers[0]!.output()
      .split('\n')
      .filter((l) => l.startsWith('{') && l.includes(id));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(Object.values(entry)).toContain(id);
      expect(entry['operation_id'] ?? entry['parent_operation_id']).toBeDefined();
    }
  });
});
