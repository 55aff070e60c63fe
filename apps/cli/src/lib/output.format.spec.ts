import { operationRecord } from '../../../../tools/testing/operation.fixture';
import { AgentStatusSchema, HealthSchema, type OperationInfo } from '@ktrdr/api-contract';
import {
  activeChildId,
  agentStatusLines,
  cycleCancelLines,
  detachLines,
  followSummaryLines,
  formatBytes,
  formatDuration,
  formatFraction,
  formatPercentage,
  formatTimestamp,
  healthLines,
  modelPathText,
  operationCancelledLines,
  operationLines,
  operationsTableLines,
  progressText,
  resultLines,
  storeLine,
  triggerRefusedLines,
  triggerStartedLines,
} from './output.format';

const CYCLE_ID = 'op_agent_research_20261125_143022_ab12cd34';
const TRAIN_ID = 'op_training_20261125_143100_00ff00ff';
/** A cycle's `model_path`: the address of its walk-forward manifest in the blob store. */
const MODEL_PATH = `blob:1a2b3c4d5e6f${'0'.repeat(52)}`;

function op(fields: Partial<Record<string, unknown>> = {}): OperationInfo {
  return operationRecord({
    operation_id: CYCLE_ID,
    status: 'running',
    created_at: '2026-11-25T14:30:22.123Z',
    started_at: '2026-11-25T14:30:23.000Z',
    progress: { percentage: 20, current_step: 'Training model...', steps_completed: 1, steps_total: 4 },
    metadata: { parameters: { phase: 'training', design_op_id: 'op_agent_design_x', training_op_id: TRAIN_ID } },
    ...fields,
  });
}

describe('value formatters', () => {
  it('formats percentages, fractions, durations and timestamps', () => {
    expect(formatPercentage(20)).toBe('20%');
    expect(formatPercentage(45.25)).toBe('45.3%');
    expect(formatPercentage(null)).toBe('-');
    expect(formatFraction(0.523)).toBe('52.3%');
    expect(formatFraction(undefined)).toBe('-');
    expect(formatDuration(12.7)).toBe('12s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(3725)).toBe('1h 02m');
    expect(formatDuration(null)).toBe('-');
    expect(formatTimestamp('2026-11-25T14:30:22.123Z')).toBe('2026-11-25 14:30:22 UTC');
    expect(formatTimestamp('2026-11-25T14:30:22Z', false)).toBe('2026-11-25 14:30:22');
    expect(formatTimestamp('yesterday')).toBe('yesterday');
    expect(formatTimestamp(null)).toBe('-');
  });

  it('renders progress given as an object or a bare number', () => {
    expect(progressText({ percentage: 65, current_step: 'Running backtest...' })).toBe('65% Running backtest...');
    expect(progressText(90)).toBe('90%');
    expect(progressText(null)).toBe('-');
  });
});

describe('activeChildId', () => {
  it('picks the child of the current phase', () => {
    expect(activeChildId(op())).toBe(TRAIN_ID);
    expect(activeChildId(op({ metadata: { parameters: { phase: 'backtesting', training_op_id: TRAIN_ID } } }))).toBeNull();
    expect(activeChildId(op({ operation_type: 'training' }))).toBeNull();
    expect(activeChildId(op({ metadata: { parameters: {} } }))).toBeNull();
  });
});

describe('agent trigger output', () => {
  it('announces a started cycle without naming a Claude model the worker may never call', () => {
    const started = { triggered: true as const, operation_id: CYCLE_ID, model: 'claude-haiku-5-5', message: 'Research cycle started' };
    const lines = triggerStartedLines(started, true);
    expect(lines).toEqual([
      'Research cycle started!',
      `  Operation ID: ${CYCLE_ID}`,
      '  Designer: picked by the worker (Claude when it has ANTHROPIC_API_KEY, else offline); named once the design has run',
    ]);
    expect(lines.join('\n')).not.toContain('claude-haiku-5-5');
    // A cycle from an existing strategy has no designer at all.
    expect(triggerStartedLines(started, true, { strategy: 'v3_minimal' })).toContain('  Designer: none (strategy v3_minimal given)');
    expect(triggerStartedLines({ triggered: true, operation_id: CYCLE_ID }, false).at(-1)).toBe(`  Follow it with: npx ktrdr operations follow ${CYCLE_ID}`);
  });

  it('explains each refusal', () => {
    expect(triggerRefusedLines({ triggered: false, reason: 'active_cycle_exists', operation_id: CYCLE_ID, message: 'x' })).toEqual([
      'Cannot trigger: Active cycle exists',
      `  Operation ID: ${CYCLE_ID}`,
      '  Cancel it with: npx ktrdr agent cancel',
    ]);
    expect(triggerRefusedLines({ triggered: false, reason: 'at_capacity', active_count: 2, limit: 2 })[0]).toBe(
      'Cannot trigger: At capacity (2 of 2 research cycles active)',
    );
    expect(triggerRefusedLines({ triggered: false, reason: 'budget_exhausted', message: 'Daily budget of $5.00 spent' })).toEqual([
      'Cannot trigger: Daily LLM budget exhausted',
      '  Daily budget of $5.00 spent',
    ]);
    expect(triggerRefusedLines({ triggered: false, reason: 'something_new', message: 'Not today' })).toEqual(['Cannot trigger: Not today']);
  });
});

describe('agent status output', () => {
  it('describes an active cycle', () => {
    const status = AgentStatusSchema.parse({
      status: 'active',
      operation_id: CYCLE_ID,
      phase: 'training',
      child_operation_id: TRAIN_ID,
      progress: { percentage: 20, current_step: 'Training model...' },
      strategy_name: null,
      started_at: '2026-11-25T14:30:23Z',
      active_researches: [{ operation_id: CYCLE_ID, phase: 'training', child_operation_id: TRAIN_ID, strategy_name: null, duration_seconds: 5 }],
      capacity: { active: 1, limit: 1 },
    });
    expect(agentStatusLines(status)).toEqual([
      'Status: ACTIVE',
      `  Operation: ${CYCLE_ID}`,
      '  Phase: training',
      `  Child operation: ${TRAIN_ID}`,
      '  Strategy: -',
      '  Progress: 20% Training model...',
      '  Started: 2026-11-25 14:30:23 UTC',
    ]);
  });

  it('lists every active cycle when there are several', () => {
    const status = AgentStatusSchema.parse({
      status: 'active',
      operation_id: CYCLE_ID,
      phase: 'designing',
      child_operation_id: 'op_agent_design_1',
      progress: { percentage: 5, current_step: 'Designing strategy...' },
      strategy_name: 'alpha',
      started_at: '2026-11-25T14:30:23Z',
      active_researches: [
        { operation_id: CYCLE_ID, phase: 'designing', child_operation_id: 'op_agent_design_1', strategy_name: 'alpha', duration_seconds: 70 },
        { operation_id: 'op_agent_research_2', phase: 'training', child_operation_id: null, strategy_name: null, duration_seconds: 3 },
      ],
      capacity: { active: 2, limit: 3 },
    });
    const lines = agentStatusLines(status);
    expect(lines).toContain('Active cycles: 2 (limit 3)');
    expect(lines.some((l) => l.includes('op_agent_research_2') && l.includes('training') && l.includes('none'))).toBe(true);
    expect(lines.some((l) => l.includes('1m 10s'))).toBe(true);
  });

  it('describes idle with and without a last cycle', () => {
    expect(agentStatusLines(AgentStatusSchema.parse({ status: 'idle', last_cycle: null, active_researches: [], capacity: { active: 0, limit: 1 } }))).toEqual([
      'Status: IDLE',
      'No previous cycles.',
    ]);
    const idle = AgentStatusSchema.parse({
      status: 'idle',
      last_cycle: { operation_id: CYCLE_ID, outcome: 'failed', strategy_name: 'alpha', completed_at: '2026-11-25T15:00:00Z' },
      active_researches: [],
      capacity: { active: 0, limit: 1 },
    });
    expect(agentStatusLines(idle, 'Training gate failed: accuracy_below_threshold (42.3% < 45.0%)')).toEqual([
      'Status: IDLE',
      'Last cycle:',
      `  Operation: ${CYCLE_ID}`,
      '  Outcome: failed',
      '  Strategy: alpha',
      // A failed (or cancelled) cycle is never labelled "Completed".
      '  Ended: 2026-11-25 15:00:00 UTC',
      '  Error: Training gate failed: accuracy_below_threshold (42.3% < 45.0%)',
    ]);
  });

  it("adds from the cycle's record the phase it ended in and who designed it", () => {
    const idle = AgentStatusSchema.parse({
      status: 'idle',
      last_cycle: { operation_id: CYCLE_ID, outcome: 'completed', strategy_name: 'alpha', completed_at: '2026-11-25T15:00:00Z' },
      active_researches: [],
      capacity: { active: 0, limit: 1 },
    });
    const record = op({ status: 'completed', metadata: { parameters: { phase: 'assessing', designer: 'offline', model: 'claude-sonnet-5-5' } } });
    const lines = agentStatusLines(idle, undefined, record);
    expect(lines).toContain('  Phase: done (completed)');
    expect(lines).toContain('  Designer: offline');
    expect(lines.join('\n')).not.toMatch(/assessing|claude-sonnet/);
  });
});

describe('agent cancel output', () => {
  it('names the parent and the cancelled child', () => {
    expect(cycleCancelLines({ success: true, operation_id: CYCLE_ID, child_cancelled: TRAIN_ID, message: 'Research cycle cancelled' })).toEqual([
      'Research cycle cancelled!',
      `  Operation: ${CYCLE_ID}`,
      `  Child operation: ${TRAIN_ID}`,
    ]);
    expect(cycleCancelLines({ success: true, operation_id: CYCLE_ID, child_cancelled: null })).toHaveLength(2);
  });

  it('says when there is nothing to cancel', () => {
    expect(cycleCancelLines({ success: false, reason: 'no_active_cycle', message: 'No active research cycle to cancel' })).toEqual([
      'Could not cancel: no_active_cycle',
      'No active research cycle to cancel.',
    ]);
  });
});

describe('operations output', () => {
  it('renders the list as a table with a footer', () => {
    const lines = operationsTableLines({
      data: [
        {
          operation_id: CYCLE_ID,
          operation_type: 'agent_research',
          status: 'running',
          created_at: '2026-11-25T14:30:22Z',
          progress_percentage: 20,
          current_step: 'Training model...',
          duration_seconds: 65,
        },
        {
          operation_id: TRAIN_ID,
          operation_type: 'training',
          status: 'completed',
          created_at: '2026-11-25T14:31:00Z',
          progress_percentage: 100,
          current_step: null,
          duration_seconds: null,
        },
      ],
      total_count: 12,
      active_count: 1,
    });
    expect(lines[0]).toMatch(/^OPERATION ID\s+TYPE\s+STATUS\s+PROGRESS\s+STEP\s+CREATED \(UTC\)\s+DURATION$/);
    expect(lines[1]).toMatch(/^-+( +-+)+$/);
    expect(lines[2]).toContain(CYCLE_ID);
    expect(lines[2]).toContain('Training model...');
    expect(lines[2]).toContain('2026-11-25 14:30:22');
    expect(lines[2]).toMatch(/1m 05s$/);
    expect(lines[3]).toMatch(/100%/);
    // every row is aligned to the header
    const statusCol = lines[0]!.indexOf('STATUS');
    expect(lines[2]!.slice(statusCol)).toMatch(/^running/);
    expect(lines[3]!.slice(statusCol)).toMatch(/^completed/);
    expect(lines.at(-1)).toBe('Showing 2 of 12 operations (1 active)');
  });

  it('says when there is nothing to list', () => {
    expect(operationsTableLines({ data: [], total_count: 0, active_count: 0 })).toEqual(['No operations found.']);
  });

  it('shows a running cycle with its phase and child', () => {
    const lines = operationLines(op());
    expect(lines.slice(0, 6)).toEqual([
      `Operation: ${CYCLE_ID}`,
      '  Type: agent_research',
      '  Status: RUNNING',
      '  Parent: -',
      '  Phase: training',
      `  Child operation: ${TRAIN_ID}`,
    ]);
    expect(lines).toContain('  Progress: 20%');
    expect(lines).toContain('  Current step: Training model...');
    expect(lines).toContain('  Ended: -');
  });

  it('labels the end time "Completed" only for a completed operation', () => {
    const at = { completed_at: '2026-11-25T15:00:00Z' };
    expect(operationLines(op({ status: 'completed', ...at }))).toContain('  Completed: 2026-11-25 15:00:00 UTC');
    for (const status of ['failed', 'cancelled']) {
      const lines = operationLines(op({ status, ...at }));
      expect(lines).toContain('  Ended: 2026-11-25 15:00:00 UTC');
      expect(lines.join('\n')).not.toMatch(/complete/i);
    }
  });

  it('marks a stub child result as stub', () => {
    const stub = operationLines(op({ operation_id: TRAIN_ID, operation_type: 'training', status: 'completed', result_summary: { accuracy: 0.6, stub: true } }));
    expect(stub.at(-1)).toBe('  (stub results: canned numbers, no real research ran)');
    const real = operationLines(op({ operation_id: TRAIN_ID, operation_type: 'training', status: 'completed', result_summary: { accuracy: 0.6 } }));
    expect(real.join('\n')).not.toContain('stub results');
  });

  it('shows the error of a failed operation and the reason of a cancelled one', () => {
    const failed = operationLines(op({ operation_type: 'training', status: 'failed', error_message: 'worker lost', parent_operation_id: CYCLE_ID }));
    expect(failed).toContain('  Status: FAILED');
    expect(failed).toContain(`  Parent: ${CYCLE_ID}`);
    expect(failed).toContain('  Error: worker lost');
    const cancelled = operationLines(op({ status: 'cancelled', cancellation_reason: 'Cancelled by user' }));
    expect(cancelled).toContain('  Cancellation reason: Cancelled by user');
    expect(cancelled.some((l) => l.startsWith('  Child operation'))).toBe(false);
  });

  it('shows a cycle refused by the backtest gate with its significance and robustness, as a backtest operation shows its own', () => {
    const backtest = {
      total_return: 0.2,
      random_entry_p_value: 0.426,
      random_entry_simulations: 1000,
      psr: 0.75,
      sharpe_ci95: [-0.48, 1.72],
      cost_sensitivity: { runs: [{ multiple: 1, total_return: 0.2, sharpe_ratio: 0.4 }], break_even_cost: null, cost_drag: 0.01 },
    };
    const cycle = operationLines(
      op({
        status: 'failed',
        error_message: 'Backtest gate failed: not_significant (p 0.43 > 0.10)',
        metadata: { parameters: { phase: 'backtesting', backtest_result: backtest } },
      }),
    );
    expect(cycle).toContain('  Significance: random entries did as well in 42.6% of 1000 runs (p 0.426); PSR 0.75; Sharpe 95% interval -0.48 to 1.72');
    expect(cycle.some((l) => l.startsWith('  Robustness: return +20.0% at 1× costs; still positive at 10× the costs'))).toBe(true);
    const child = operationLines(op({ operation_id: TRAIN_ID, operation_type: 'backtesting', status: 'completed', result_summary: backtest }));
    expect(child.some((l) => l.startsWith('  Significance: random entries did as well in 42.6%'))).toBe(true);
  });

  it("shows a finished cycle's outcome as its phase, and where a failed one stopped rather than a live-looking percentage", () => {
    const completed = operationLines(
      op({
        status: 'completed',
        progress: { percentage: 100, current_step: 'Complete' },
        metadata: { parameters: { phase: 'assessing', designer: 'offline' } },
      }),
    );
    expect(completed).toContain('  Phase: done (completed)');
    expect(completed).toContain('  Designer: offline');
    expect(completed.join('\n')).not.toContain('assessing');
    const failed = operationLines(
      op({
        status: 'failed',
        error_message: 'Assessment failed: x',
        progress: { percentage: 90, current_step: 'Assessing results...' },
        metadata: { parameters: { phase: 'assessing' } },
      }),
    );
    expect(failed).toContain('  Phase: assessing (failed)');
    expect(failed).toContain('  Progress: failed at 90%');
    expect(failed).toContain('  Last step: Assessing results...');
    expect(failed).not.toContain('  Progress: 90%');
    const cancelled = operationLines(
      op({ status: 'cancelled', progress: { percentage: 5, current_step: 'Designing strategy...' }, metadata: { parameters: { phase: 'designing' } } }),
    );
    expect(cancelled).toContain('  Phase: designing (cancelled)');
    expect(cancelled).toContain('  Progress: cancelled at 5%');
  });

  it("shows a training operation's epochs with the early stop", () => {
    const lines = operationLines(
      op({
        operation_type: 'training',
        status: 'completed',
        result_summary: { epochs_run: 12, best_epoch: 2, history: { loss: [1], val_loss: [1] } },
        metadata: { parameters: { phase: 'training' } },
      }),
      { plannedEpochs: 50 },
    );
    expect(lines).toContain('  Training: stopped at epoch 12/50 (early stop: validation loss did not improve for 10 epochs; kept epoch 2)');
  });

  it('lists result summary keys of a completed operation', () => {
    const lines = operationLines(
      op({
        status: 'completed',
        result_summary: { success: true, strategy_name: 'v3_minimal', backtest_result: { sharpe_ratio: 1.2, equity: [1, 2, 3] } },
      }),
    );
    expect(lines).toContain('  Result:');
    expect(lines).toContain('    strategy_name: v3_minimal');
    expect(lines).toContain('    backtest_result:');
    expect(lines).toContain('      sharpe_ratio: 1.2');
    expect(lines).toContain('      equity: [1, 2, 3]');
  });

  it('keeps deep or long results short', () => {
    expect(resultLines({ a: { b: { c: 1 } }, big: Array.from({ length: 20 }, (_, i) => i), n: null })).toEqual([
      'a:',
      '  b: {"c":1}',
      'big: [20 items]',
      'n: -',
    ]);
  });

  it('renders an operation cancel result', () => {
    expect(
      operationCancelledLines({
        operation_id: CYCLE_ID,
        status: 'cancelled',
        cancelled_at: 'x',
        cancellation_reason: 'Cancelled by user',
        children_cancelled: [TRAIN_ID],
      }),
    ).toEqual([`Operation cancelled: ${CYCLE_ID}`, '  Reason: Cancelled by user', '  Children cancelled:', `    - ${TRAIN_ID}`]);
    expect(operationCancelledLines({ operation_id: TRAIN_ID, status: 'cancelled', children_cancelled: [] })).toEqual([
      `Operation cancelled: ${TRAIN_ID}`,
      '  Children cancelled: none',
    ]);
  });
});

describe('follow summary', () => {
  it('summarises a completed cycle with its backtest metrics as percentages', () => {
    const lines = followSummaryLines(
      op({
        status: 'completed',
        result_summary: {
          success: true,
          strategy_name: 'v3_minimal',
          verdict: 'promising',
          backtest_result: { sharpe_ratio: 1.234, win_rate: 0.55, max_drawdown: 0.123, total_return: 0.08, total_trades: 42 },
          model_path: MODEL_PATH,
        },
      }),
    );
    expect(lines).toEqual([
      'Research cycle completed!',
      `  Operation: ${CYCLE_ID}`,
      '  Phase: done (completed)',
      '  Strategy: v3_minimal',
      '  Verdict: promising',
      '  Sharpe ratio: 1.23',
      '  Win rate: 55.0%',
      '  Max drawdown: 12.3%',
      '  Total return: 8.0%',
      '  Trades: 42',
      '  Trained model: blob:1a2b3c4d5e6f… (in the store)',
    ]);
  });

  it('shortens a store address and shows any other model path as it is', () => {
    expect(modelPathText(MODEL_PATH)).toBe('blob:1a2b3c4d5e6f… (in the store)');
    // A stub's placeholder, or a directory an older version wrote: not in the store, shown whole.
    expect(modelPathText('models/v3_minimal/stub')).toBe('models/v3_minimal/stub');
    expect(modelPathText('/srv/models/v3_minimal/op_training_1')).toBe('/srv/models/v3_minimal/op_training_1');
    expect(modelPathText('blob:not-a-sha256')).toBe('blob:not-a-sha256');
  });

  it('names buy-and-hold and who designed and assessed a real cycle', () => {
    const lines = followSummaryLines(
      op({
        status: 'completed',
        result_summary: {
          strategy_name: 's',
          verdict: 'mediocre',
          assessor: 'offline',
          backtest_result: { sharpe_ratio: 0.4, win_rate: 1, max_drawdown: 0.34, total_return: 0.205, benchmark_return: 0.273, total_trades: 2 },
        },
        metadata: { parameters: { designer: 'offline' } },
      }),
    );
    expect(lines).toContain('  Total return: 20.5%');
    expect(lines).toContain('  Buy and hold: 27.3%');
    expect(lines).toContain('  Designed by: offline; assessed by: offline');
  });

  it('names Claude with the model it was called with, in the same words as the follow note', () => {
    const lines = followSummaryLines(
      op({
        status: 'completed',
        result_summary: { strategy_name: 's', verdict: 'promising', assessor: 'claude' },
        metadata: { parameters: { phase: 'assessing', designer: 'claude', model: 'claude-sonnet-5-5' } },
      }),
    );
    expect(lines).toContain('  Designed by: Claude (claude-sonnet-5-5); assessed by: Claude (claude-sonnet-5-5)');
  });

  it('says how training ended: early stop with the stale epochs, or all epochs', () => {
    const training_result = { epochs_run: 14, best_epoch: 4, history: { loss: [], val_loss: [0.9, 0.8] } };
    const done = op({ status: 'completed', result_summary: { strategy_name: 's' }, metadata: { parameters: { phase: 'assessing', training_result } } });
    expect(followSummaryLines(done, { plannedEpochs: 30 })).toContain(
      '  Training: stopped at epoch 14/30 (early stop: validation loss did not improve for 10 epochs; kept epoch 4)',
    );
    expect(followSummaryLines(done, { plannedEpochs: 14 })).toContain('  Training: ran all 14/14 epochs (kept epoch 4)');
    // Unknown configured epochs: only what the result itself says.
    expect(followSummaryLines(done)).toContain('  Training: ran 14 epochs (kept epoch 4)');
    // A result that says it stopped early (and what it was given) needs nothing else.
    const explicit = op({
      status: 'failed',
      error_message: 'Training gate failed: loss_too_high (0.9 > 0.8)',
      metadata: { parameters: { phase: 'training', training_result: { ...training_result, stopped_early: true, epochs_planned: 40 } } },
    });
    expect(followSummaryLines(explicit)).toEqual([
      'Failed: Training gate failed: loss_too_high (0.9 > 0.8)',
      `  Operation: ${CYCLE_ID}`,
      '  Phase: training (failed)',
      '  Training: stopped at epoch 14/40 (early stop: validation loss did not improve for 10 epochs; kept epoch 4)',
    ]);
  });

  it("lists each symbol of a multi-symbol backtest under the portfolio's numbers", () => {
    const sleeve = (symbol: string, total_return: number, total_trades: number) => ({
      symbol,
      bars: 100,
      total_return,
      sharpe_ratio: 0.5,
      max_drawdown: 0.1,
      win_rate: 0.5,
      profit_factor: 1.2,
      total_trades,
      exposure: 0.4,
      benchmark_return: 0.1,
      initial_capital: 50_000,
      final_equity: 50_000 * (1 + total_return),
    });
    const backtest_result = {
      symbol: 'SP500,SYNTH_A',
      sharpe_ratio: 0.6,
      win_rate: 0.5,
      max_drawdown: 0.08,
      total_return: 0.05,
      total_trades: 7,
      per_symbol: [sleeve('SP500', 0.12, 3), sleeve('SYNTH_A', -0.02, 4)],
    };
    const lines = followSummaryLines(op({ status: 'completed', result_summary: { strategy_name: 's', verdict: 'poor', backtest_result } }));
    const at = lines.indexOf('  Trades: 7');
    expect(lines.slice(at + 1, at + 4)).toEqual([
      '  Per symbol (equal-weight sleeves of the portfolio above):',
      '    SP500    return 12.0%, Sharpe 0.50, max drawdown 10.0%, win rate 50.0%, trades 3',
      '    SYNTH_A  return -2.0%, Sharpe 0.50, max drawdown 10.0%, win rate 50.0%, trades 4',
    ]);
    // A single-symbol result has no per_symbol and gets no such block.
    const single = followSummaryLines(op({ status: 'completed', result_summary: { backtest_result: { ...backtest_result, per_symbol: undefined } } }));
    expect(single.join('\n')).not.toContain('Per symbol');
  });

  it('names only the assessor of a cycle started from an existing strategy (no design phase)', () => {
    const lines = followSummaryLines(
      op({ status: 'completed', result_summary: { strategy_name: 'v3_minimal', verdict: 'poor', assessor: 'offline', designer: null } }),
    );
    expect(lines).toContain('  Assessed by: offline');
    expect(lines.join('\n')).not.toContain('Designed by');
  });

  it('falls back to the cycle parameters when result_summary lacks fields', () => {
    const lines = followSummaryLines(
      op({ status: 'completed', result_summary: {}, metadata: { parameters: { strategy_name: 'alpha', assessment_verdict: 'poor' } } }),
    );
    expect(lines).toContain('  Strategy: alpha');
    expect(lines).toContain('  Verdict: poor');
  });

  it('states failures and cancellations', () => {
    expect(followSummaryLines(op({ status: 'failed', error_message: 'Backtest gate failed: drawdown_too_high (45.2% > 40.0%)' }))[0]).toBe(
      'Failed: Backtest gate failed: drawdown_too_high (45.2% > 40.0%)',
    );
    expect(followSummaryLines(op({ status: 'cancelled', cancellation_reason: 'Cancelled by user' }))[0]).toBe('Cancelled: Cancelled by user');
  });

  it('summarises a completed non-cycle operation', () => {
    const lines = followSummaryLines(op({ operation_id: TRAIN_ID, operation_type: 'training', status: 'completed', result_summary: { accuracy: 0.61 } }));
    expect(lines).toEqual([`Operation completed: ${TRAIN_ID}`, '  Result:', '    accuracy: 0.61']);
  });

  it('marks a stub cycle summary as stub, and only then', () => {
    const summary = {
      strategy_name: 'v3_minimal',
      verdict: 'promising',
      backtest_result: { sharpe_ratio: 1.2, win_rate: 0.55, max_drawdown: 0.1 },
      model_path: 'models/v3_minimal/stub',
    };
    const stub = followSummaryLines(op({ status: 'completed', result_summary: { ...summary, stub: true } }));
    expect(stub[0]).toBe('Research cycle completed!');
    expect(stub.at(-1)).toBe('  (stub results: canned numbers, no real research ran)');
    expect(followSummaryLines(op({ status: 'completed', result_summary: summary })).join('\n')).not.toContain('stub results');
    const child = followSummaryLines(
      op({ operation_id: TRAIN_ID, operation_type: 'training', status: 'completed', result_summary: { accuracy: 0.61, stub: true } }),
    );
    expect(child.at(-1)).toBe('  (stub results: canned numbers, no real research ran)');
  });

  it('never says "completed" for a failed or cancelled operation', () => {
    for (const o of [op({ status: 'failed', error_message: 'x' }), op({ status: 'cancelled' }), op({ operation_type: 'training', status: 'failed' })]) {
      expect(followSummaryLines(o).join('\n')).not.toMatch(/complete/i);
    }
  });

  it('tells how to re-attach after a detach', () => {
    expect(detachLines(CYCLE_ID)).toEqual(['Detached. The operation keeps running.', `Re-attach with: npx ktrdr operations follow ${CYCLE_ID}`]);
  });
});

describe('health output', () => {
  it('formats byte counts in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.0 KiB');
    expect(formatBytes(12 * 1024 + 300)).toBe('12 KiB');
    expect(formatBytes(3.4 * 1024 * 1024)).toBe('3.4 MiB');
    // Never 1024 of a unit: it goes up one.
    expect(formatBytes(1024 * 1024 - 1)).toBe('1.0 MiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
    expect(formatBytes(undefined)).toBe('-');
    expect(formatBytes(-1)).toBe('-');
  });

  it('prints the store on one line, kinds biggest first', () => {
    const store = {
      blobs: 9,
      bytes: 3_565_158,
      by_kind: {
        strategy: { blobs: 5, bytes: 12_288 },
        bars: { blobs: 2, bytes: 3_460_300 },
        model: { blobs: 1, bytes: 92_160 },
        assessment: { blobs: 1, bytes: 410 },
      },
    };
    expect(storeLine(store)).toBe('Store: 9 blobs, 3.4 MiB (bars 2 · 3.3 MiB, model 1 · 90 KiB, strategy 5 · 12 KiB, assessment 1 · 410 B)');
    expect(storeLine({ blobs: 1, bytes: 500, by_kind: { strategy: { blobs: 1, bytes: 500 } } })).toBe('Store: 1 blob, 500 B (strategy 1 · 500 B)');
    expect(storeLine({ blobs: 0, bytes: 0, by_kind: {} })).toBe('Store: 0 blobs');
    expect(storeLine(null)).toBe('Store: not counted (the API could not read its index within 1 s)');
    expect(storeLine(undefined)).toBe('Store: not reported by this API');
  });

  it('prints a healthy answer: Redis, the store, then the queues with their live workers', () => {
    const health = HealthSchema.parse({
      success: true,
      status: 'healthy',
      redis: { connected: true, latency_ms: 0.42, used_memory_bytes: 3 * 1024 * 1024 },
      queues: { research: { waiting: 0, active: 1, delayed: 0, failed: 2 }, training: { waiting: 3, active: 0, delayed: 0, failed: 0 } },
      workers: { research: { count: 1, workers: [] }, training: null },
      store: { blobs: 1, bytes: 2048, by_kind: { strategy: { blobs: 1, bytes: 2048 } } },
    });
    expect(healthLines(health)).toEqual([
      'Status: HEALTHY',
      'Redis: connected (PING 0.42 ms, 3.0 MiB used)',
      'Store: 1 blob, 2.0 KiB (strategy 1 · 2.0 KiB)',
      '',
      'QUEUE     WAITING  ACTIVE  DELAYED  FAILED  WORKERS',
      '--------  -------  ------  -------  ------  -------',
      'research        0       1        0       2        1',
      'training        3       0        0       0        ?',
    ]);
  });

  it('prints an unhealthy answer as the API words it', () => {
    const health = HealthSchema.parse({
      success: false,
      status: 'unhealthy',
      redis: { connected: false, error: 'connect ECONNREFUSED 127.0.0.1:6379' },
      error: { code: 'BACKEND_UNAVAILABLE', message: 'Redis is unreachable: connection refused' },
    });
    expect(healthLines(health)).toEqual(['Status: UNHEALTHY', '  Redis is unreachable: connection refused']);
  });
});
