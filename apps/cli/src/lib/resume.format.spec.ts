import type { AgentStatus, OperationInfo } from '@ktrdr/api-contract';
import { agentStatusLines, operationLines } from './output.format';
import { resumeRefusedLines, resumeSourceFacts, resumeStartedLines } from './resume.format';

const OLD = 'op_agent_research_20261125_143022_ab12cd34';
const NEW = 'op_agent_research_20261125_150000_cd34ef56';

describe('resume output', () => {
  it('says what started, from which cycle, where it begins and what it reuses', () => {
    const res = {
      triggered: true as const,
      operation_id: NEW,
      resumed_from: OLD,
      start_phase: 'backtesting' as const,
      reused_phases: ['designing', 'training'] as const,
      message: 'Research cycle resumed',
    };
    expect(resumeStartedLines({ ...res, reused_phases: [...res.reused_phases] }, false)).toEqual([
      'Research cycle resumed!',
      `  Operation ID: ${NEW}`,
      `  Resumed from: ${OLD}`,
      '  Starting at: backtesting (reusing designing, training)',
      `  Follow it with: npx ktrdr operations follow ${NEW}`,
    ]);
    expect(resumeStartedLines({ ...res, start_phase: 'designing', reused_phases: [] }, true)).toEqual([
      'Research cycle resumed!',
      `  Operation ID: ${NEW}`,
      `  Resumed from: ${OLD}`,
      '  Starting at: designing',
    ]);
  });

  it('does not claim to reuse the design of a cycle started from a strategy (it never had one)', () => {
    const res = {
      triggered: true as const,
      operation_id: NEW,
      resumed_from: OLD,
      start_phase: 'training' as const,
      reused_phases: ['designing' as const],
      message: 'Research cycle resumed',
    };
    const source = resumeSourceFacts({
      metadata: { parameters: { phase: 'training', strategy: 'v3_minimal', strategy_name: 'v3_minimal', training_op_id: 'op_t' } },
    });
    expect(source).toEqual({ givenStrategy: 'v3_minimal' });
    const lines = resumeStartedLines(res, true, source);
    expect(lines).toContain('  Starting at: training (strategy v3_minimal as given; it had no design phase)');
    expect(lines.join('\n')).not.toContain('reusing designing');
    expect(resumeStartedLines({ ...res, start_phase: 'backtesting', reused_phases: ['designing', 'training'] }, true, source)).toContain(
      '  Starting at: backtesting (reusing training; strategy v3_minimal as given; it had no design phase)',
    );
    // A designed cycle's design is reused as before.
    expect(resumeSourceFacts({ metadata: { parameters: { strategy: null, design_op_id: 'op_d' } } })).toEqual({ givenStrategy: null });
  });

  it('prints the not_resumable reason as the API words it, and capacity refusals with the resume verb', () => {
    const why = 'the trained model is gone from the store: blob:1a2b (kept KTRDR_ARTIFACT_TTL_DAYS after its cycle ended)';
    const gone = { triggered: false as const, reason: 'not_resumable', operation_id: OLD, message: `Cannot resume ${OLD}: ${why}` };
    expect(resumeRefusedLines(gone)).toEqual([`Cannot resume ${OLD}: ${why}`]);
    const busy = { triggered: false as const, reason: 'active_cycle_exists', operation_id: NEW, message: 'Active cycle exists' };
    expect(resumeRefusedLines(busy)).toEqual(['Cannot resume: Active cycle exists', `  Operation ID: ${NEW}`, '  Cancel it with: npx ktrdr agent cancel']);
  });

  it('agent status and operations status show the cycle a resumed one came from', () => {
    const capacity = { active: 0, limit: 1 };
    const idle = {
      status: 'idle',
      last_cycle: { operation_id: NEW, outcome: 'completed', strategy_name: 's', completed_at: null, error_message: null, resumed_from: OLD },
      active_researches: [],
      capacity,
    } as AgentStatus;
    expect(agentStatusLines(idle)).toContain(`  Resumed from: ${OLD}`);
    const plain = { ...idle, last_cycle: { ...(idle as { last_cycle: object }).last_cycle, resumed_from: null } } as AgentStatus;
    expect(agentStatusLines(plain).join('\n')).not.toContain('Resumed from');
    const op = {
      operation_id: NEW,
      operation_type: 'agent_research',
      status: 'running',
      parent_operation_id: null,
      created_at: '2026-11-25T15:00:00.000Z',
      started_at: null,
      completed_at: null,
      progress: { percentage: 65, current_step: 'Running backtest...', steps_completed: 2, steps_total: 4 },
      metadata: { parameters: { phase: 'backtesting', backtest_op_id: 'op_backtesting_x', resumed_from: OLD } },
      result_summary: null,
      error_message: null,
    } as unknown as OperationInfo;
    expect(operationLines(op)).toContain(`  Resumed from: ${OLD}`);
  });
});
