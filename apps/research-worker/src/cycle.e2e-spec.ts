import { eventually, startStack, type Stack } from '../../../tools/testing/stack.harness';
import { childrenOf, getOp, triggerCycle as trigger, waitTerminal } from '../../../tools/testing/stack.requests';

/**
 * Research cycles end to end: the built API and research worker(s) as separate processes on a
 * real Redis, driven over HTTP exactly as a client would.
 */

interface Status {
  status: 'active' | 'idle';
  operation_id?: string;
  phase?: string;
  child_operation_id?: string | null;
  last_cycle?: { operation_id: string; outcome: string; strategy_name: string | null; completed_at: string; error_message: string | null } | null;
  active_researches: unknown[];
  capacity: { active: number; limit: number };
}

describe('a full research cycle (stub phases, one worker on all queues)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ workerEnv: { KTRDR_STUB_DELAY_MS: '400' } });
  });
  afterAll(async () => stack?.stop());

  it('idle status before any cycle has last_cycle null', async () => {
    const s = await stack.request<Status>('GET', '/agent/status');
    expect(s.body).toEqual({ status: 'idle', last_cycle: null, active_researches: [], capacity: { active: 0, limit: 1 } });
  });

  it('walks designing → training → backtesting → assessing → completed with four distinct completed children', async () => {
    const res = await stack.request<Record<string, unknown>>('POST', '/agent/trigger', { brief: 'momentum on daily bars' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ triggered: true, model: 'claude-sonnet-5-5', message: 'Research cycle started' });
    const id = res.body['operation_id'] as string;
    expect(id).toMatch(/^op_agent_research_\d{8}_\d{6}_[0-9a-f]{8}$/);

    // Second trigger while active: 409 naming the active cycle.
    const again = await stack.request<Record<string, unknown>>('POST', '/agent/trigger');
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ triggered: false, reason: 'active_cycle_exists', operation_id: id });

    // Active status shape, sampled every 5 ms until the cycle is idle: an active phase never has a null child id.
    const phases = new Set<string>();
    let samples = 0;
    await eventually(
      async () => {
        const s = (await stack.request<Status>('GET', '/agent/status')).body;
        if (s.status === 'idle') return true;
        samples++;
        expect(s).toMatchObject({ status: 'active', operation_id: id, capacity: { active: 1, limit: 1 } });
        expect(s.active_researches).toHaveLength(1);
        if (s.phase && s.phase !== 'idle') {
          phases.add(s.phase);
          expect(s.child_operation_id).toMatch(/^op_/);
        }
        return undefined;
      },
      'the cycle to go idle',
      30_000,
      5,
    );
    expect(samples).toBeGreaterThan(20);
    expect([...phases]).toEqual(['designing', 'training', 'backtesting', 'assessing']);

    const parent = await waitTerminal(stack, id);
    expect(parent.status).toBe('completed');
    expect(parent.progress).toMatchObject({ percentage: 100, current_step: 'Complete' });
    const p = parent.metadata.parameters;
    expect(p).toMatchObject({
      phase: 'assessing',
      strategy_name: 'v3_minimal',
      strategy_path: 'strategies/v3_minimal.yaml',
      assessment_verdict: 'promising',
      model: 'claude-sonnet-5-5',
      brief: 'momentum on daily bars',
      bypass_gates: false,
    });
    expect(p['training_result']).toMatchObject({ accuracy: expect.any(Number) });
    expect(p['backtest_result']).toMatchObject({ sharpe_ratio: expect.any(Number) });
    expect(parent.result_summary).toMatchObject({ success: true, strategy_name: 'v3_minimal', verdict: 'promising', model_path: expect.any(String) });

    const children = await childrenOf(stack, id);
    expect(children.map((c) => c.operation_type)).toEqual(['agent_design', 'training', 'backtesting', 'agent_assessment']);
    expect(new Set(children.map((c) => c.operation_id)).size).toBe(4);
    expect(children.every((c) => c.status === 'completed' && c.parent_operation_id === id)).toBe(true);
    expect(children.map((c) => c.operation_id)).toEqual([p['design_op_id'], p['training_op_id'], p['backtest_op_id'], p['assessment_op_id']]);

    const idle = (await stack.request<Status>('GET', '/agent/status')).body;
    expect(idle).toMatchObject({ status: 'idle', last_cycle: { operation_id: id, outcome: 'completed', strategy_name: 'v3_minimal' } });
  });

  it('skips design when an existing strategy is named', async () => {
    const id = await trigger(stack, { strategy: 'v3_minimal', model: 'haiku' });
    const parent = await waitTerminal(stack, id);
    expect(parent.status).toBe('completed');
    expect(parent.metadata.parameters['design_op_id']).toBeUndefined();
    expect(parent.metadata.parameters).toMatchObject({ strategy_name: 'v3_minimal', model: 'claude-haiku-5-5' });
    const children = await childrenOf(stack, id);
    expect(children.map((c) => c.operation_type)).toEqual(['training', 'backtesting', 'agent_assessment']);
  });
});

describe('capacity above one', () => {
  let stack: Stack;
  afterAll(async () => stack?.stop());

  it('runs cycles side by side up to the limit, then refuses with at_capacity', async () => {
    stack = await startStack({ apiEnv: { KTRDR_MAX_CONCURRENT_CYCLES: '2' }, workerEnv: { KTRDR_STUB_DELAY_MS: '3000' } });
    const first = await trigger(stack);
    const second = await trigger(stack);
    const third = await stack.request<Record<string, unknown>>('POST', '/agent/trigger');
    expect(third.status).toBe(409);
    expect(third.body).toMatchObject({ triggered: false, reason: 'at_capacity', active_count: 2, limit: 2, operation_id: first });
    const s = await eventually(async () => {
      const st = (
        await stack.request<Status & { active_researches: Array<{ operation_id: string; child_operation_id: string | null }> }>('GET', '/agent/status')
      ).body;
      return st.active_researches.every((r) => r.child_operation_id) ? st : undefined;
    }, 'both cycles designing');
    expect(s).toMatchObject({ status: 'active', operation_id: first, capacity: { active: 2, limit: 2 } });
    expect(s.active_researches.map((r) => r.operation_id)).toEqual([first, second]);
    // Cancelling one frees a slot at once.
    expect((await stack.request('DELETE', `/agent/cancel/${second}`)).status).toBe(200);
    const fourth = await stack.request<{ triggered: boolean }>('POST', '/agent/trigger');
    expect(fourth.status).toBe(202);
  });
});

describe('failures carry their phase and numbers', () => {
  let stack: Stack;
  afterEach(async () => stack?.stop());

  it('a training gate failure fails the cycle with the gate reason', async () => {
    stack = await startStack({ workerEnv: { KTRDR_STUB_DELAY_MS: '0', KTRDR_STUB_RESULTS: JSON.stringify({ training: { accuracy: 0.423 } }) } });
    const id = await trigger(stack);
    const parent = await waitTerminal(stack, id);
    expect(parent.status).toBe('failed');
    expect(parent.error_message).toBe('Training gate failed: accuracy_below_threshold (42.3% < 45.0%)');
    expect(parent.failure_code).toBe('GATE_FAILED');
    expect(parent.metadata.parameters['failure']).toMatchObject({ gate: 'training', thresholds: { minAccuracy: 0.45 } });
    expect(parent.metadata.parameters['backtest_op_id']).toBeUndefined();
    const idle = (await stack.request<Status>('GET', '/agent/status')).body;
    expect(idle.last_cycle).toMatchObject({ outcome: 'failed', error_message: 'Training gate failed: accuracy_below_threshold (42.3% < 45.0%)' });

    // bypass_gates lets the same metrics through
    const bypassed = await waitTerminal(stack, await trigger(stack, { bypass_gates: true }));
    expect(bypassed.status).toBe('completed');
  });

  it('gate thresholds come from the environment', async () => {
    stack = await startStack({ workerEnv: { KTRDR_STUB_DELAY_MS: '0', BACKTEST_GATE_MAX_DRAWDOWN: '0.1' } });
    const parent = await waitTerminal(stack, await trigger(stack));
    expect(parent.error_message).toBe('Backtest gate failed: drawdown_too_high (11.8% > 10.0%)');
  });

  it('a child failure fails the cycle with the phase prefix', async () => {
    stack = await startStack({
      workerEnv: {
        KTRDR_STUB_DELAY_MS: '0',
        KTRDR_STUB_FAILURES: JSON.stringify({ backtesting: 'no market data for SP500 1h between 2021-01-01 and 2021-06-30' }),
      },
    });
    const id = await trigger(stack);
    const parent = await waitTerminal(stack, id);
    expect(parent.status).toBe('failed');
    expect(parent.error_message).toBe('Backtest failed: no market data for SP500 1h between 2021-01-01 and 2021-06-30');
    const child = await getOp(stack, parent.metadata.parameters['backtest_op_id'] as string);
    expect(child).toMatchObject({ status: 'failed', error_message: 'no market data for SP500 1h between 2021-01-01 and 2021-06-30' });
    expect(child.failure_code).toBe('EXECUTOR_FAILED');
    expect(parent.failure_code).toBe('CYCLE_FAILED');
    expect(parent.metadata.parameters['failure']).toMatchObject({ phase: 'backtesting', cause_code: 'EXECUTOR_FAILED' });
  });
});

describe('worker roles and lost workers', () => {
  let stack: Stack;
  afterEach(async () => stack?.stop());

  it('two worker processes splitting the queues complete a cycle together', async () => {
    stack = await startStack({ workers: ['research', 'design,training,backtest,assessment'], workerEnv: { KTRDR_STUB_DELAY_MS: '50' } });
    const parent = await waitTerminal(stack, await trigger(stack));
    expect(parent.status).toBe('completed');
  });

  it('a phase worker killed with SIGKILL mid-phase ends the child failed "worker lost" within the stall interval', async () => {
    stack = await startStack({
      workers: ['research'],
      workerEnv: { KTRDR_STUB_DELAY_MS: '60000', KTRDR_JOB_LOCK_MS: '2000', KTRDR_RECONCILE_INTERVAL_MS: '250' },
    });
    const phaseWorker = await stack.startWorker('design,training,backtest,assessment');
    const id = await trigger(stack);
    const designId = await eventually(async () => {
      const s = (await stack.request<Status>('GET', '/agent/status')).body;
      if (!s.child_operation_id) return undefined;
      return (await getOp(stack, s.child_operation_id)).status === 'running' ? s.child_operation_id : undefined;
    }, 'design running');
    const killedAt = Date.now();
    phaseWorker.child.kill('SIGKILL');
    const parent = await waitTerminal(stack, id, 15_000);
    const elapsed = Date.now() - killedAt;
    expect(parent.status).toBe('failed');
    expect(parent.error_message).toBe('Design failed: worker lost: job stalled and was not resumed within 2s');
    expect(await getOp(stack, designId)).toMatchObject({ status: 'failed', error_message: 'worker lost: job stalled and was not resumed within 2s' });
    expect(parent.failure_code).toBe('CYCLE_FAILED');
    expect(parent.metadata.parameters['failure']).toMatchObject({ phase: 'designing', cause_code: 'WORKER_LOST' });
    // lock (2 s) + reconcile interval, with slack for a loaded machine
    expect(elapsed).toBeLessThan(8000);
  });
});
