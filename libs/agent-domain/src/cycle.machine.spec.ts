import { GateError } from '@ktrdr/errors';
import { decideAfterChild, firstPhase, type ChildSnapshot, type CycleSnapshot } from './cycle.machine';
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
    expect(firstPhase({ strategy: null }, null)).toMatchObject({ kind: 'start_phase', phase: 'designing', progress: { percentage: 5, current_step: 'Designing strategy...' } });
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
    const done = decide(parent('assessing', { strategy_name: 's', model_path: 'm', backtest_result: { sharpe_ratio: 1 }, llm_usage: usage }), child('a1', 'completed', assessed));
    const total = { input_tokens: 2000, output_tokens: 500, cost_usd: 0.015 };
    expect(done).toEqual({
      kind: 'complete',
      parameters: { assessment_verdict: 'promising', llm_usage: total },
      result: { success: true, strategy_name: 's', verdict: 'promising', backtest_result: { sharpe_ratio: 1 }, model_path: 'm', llm_usage: total },
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
      error: { code: 'CYCLE_FAILED', message: 'Training failed: worker lost: job stalled and was not resumed within 30s', details: { phase: 'training', cause_code: 'WORKER_LOST', child_operation_id: 't1' } },
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
