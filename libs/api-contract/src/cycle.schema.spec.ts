import { CycleParametersSchema, PHASE_TABLE, currentChildId, nextPhase, phaseOfOperationType, phaseOfQueue, readCycleParameters } from './cycle.schema';
import { ACTIVE_PHASES } from './vocabulary';

describe('the cycle record', () => {
  it('reads a record written before a key existed, with the trigger echo defaulted', () => {
    const p = readCycleParameters({ phase: 'training', model: 'claude-sonnet-5-5', training_op_id: 'op_training_20260101_000000_deadbeef' });
    expect(p).toEqual({
      phase: 'training',
      model: 'claude-sonnet-5-5',
      brief: null,
      strategy: null,
      bypass_gates: false,
      training_op_id: 'op_training_20260101_000000_deadbeef',
    });
    expect(currentChildId(p)).toBe('op_training_20260101_000000_deadbeef');
  });

  it('reads a malformed field as absent instead of failing the whole record, and leaves unknown keys out', () => {
    const p = readCycleParameters({
      phase: 'dancing',
      bypass_gates: 'yes',
      design_op_id: 42,
      assessment_verdict: 'great',
      llm_usage: { input_tokens: 'x' },
      from_the_future: 1,
      strategy_name: 'ok',
    });
    expect(p).toEqual({ phase: 'idle', model: null, brief: null, strategy: null, bypass_gates: false, strategy_name: 'ok' });
    expect(readCycleParameters(null)).toEqual(readCycleParameters({}));
    expect(currentChildId(readCycleParameters({ phase: 'idle' }))).toBeNull();
  });

  it('keeps the typed phase results it was given', () => {
    const training_result = { accuracy: 0.5, model_path: '/m' };
    expect(readCycleParameters({ training_result }).training_result).toEqual(training_result);
    expect(readCycleParameters({ training_result: 'not an object' }).training_result).toBeUndefined();
  });
});

describe('the phase table', () => {
  it('lists the phases in cycle order, each with its own queue, type and child key', () => {
    expect(Object.keys(PHASE_TABLE)).toEqual([...ACTIVE_PHASES]);
    for (const key of ['queue', 'operationType', 'childKey', 'label'] as const) {
      expect(new Set(ACTIVE_PHASES.map((p) => PHASE_TABLE[p][key])).size).toBe(ACTIVE_PHASES.length);
    }
    expect(ACTIVE_PHASES.map((p) => PHASE_TABLE[p].percentage)).toEqual([5, 20, 65, 90]);
  });

  it('names only keys the cycle record has, as child keys and as products', () => {
    const keys = Object.keys(CycleParametersSchema.shape);
    for (const p of ACTIVE_PHASES) {
      expect(keys).toContain(PHASE_TABLE[p].childKey);
      for (const k of PHASE_TABLE[p].produces) expect(keys).toContain(k);
    }
  });

  it('maps operation types and queues back to their phase', () => {
    expect(ACTIVE_PHASES.map((p) => phaseOfOperationType(PHASE_TABLE[p].operationType))).toEqual([...ACTIVE_PHASES]);
    expect(ACTIVE_PHASES.map((p) => phaseOfQueue(PHASE_TABLE[p].queue))).toEqual([...ACTIVE_PHASES]);
    expect(phaseOfOperationType('agent_research')).toBeNull();
    expect(phaseOfQueue('research')).toBeNull();
    expect(ACTIVE_PHASES.map(nextPhase)).toEqual(['training', 'backtesting', 'assessing', null]);
  });
});
