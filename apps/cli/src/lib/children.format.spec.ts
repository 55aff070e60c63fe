import { operationRecord } from '../../../../tools/testing/operation.fixture';
import type { OperationInfo } from '@ktrdr/api-contract';
import { childrenTableLines, operationDurationSeconds } from './output.format';

const CYCLE = 'op_agent_research_20261125_143022_ab12cd34';
const NOW = new Date('2026-11-25T14:40:00.000Z');

function child(type: string, id: string, fields: Partial<Record<string, unknown>> = {}): OperationInfo {
  return operationRecord({
    operation_id: id,
    operation_type: type,
    status: 'completed',
    parent_operation_id: CYCLE,
    started_at: '2026-11-25T14:30:23.000Z',
    completed_at: '2026-11-25T14:30:35.000Z',
    progress: { percentage: 100, current_step: 'Done' },
    ...fields,
  });
}

const DESIGN = child('agent_design', 'op_agent_design_20261125_143022_11111111');
const TRAINING = child('training', 'op_training_20261125_143035_22222222', {
  status: 'failed',
  started_at: '2026-11-25T14:30:35.000Z',
  completed_at: '2026-11-25T14:33:40.000Z',
  progress: { percentage: 45, current_step: 'Epoch 9/20' },
  error_message: 'Training gate failed: test accuracy 41.0% < 45.0%',
});

describe('operationDurationSeconds', () => {
  it('runs from the start to the end, or to now while running, and is null before the start', () => {
    expect(operationDurationSeconds(DESIGN, NOW)).toBe(12);
    expect(operationDurationSeconds({ ...DESIGN, completed_at: null }, NOW)).toBe(577);
    expect(operationDurationSeconds({ ...DESIGN, started_at: null, completed_at: null }, NOW)).toBeNull();
    // Cancelled before it started: from its creation to its end.
    expect(operationDurationSeconds({ ...DESIGN, started_at: null }, NOW)).toBe(13);
  });
});

describe('operations children output', () => {
  it('renders the children as a table, with the error of a failed one in full, and points at their artifacts', () => {
    expect(childrenTableLines(CYCLE, [DESIGN, TRAINING], NOW)).toEqual([
      'OPERATION ID                              TYPE          STATUS     PROGRESS  DURATION  ERROR',
      '----------------------------------------  ------------  ---------  --------  --------  -------------------------------------------------',
      'op_agent_design_20261125_143022_11111111  agent_design  completed      100%       12s',
      'op_training_20261125_143035_22222222      training      failed          45%    3m 05s  Training gate failed: test accuracy 41.0% < 45.0%',
      '',
      `2 child operation(s) of ${CYCLE} (0 active)`,
      `Their artifacts: npx ktrdr operations artifacts ${CYCLE}`,
    ]);
  });

  it('has no error column when nothing failed, and counts the active children', () => {
    const running = child('training', 'op_training_20261125_143035_22222222', {
      status: 'running',
      completed_at: null,
      progress: { percentage: 30, current_step: 'x' },
    });
    const lines = childrenTableLines(CYCLE, [DESIGN, running], NOW);
    expect(lines[0]).toBe('OPERATION ID                              TYPE          STATUS     PROGRESS  DURATION');
    expect(lines[3]).toBe('op_training_20261125_143035_22222222      training      running         30%    9m 37s');
    expect(lines.at(-2)).toBe(`2 child operation(s) of ${CYCLE} (1 active)`);
  });

  it('says when there are none', () => {
    expect(childrenTableLines('op_training_20261125_143035_22222222', [], NOW)).toEqual(['No child operations of op_training_20261125_143035_22222222.']);
  });
});
