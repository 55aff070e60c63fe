import { GateError } from '@ktrdr/errors';
import {
  decideAfterChild,
  firstPhase,
  planResume,
  resumeNeedsModel,
  resumeSourceOf,
  resumeFirstPhase,
  type ChildSnapshot,
  type CycleSnapshot,
  type ResumeDecision,
  type ResumePlan,
  type ResumeSource,
} from './cycle.machine';
import { DEFAULT_GATE_THRESHOLDS } from './gates';
import { STUB_RESULTS } from './stub.executors';

const parent = (phase: string, extra: Record<string, unknown> = {}): CycleSnapshot => ({
  operation_id: 'op_agent_research_1',
  status: 'running',
  parameters: { phase, design_op_id: 'd1', training_op_id: 't1', backtest_op_id: 'b1', assessment_op_id: 'a1', ...extra },
});
const child = (id: string, status: ChildSnapshot['status'], result: Record<string, unknown> | null = null, error: string | null = null): ChildSnapshot => ({
  operation_id: id,
  status,
  result_summary: result,
  error_message: error,
});
const decide = (p: CycleSnapshot, c: ChildSnapshot) => decideAfterChild(p, c, DEFAULT_GATE_THRESHOLDS);

describe('research cycle state machine', () => {
  it('starts by designing, or by training when a strategy is given', () => {
    expect(firstPhase({ strategy: null }, null)).toMatchObject({
      kind: 'start_phase',
      phase: 'designing',
      progress: { percentage: 5, current_step: 'Designing strategy...' },
    });
    expect(firstPhase({ strategy: 'v3_minimal' }, 'strategies/v3_minimal.yaml')).toMatchObject({
      kind: 'start_phase',
      phase: 'training',
      parameters: { strategy_name: 'v3_minimal', strategy_path: 'strategies/v3_minimal.yaml' },
      progress: { percentage: 20 },
    });
  });

  it('walks designing → training → backtesting → assessing → completed, storing each result', () => {
    expect(decide(parent('designing'), child('d1', 'completed', STUB_RESULTS.designing))).toMatchObject({
      kind: 'start_phase',
      phase: 'training',
      parameters: { strategy_name: 'v3_minimal', strategy_path: 'strategies/v3_minimal.yaml' },
      progress: { percentage: 20, current_step: 'Training model...' },
    });
    expect(decide(parent('training'), child('t1', 'completed', STUB_RESULTS.training))).toMatchObject({
      kind: 'start_phase',
      phase: 'backtesting',
      parameters: { training_result: STUB_RESULTS.training, model_path: STUB_RESULTS.training['model_path'] },
      progress: { percentage: 65, current_step: 'Running backtest...' },
    });
    expect(decide(parent('backtesting'), child('b1', 'completed', STUB_RESULTS.backtesting))).toMatchObject({
      kind: 'start_phase',
      phase: 'assessing',
      parameters: { backtest_result: STUB_RESULTS.backtesting },
      progress: { percentage: 90, current_step: 'Assessing results...' },
    });
    const usage = { input_tokens: 1200, output_tokens: 300, cost_usd: 0.01 };
    const assessed = { ...STUB_RESULTS.assessing, input_tokens: 800, output_tokens: 200, cost_usd: 0.005 };
    const done = decide(
      parent('assessing', { strategy_name: 's', model_path: 'm', backtest_result: { sharpe_ratio: 1 }, llm_usage: usage }),
      child('a1', 'completed', assessed),
    );
    const total = { input_tokens: 2000, output_tokens: 500, cost_usd: 0.015 };
    expect(done).toEqual({
      kind: 'complete',
      parameters: { assessment_verdict: 'promising', llm_usage: total },
      result: {
        success: true,
        strategy_name: 's',
        verdict: 'promising',
        backtest_result: { sharpe_ratio: 1 },
        model_path: 'm',
        designer: null,
        assessor: 'stub',
        llm_usage: total,
      },
      progress: { percentage: 100, current_step: 'Complete', steps_completed: 4, steps_total: 4 },
    });
  });

  it('marks the cycle result as stub when any phase returned stub results', () => {
    const done = decide(parent('assessing', { training_result: { ...STUB_RESULTS.training, stub: true } }), child('a1', 'completed', STUB_RESULTS.assessing));
    expect(done).toMatchObject({ kind: 'complete', result: { stub: true } });
  });

  it('fails the cycle with the training gate reason', () => {
    const action = decide(parent('training'), child('t1', 'completed', { ...STUB_RESULTS.training, accuracy: 0.423 }));
    expect(action.kind).toBe('fail');
    if (action.kind !== 'fail') return;
    expect(action.error).toBeInstanceOf(GateError);
    expect(action.error.message).toBe('Training gate failed: accuracy_below_threshold (42.3% < 45.0%)');
    expect(action.error.details).toMatchObject({ gate: 'training', thresholds: { minAccuracy: 0.45 } });
    expect(action.parameters).toMatchObject({ training_result: { accuracy: 0.423 } });
  });

  it('fails the cycle with the backtest gate reason', () => {
    const action = decide(parent('backtesting'), child('b1', 'completed', { ...STUB_RESULTS.backtesting, max_drawdown: 0.452 }));
    expect(action).toMatchObject({ kind: 'fail', error: { message: 'Backtest gate failed: drawdown_too_high (45.2% > 40.0%)' } });
  });

  it('skips gates when bypass_gates is set', () => {
    const action = decide(parent('training', { bypass_gates: true }), child('t1', 'completed', { ...STUB_RESULTS.training, accuracy: 0.1 }));
    expect(action).toMatchObject({ kind: 'start_phase', phase: 'backtesting' });
  });

  it.each([
    ['designing', 'd1', 'Design failed: Claude did not save a strategy configuration'],
    ['training', 't1', 'Training failed: Claude did not save a strategy configuration'],
    ['backtesting', 'b1', 'Backtest failed: Claude did not save a strategy configuration'],
    ['assessing', 'a1', 'Assessment failed: Claude did not save a strategy configuration'],
  ])('prefixes a failed %s child with its phase', (phase, id, message) => {
    const action = decide(parent(phase), child(id, 'failed', null, 'Claude did not save a strategy configuration'));
    expect(action).toMatchObject({ kind: 'fail', error: { message, details: { phase } } });
  });

  it("keeps the child's failure code as the cause", () => {
    const failed = { ...child('t1', 'failed', null, 'worker lost: job stalled and was not resumed within 30s'), failure_code: 'WORKER_LOST' };
    expect(decide(parent('training'), failed)).toMatchObject({
      kind: 'fail',
      error: {
        code: 'CYCLE_FAILED',
        message: 'Training failed: worker lost: job stalled and was not resumed within 30s',
        details: { phase: 'training', cause_code: 'WORKER_LOST', child_operation_id: 't1' },
      },
    });
  });

  it('cancels the cycle when its child was cancelled externally', () => {
    expect(decide(parent('training'), child('t1', 'cancelled'))).toMatchObject({ kind: 'cancel' });
  });

  it('never advances a cycle that is no longer running', () => {
    for (const status of ['cancelled', 'failed', 'completed'] as const) {
      expect(decide({ ...parent('training'), status }, child('t1', 'completed', STUB_RESULTS.training))).toMatchObject({ kind: 'ignore' });
    }
  });

  it('ignores a stale child and a child still running', () => {
    expect(decide(parent('backtesting'), child('t1', 'completed', STUB_RESULTS.training))).toMatchObject({ kind: 'ignore' });
    expect(decide(parent('training'), child('t1', 'running'))).toMatchObject({ kind: 'ignore' });
  });
});

describe('resuming a cycle (planResume, resumeFirstPhase)', () => {
  const trigger = { model: 'claude-sonnet-5-5', brief: 'momentum', strategy: null, bypass_gates: false };
  const designed = {
    strategy_name: 'momo_1',
    strategy_path: '/s/momo_1.yaml',
    designer: 'offline',
    llm_usage: { input_tokens: 9, output_tokens: 9, cost_usd: 0.1 },
  };
  const trained = { training_result: { accuracy: 0.6 }, model_path: '/m/momo_1/t1' };
  const old = (status: ResumeSource['status'], parameters: Record<string, unknown>, children: ResumeSource['children']): ResumeSource => ({
    operation_id: 'op_agent_research_old',
    status,
    parameters: { ...trigger, ...parameters },
    children,
  });
  const plan = (d: ResumeDecision): ResumePlan => {
    if (!d.ok) throw new Error(`expected a plan, got ${d.kind}: ${d.message}`);
    return d.plan;
  };

  it('after a backtest failure starts at backtesting, pointing at the finished design and training children and copying their products', () => {
    const src = old(
      'failed',
      { phase: 'backtesting', design_op_id: 'd1', training_op_id: 't1', backtest_op_id: 'b1', ...designed, ...trained, failure: { code: 'CYCLE_FAILED' } },
      { d1: 'completed', t1: 'completed', b1: 'failed' },
    );
    const p = plan(planResume(src));
    expect(p.start_phase).toBe('backtesting');
    expect(p.reused_phases).toEqual(['designing', 'training']);
    expect(p.parameters).toEqual({
      phase: 'idle',
      ...trigger,
      resumed_from: 'op_agent_research_old',
      resume_start_phase: 'backtesting',
      reused_phases: ['designing', 'training'],
      design_op_id: 'd1',
      training_op_id: 't1',
      strategy_name: 'momo_1',
      strategy_path: '/s/momo_1.yaml',
      designer: 'offline',
      ...trained,
    });
    // The failed child, the failure and the old spend stay with the old cycle.
    expect(p.parameters).not.toHaveProperty('backtest_op_id');
    expect(p.parameters).not.toHaveProperty('llm_usage');
    expect(p.needs).toEqual({ strategy: 'momo_1', model_path: '/m/momo_1/t1', model_is_stub_placeholder: false });
  });

  it('after a cancel during training starts at training with the same strategy and needs no model', () => {
    const p = plan(
      planResume(old('cancelled', { phase: 'training', design_op_id: 'd1', training_op_id: 't1', ...designed }, { d1: 'completed', t1: 'cancelled' })),
    );
    expect(p).toMatchObject({ start_phase: 'training', reused_phases: ['designing'], parameters: { design_op_id: 'd1', strategy_name: 'momo_1' } });
    expect(p.needs).toEqual({ strategy: 'momo_1', model_path: null, model_is_stub_placeholder: false });
  });

  it('resumeNeedsModel: kept only where a resume could run the backtest again', () => {
    const phases = { design_op_id: 'd1', training_op_id: 't1', backtest_op_id: 'b1', assessment_op_id: 'a1', ...designed, ...trained };
    const ended = (status: ResumeSource['status'], phase: string, failure: string | null, children: ResumeSource['children']): ResumeSource => ({
      ...old(status, { ...phases, phase }, children),
      failure_code: failure,
    });
    // The backtest failed or was refused, or the assessment did not finish: a resume starts there (or at the backtest).
    expect(resumeNeedsModel(ended('failed', 'backtesting', 'CYCLE_FAILED', { d1: 'completed', t1: 'completed', b1: 'failed' }))).toBe(true);
    expect(resumeNeedsModel(ended('failed', 'backtesting', 'GATE_FAILED', { d1: 'completed', t1: 'completed', b1: 'completed' }))).toBe(true);
    expect(resumeNeedsModel(ended('cancelled', 'assessing', null, { d1: 'completed', t1: 'completed', b1: 'completed', a1: 'cancelled' }))).toBe(true);
    // Refused at the training gate, or stopped in training: a resume trains again.
    expect(resumeNeedsModel(ended('failed', 'training', 'GATE_FAILED', { d1: 'completed', t1: 'completed' }))).toBe(false);
    expect(resumeNeedsModel(ended('cancelled', 'training', null, { d1: 'completed', t1: 'cancelled' }))).toBe(false);
    // Completed (nothing to resume), still running, or never trained.
    expect(resumeNeedsModel(ended('completed', 'assessing', null, { d1: 'completed', t1: 'completed', b1: 'completed', a1: 'completed' }))).toBe(false);
    expect(resumeNeedsModel(ended('running', 'backtesting', null, { d1: 'completed', t1: 'completed', b1: 'running' }))).toBe(false);
    const { model_path: _gone, ...untrained } = phases;
    expect(resumeNeedsModel({ ...old('failed', { ...untrained, phase: 'backtesting' }, { d1: 'completed', t1: 'completed', b1: 'failed' }) })).toBe(false);
  });

  it('resumeSourceOf reads each named child by id, and the failure code', async () => {
    const looked: string[] = [];
    const source = await resumeSourceOf(
      {
        operation_id: 'op_c',
        status: 'failed',
        failure_code: 'GATE_FAILED',
        metadata: { parameters: { phase: 'training', design_op_id: 'd1', training_op_id: 't1' } },
      },
      async (id) => (looked.push(id), id === 'd1' ? 'completed' : undefined),
    );
    expect(looked).toEqual(['d1', 't1']);
    expect(source).toMatchObject({ operation_id: 'op_c', status: 'failed', failure_code: 'GATE_FAILED', children: { d1: 'completed', t1: undefined } });
    expect(source.parameters).toMatchObject({ phase: 'training', design_op_id: 'd1' });
  });

  it('re-runs a phase whose gate failed instead of slipping past the gate', () => {
    const src = old(
      'failed',
      { phase: 'training', design_op_id: 'd1', training_op_id: 't1', ...designed, ...trained, failure: { code: 'GATE_FAILED', gate: 'training' } },
      { d1: 'completed', t1: 'completed' },
    );
    const p = plan(planResume(src));
    expect(p.start_phase).toBe('training');
    // The code as a field of the record (failure_code), the details beside the cycle's state.
    const { failure: _failure, ...rest } = src.parameters;
    expect(plan(planResume({ ...src, parameters: { ...rest, failure: { gate: 'training' } }, failure_code: 'GATE_FAILED' })).start_phase).toBe('training');
    expect(plan(planResume({ ...src, parameters: rest, failure_code: 'CYCLE_FAILED' })).start_phase).toBe('backtesting');
    expect(p.parameters).not.toHaveProperty('training_result');
    expect(p.parameters).not.toHaveProperty('training_op_id');
  });

  it('from_phase at or before the unfinished phase re-runs from there; after it, or before a strategy cycle began, is refused', () => {
    const src = old(
      'failed',
      { phase: 'backtesting', design_op_id: 'd1', training_op_id: 't1', backtest_op_id: 'b1', ...designed, ...trained },
      { d1: 'completed', t1: 'completed', b1: 'failed' },
    );
    const again = plan(planResume(src, 'designing'));
    expect(again).toMatchObject({ start_phase: 'designing', reused_phases: [], needs: { strategy: null, model_path: null } });
    expect(again.parameters).not.toHaveProperty('design_op_id');
    expect(again.parameters).not.toHaveProperty('strategy_name');
    expect(plan(planResume(src, 'training')).reused_phases).toEqual(['designing']);
    expect(planResume(src, 'assessing')).toEqual({
      ok: false,
      kind: 'bad_from_phase',
      message: 'must be at or before backtesting, the first phase of op_agent_research_old that did not finish',
    });

    const fromStrategy = old('cancelled', { strategy: 'v3_minimal', brief: null, phase: 'idle' }, {});
    expect(plan(planResume(fromStrategy))).toMatchObject({
      start_phase: 'training',
      reused_phases: ['designing'],
      parameters: { strategy: 'v3_minimal', strategy_name: 'v3_minimal' },
    });
    expect(planResume(fromStrategy, 'designing')).toMatchObject({
      ok: false,
      kind: 'bad_from_phase',
      message: expect.stringContaining('had no design phase; the earliest is training'),
    });
  });

  it('refuses completed and still-active cycles', () => {
    expect(planResume(old('completed', { phase: 'assessing' }, {}))).toEqual({
      ok: false,
      kind: 'not_resumable',
      message: 'Cycle op_agent_research_old completed; there is nothing to resume',
    });
    expect(planResume(old('running', { phase: 'training' }, {}))).toMatchObject({
      ok: false,
      kind: 'not_resumable',
      message: expect.stringContaining('is still active (running)'),
    });
    expect(planResume(old('pending', { phase: 'idle' }, {}))).toMatchObject({ ok: false, kind: 'not_resumable' });
  });

  it('resumes a resumed cycle: the reused children are found by id, wherever they live', () => {
    // B resumed from A at backtesting (A's design and training) and was cancelled in its own backtest.
    const b = old(
      'cancelled',
      { phase: 'backtesting', resumed_from: 'A', design_op_id: 'dA', training_op_id: 'tA', backtest_op_id: 'bB', ...designed, ...trained },
      { dA: 'completed', tA: 'completed', bB: 'cancelled' },
    );
    const p = plan(planResume(b));
    expect(p).toMatchObject({ start_phase: 'backtesting', parameters: { resumed_from: 'op_agent_research_old', design_op_id: 'dA', training_op_id: 'tA' } });
  });

  it('starts at assessing only with both metrics, and treats the stub placeholder model path as naming no files', () => {
    const stubTraining = { training_result: { ...STUB_RESULTS.training, stub: true }, model_path: STUB_RESULTS.training.model_path };
    const base = { phase: 'assessing', design_op_id: 'd1', training_op_id: 't1', backtest_op_id: 'b1', assessment_op_id: 'a1', ...designed, ...stubTraining };
    const kids = { d1: 'completed', t1: 'completed', b1: 'completed', a1: 'failed' } as const;
    expect(planResume(old('failed', base, kids))).toEqual({
      ok: false,
      kind: 'not_resumable',
      message: 'the metrics are gone: op_agent_research_old has no backtest_result',
    });
    const p = plan(planResume(old('failed', { ...base, backtest_result: { sharpe_ratio: 1 } }, kids)));
    expect(p).toMatchObject({ start_phase: 'assessing', reused_phases: ['designing', 'training', 'backtesting'] });
    expect(p.needs).toEqual({ strategy: 'momo_1', model_path: STUB_RESULTS.training.model_path, model_is_stub_placeholder: true });
    // A stub result pointed elsewhere (KTRDR_STUB_RESULTS) is checked like a real one.
    const moved = plan(planResume(old('failed', { ...base, backtest_result: {}, model_path: '/tmp/m', training_result: { stub: true } }, kids)));
    expect(moved.needs.model_is_stub_placeholder).toBe(false);
  });

  it('resumeFirstPhase starts a resumed cycle at its start phase and leaves other cycles to firstPhase', () => {
    expect(resumeFirstPhase({ phase: 'idle', resumed_from: 'A', resume_start_phase: 'backtesting' })).toEqual({
      kind: 'start_phase',
      phase: 'backtesting',
      parameters: {},
      progress: { percentage: 65, current_step: 'Running backtest...', steps_completed: 2, steps_total: 4 },
    });
    expect(resumeFirstPhase({ phase: 'idle', strategy: 'v3_minimal' })).toBeNull();
  });
});
