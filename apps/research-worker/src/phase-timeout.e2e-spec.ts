import { eventually, startStack, type Stack } from '../../../tools/testing/stack.harness';
import { childrenOf as children, getOp, pause, triggerCycle, waitTerminal as terminal } from '../../../tools/testing/stack.requests';

/** A named strategy skips design: the cycle starts at training. */
const trigger = (stack: Stack): Promise<string> => triggerCycle(stack, { strategy: 'v3_minimal' });

/**
 * Phase deadlines (`Training failed: worker timeout after 30 minutes`) on real processes with
 * stub phases and small deadlines: the worker enforces them through the phase's AbortSignal, the
 * reconcile pass backs them up when the worker is gone, and a timeout and a cancel never pass for each other.
 */

describe('phase deadline enforced by the worker', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      workerEnv: { KTRDR_STUB_DELAY_MS: '3000', KTRDR_PHASE_TIMEOUTS: JSON.stringify({ training: 400 }), KTRDR_RECONCILE_INTERVAL_MS: '60000' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('fails the child with PHASE_TIMEOUT and the parent with "Training failed: worker timeout after …"', async () => {
    const parentId = await trigger(stack);
    const parent = await terminal(stack, parentId);
    const [child] = await children(stack, parentId);
    expect(child).toMatchObject({ status: 'failed', error_message: 'worker timeout after 400 ms', cancellation_reason: null });
    expect(child!.failure_code).toBe('PHASE_TIMEOUT');
    expect(child!.metadata.parameters['failure']).toMatchObject({ phase: 'training', timeout_ms: 400 });
    expect(parent).toMatchObject({ status: 'failed', error_message: 'Training failed: worker timeout after 400 ms', cancellation_reason: null });
    expect(parent.metadata.parameters['failure']).toMatchObject({ cause_code: 'PHASE_TIMEOUT' });
    // Stopped by the deadline, not by the 3 s stub running out.
    expect(stack.workers[0]!.output()).toContain('phase deadline passed; stopping it');
  });

  it('a cancel before the deadline stays a cancel', async () => {
    const parentId = await trigger(stack);
    const childId = await eventually(
      async () => {
        const [c] = await children(stack, parentId);
        return c?.status === 'running' ? c.operation_id : undefined;
      },
      'training running',
      10_000,
      5,
    );
    expect((await stack.request('DELETE', `/agent/cancel/${parentId}`)).status).toBe(200);
    await pause(600); // the wait is what is tested: past the 400 ms deadline, the cancel still stands
    expect(await getOp(stack, childId)).toMatchObject({ status: 'cancelled', error_message: null, cancellation_reason: 'Parent cancelled' });
    expect(await getOp(stack, parentId)).toMatchObject({ status: 'cancelled', error_message: null });
  });
});

describe('phase deadline backed by the reconcile pass', () => {
  let stack: Stack;
  beforeAll(async () => {
    const env = { KTRDR_STUB_DELAY_MS: '20000', KTRDR_PHASE_TIMEOUTS: JSON.stringify({ training: 1000 }), KTRDR_RECONCILE_INTERVAL_MS: '200' };
    stack = await startStack({ workerEnv: env, workers: ['research,design,backtest,assessment', 'training'] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('fails a phase whose worker died past its deadline as a timeout, and ends the cycle', async () => {
    const parentId = await trigger(stack);
    await eventually(async () => ((await children(stack, parentId))[0]?.status === 'running' ? true : undefined), 'training running', 10_000, 5);
    const training = stack.workers[1]!;
    training.child.kill('SIGKILL');
    await training.exited;
    // The job lock (30 s) has not expired: only the deadline (1 s + grace) can end it this soon.
    const parent = await terminal(stack, parentId, 10_000);
    expect(parent).toMatchObject({ status: 'failed', error_message: 'Training failed: worker timeout after 1 second' });
    expect((await children(stack, parentId))[0]).toMatchObject({
      status: 'failed',
      error_message: 'worker timeout after 1 second',
      failure_code: 'PHASE_TIMEOUT',
    });
  });
});
