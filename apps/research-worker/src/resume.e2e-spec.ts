import { modelPathOf } from '@ktrdr/api-contract';
import { BlobStore } from '@ktrdr/operations';
import { eventually, startStack, type ManagedProcess, type Stack } from '../../../tools/testing/stack.harness';
import { childrenOf, getOp as getOperation, triggerCycle, waitTerminal } from '../../../tools/testing/stack.requests';

/**
 * Resume end to end: the built API and research worker as separate processes on a real
 * Redis. Stub phases; a first worker fails every backtest (KTRDR_STUB_FAILURES), a second one does
 * not, so a cycle fails at backtesting and its resume completes. Stub training is pointed at a real
 * walk-forward manifest in the blob store (KTRDR_STUB_RESULTS), so the resume check reads real
 * blobs and sees them vanish.
 */

interface Op {
  operation_id: string;
  status: string;
  parent_operation_id: string | null;
  error_message: string | null;
  result_summary: Record<string, unknown> | null;
  metadata: { parameters: Record<string, unknown> };
}
type Body = Record<string, unknown>;

let stack: Stack;
let blobs: BlobStore;
let manifestHash: string;
let modelDir: string;
/** The training child that "made" the stored run: its owner until a completed cycle releases it. */
const STUB_TRAINER = 'op_training_20260101_000000_0000beef';
let worker: ManagedProcess;

const getOp = async (id: string): Promise<Op> => (await getOperation(stack, id)) as Op;
const children = async (id: string): Promise<Op[]> => (await childrenOf(stack, id)) as Op[];
const terminal = async (id: string, timeoutMs = 20_000): Promise<Op> => (await waitTerminal(stack, id, timeoutMs)) as Op;
const inPhase = (id: string, phase: string): Promise<string> =>
  eventually(async () => {
    const p = (await getOp(id)).metadata.parameters;
    const key = { designing: 'design_op_id', training: 'training_op_id', backtesting: 'backtest_op_id', assessing: 'assessment_op_id' }[phase]!;
    return p['phase'] === phase && typeof p[key] === 'string' ? (p[key] as string) : undefined;
  }, `${id} to reach ${phase}`);
const trigger = (body: Body = {}): Promise<string> => triggerCycle(stack, body);
const resume = (id: string, body?: Body) => stack.request<Body>('POST', `/agent/resume/${id}`, body);
/** The whole record of a cycle and its children, to prove a resume left them exactly as they were. */
const snapshotTree = async (ids: string[]): Promise<string> => JSON.stringify(await Promise.all(ids.map(getOp)));

async function swapWorker(env: Record<string, string>): Promise<void> {
  worker.child.kill('SIGTERM');
  await worker.exited;
  worker = await stack.startWorker('all', env);
}

const stubResults = (): string => JSON.stringify({ training: { model_path: modelDir } });
const FAIL_BACKTEST = JSON.stringify({ backtesting: 'injected: market data feed down' });

beforeAll(async () => {
  stack = await startStack({ workers: [] });
  blobs = new BlobStore(stack.redis, stack.prefix);
  const model = await blobs.put(Buffer.from('KTRDRMDL stand-in'), { kind: 'model', strategy: 'v3_minimal' }, { owner: STUB_TRAINER });
  const manifest = {
    strategy_name: 'v3_minimal',
    training_operation_id: STUB_TRAINER,
    plan: { scheme: 'expanding', folds: 1, purge: 0, embargo: 0, seeds: 1 },
    windows: [['2019-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z']],
    folds: [{ fold: 1, models: [{ seed: 42, model: model.hash }] }],
  };
  manifestHash = (await blobs.put(Buffer.from(JSON.stringify(manifest)), { kind: 'walk-forward', strategy: 'v3_minimal' }, { owner: STUB_TRAINER })).hash;
  modelDir = modelPathOf(manifestHash);
  worker = await stack.startWorker('all', { KTRDR_STUB_DELAY_MS: '300', KTRDR_STUB_RESULTS: stubResults(), KTRDR_STUB_FAILURES: FAIL_BACKTEST });
});
afterAll(async () => stack?.stop());

describe('resuming research cycles', () => {
  let failedA: string; // failed at backtesting, resumed later
  let failedB: string; // failed at backtesting, resumed twice at once

  it('refuses unknown ids, non-cycles, and a cycle that is still active', async () => {
    expect((await resume('op_agent_research_20260101_000000_deadbeef')).body).toMatchObject({
      triggered: false,
      reason: 'not_found',
      error: { code: 'OPERATION_NOT_FOUND' },
    });
    const bad = await resume('..%2F..%2Fetc');
    expect(bad.status).toBe(404);

    failedA = await trigger({ brief: 'momentum' });
    const designChild = await inPhase(failedA, 'training');
    const active = await resume(failedA);
    expect(active.status).toBe(409);
    expect(active.body).toMatchObject({
      triggered: false,
      reason: 'not_resumable',
      operation_id: failedA,
      status: 'running',
      error: { code: 'NOT_RESUMABLE' },
    });
    expect(active.body['message']).toContain('is still active');
    const notCycle = await resume(designChild);
    expect(notCycle.status).toBe(422);
    expect(notCycle.body).toMatchObject({ reason: 'not_research' });

    expect(await terminal(failedA)).toMatchObject({ status: 'failed', error_message: 'Backtest failed: injected: market data feed down' });
    failedB = await trigger();
    expect((await terminal(failedB)).status).toBe('failed');
  });

  it('rejects a from_phase after the phase that did not finish, or not a phase, naming the field', async () => {
    const late = await resume(failedA, { from_phase: 'assessing' });
    expect(late.status).toBe(422);
    expect(late.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED', details: { errors: [{ field: 'from_phase' }] } } });
    expect(JSON.stringify(late.body)).toContain('must be at or before backtesting');
    const bogus = await resume(failedA, { from_phase: 'sleeping' });
    expect(bogus.status).toBe(422);
    expect(JSON.stringify(bogus.body)).toContain('from_phase');
  });

  it('after a backtest failure starts at backtesting, reuses the design and training children untouched, and completes', async () => {
    await swapWorker({ KTRDR_STUB_DELAY_MS: '300', KTRDR_STUB_RESULTS: stubResults() });
    const old = await getOp(failedA);
    const oldKids = await children(failedA);
    const before = await snapshotTree([failedA, ...oldKids.map((c) => c.operation_id)]);

    const res = await resume(failedA);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      triggered: true,
      resumed_from: failedA,
      start_phase: 'backtesting',
      reused_phases: ['designing', 'training'],
      message: 'Research cycle resumed',
    });
    const id = res.body['operation_id'] as string;
    expect(id).toMatch(/^op_agent_research_\d{8}_\d{6}_[0-9a-f]{8}$/);

    const done = await terminal(id);
    expect(done.status).toBe('completed');
    const p = done.metadata.parameters;
    const o = old.metadata.parameters;
    expect(p).toMatchObject({
      resumed_from: failedA,
      brief: 'momentum',
      design_op_id: o['design_op_id'],
      training_op_id: o['training_op_id'],
      strategy_name: o['strategy_name'],
      model_path: modelDir,
      training_result: o['training_result'],
    });
    expect(p['backtest_op_id']).not.toBe(o['backtest_op_id']);
    expect(done.result_summary).toMatchObject({ success: true, verdict: 'promising', model_path: modelDir, stub: true });
    // Completing released the reused run: its trainer no longer holds it, and it keeps the retention TTL.
    expect(await blobs.owners(manifestHash)).toEqual([]);
    expect((await blobs.stat(manifestHash))!.ttl).toBeGreaterThan(29 * 86_400);
    // Its own children are the two phases it ran; the reused ones stay the old cycle's.
    const kids = await children(id);
    expect(kids.map((c) => c.operation_id)).toEqual([p['backtest_op_id'], p['assessment_op_id']]);
    expect(await snapshotTree([failedA, ...oldKids.map((c) => c.operation_id)])).toBe(before);

    // The status says where it came from; a completed cycle cannot be resumed.
    const status = (await stack.request<Body>('GET', '/agent/status')).body;
    expect(status).toMatchObject({ status: 'idle', last_cycle: { operation_id: id, outcome: 'completed', resumed_from: failedA } });
    const again = await resume(id);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ reason: 'not_resumable', message: `Cannot resume ${id}: Cycle ${id} completed; there is nothing to resume` });
  });

  it('two concurrent resumes of one cycle with capacity 1: exactly one 202; cancelling it leaves the old children untouched; it can be resumed again', async () => {
    const oldKids = await children(failedB);
    const before = await snapshotTree([failedB, ...oldKids.map((c) => c.operation_id)]);
    await swapWorker({ KTRDR_STUB_DELAY_MS: '1500', KTRDR_STUB_RESULTS: stubResults() });

    const [r1, r2] = await Promise.all([resume(failedB), resume(failedB)]);
    expect([r1.status, r2.status].sort()).toEqual([202, 409]);
    const won = r1.status === 202 ? r1 : r2;
    const lost = r1.status === 202 ? r2 : r1;
    const id = won.body['operation_id'] as string;
    expect(lost.body).toMatchObject({ triggered: false, reason: 'active_cycle_exists', operation_id: id });

    const ownBacktest = await inPhase(id, 'backtesting');
    const activeStatus = (await stack.request<Body>('GET', '/agent/status')).body;
    expect(activeStatus).toMatchObject({ status: 'active', operation_id: id, resumed_from: failedB, child_operation_id: ownBacktest });
    expect(activeStatus['active_researches']).toEqual([expect.objectContaining({ operation_id: id, resumed_from: failedB })]);

    const cancel = await stack.request<Body>('DELETE', `/agent/cancel/${id}`);
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ child_cancelled: ownBacktest, children_cancelled: [ownBacktest] });
    expect((await terminal(id)).status).toBe('cancelled');
    expect(await snapshotTree([failedB, ...oldKids.map((c) => c.operation_id)])).toBe(before);

    // A resume of the resumed cycle: its design and training were B's, its own backtest was cancelled.
    await swapWorker({ KTRDR_STUB_DELAY_MS: '300', KTRDR_STUB_RESULTS: stubResults() });
    const res = await resume(id);
    expect(res.body).toMatchObject({ triggered: true, resumed_from: id, start_phase: 'backtesting' });
    const third = res.body['operation_id'] as string;
    const resumedAgain = (await getOp(third)).metadata.parameters;
    const b = (await getOp(failedB)).metadata.parameters;
    expect(resumedAgain).toMatchObject({ resumed_from: id, design_op_id: b['design_op_id'], training_op_id: b['training_op_id'] });
    expect((await terminal(third)).status).toBe('completed');
  });

  it('after a cancel during training starts at training with the same strategy; from_phase designing runs everything again', async () => {
    const id = await trigger({ brief: 'breakout' });
    const oldTraining = await inPhase(id, 'training');
    expect((await stack.request('DELETE', '/agent/cancel')).status).toBe(200);
    const old = await terminal(id);
    expect(old.status).toBe('cancelled');

    const res = await resume(id);
    expect(res.body).toMatchObject({ triggered: true, start_phase: 'training', reused_phases: ['designing'] });
    const resumed = await terminal(res.body['operation_id'] as string);
    expect(resumed.status).toBe('completed');
    expect(resumed.metadata.parameters).toMatchObject({
      design_op_id: old.metadata.parameters['design_op_id'],
      strategy_name: old.metadata.parameters['strategy_name'],
      brief: 'breakout',
    });
    expect(resumed.metadata.parameters['training_op_id']).not.toBe(oldTraining);
    expect((await children(resumed.operation_id)).map((c) => c.metadata.parameters['phase'])).toEqual(['training', 'backtesting', 'assessing']);

    const fresh = await resume(id, { from_phase: 'designing' });
    expect(fresh.body).toMatchObject({ triggered: true, start_phase: 'designing', reused_phases: [] });
    const rerun = await terminal(fresh.body['operation_id'] as string);
    expect(rerun.status).toBe('completed');
    expect(rerun.metadata.parameters['design_op_id']).not.toBe(old.metadata.parameters['design_op_id']);
    expect(await children(rerun.operation_id)).toHaveLength(4);
  });

  it('refuses with not_resumable naming the stored model once it is gone (its retention ran out)', async () => {
    await stack.redis.del(blobs.blobKey(manifestHash));
    const before = await getOp(failedA);
    const res = await resume(failedA);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      triggered: false,
      reason: 'not_resumable',
      operation_id: failedA,
      message: `Cannot resume ${failedA}: the trained model is gone from the store: ${modelDir} (kept KTRDR_ARTIFACT_TTL_DAYS after its cycle ended)`,
    });
    // Nothing started, nothing changed.
    expect((await stack.request<Body>('GET', '/agent/status')).body['status']).toBe('idle');
    expect(await getOp(failedA)).toEqual(before);
    // Training does not read the model: resuming from training is still possible.
    const fromTraining = await resume(failedA, { from_phase: 'training' });
    expect(fromTraining.body).toMatchObject({ triggered: true, start_phase: 'training' });
    await terminal(fromTraining.body['operation_id'] as string);
  });
});
