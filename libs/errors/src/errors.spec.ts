import {
  BudgetExhaustedError,
  CancelledError,
  configProblemLine,
  configReport,
  CycleError,
  ErrorCode,
  GateError,
  isKtrdrError,
  KtrdrError,
  LlmError,
  messageOf,
  WorkerError,
} from './index';

describe('error codes', () => {
  it('are unique SCREAMING_SNAKE strings (each edge maps them; two names for one code would hide a case)', () => {
    const values = Object.values(ErrorCode);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(v).toMatch(/^[A-Z][A-Z0-9_]*$/);
  });
});

describe('error classes', () => {
  it('carry their code, message, details and class name', () => {
    const e = new KtrdrError(ErrorCode.OperationNotFound, 'Operation not found: op_x', { id: 'op_x' });
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ code: 'OPERATION_NOT_FOUND', message: 'Operation not found: op_x', details: { id: 'op_x' }, name: 'KtrdrError' });
    expect(isKtrdrError(e)).toBe(true);
    expect(isKtrdrError(new Error('x'))).toBe(false);
  });

  it('a gate failure is a cycle error of its phase, with the gate, reason, metrics and thresholds', () => {
    const e = new GateError('backtest', 'drawdown_too_high (45.2% > 40.0%)', { max_drawdown: 0.452 }, { max_drawdown: 0.4 });
    expect(e).toBeInstanceOf(CycleError);
    expect(e.code).toBe(ErrorCode.GateFailed);
    expect(e.phase).toBe('backtesting');
    expect(e.message).toBe('Backtest gate failed: drawdown_too_high (45.2% > 40.0%)');
    expect(e.details).toEqual({
      phase: 'backtesting',
      gate: 'backtest',
      reason: 'drawdown_too_high (45.2% > 40.0%)',
      metrics: { max_drawdown: 0.452 },
      thresholds: { max_drawdown: 0.4 },
    });
    expect(new GateError('training', 'r', {}, {}).message).toBe('Training gate failed: r');
    expect(new CycleError('designing', 'Design failed: x').code).toBe(ErrorCode.CycleFailed);
  });

  it('worker, cancel, LLM and budget errors keep their codes', () => {
    expect(new WorkerError(ErrorCode.WorkerLost, 'worker lost').code).toBe('WORKER_LOST');
    expect(new CancelledError()).toMatchObject({ code: 'CANCELLED', message: 'Operation cancelled' });
    expect(new LlmError(ErrorCode.LlmNoToolCall, 'Claude answered without a tool call').code).toBe('LLM_NO_TOOL_CALL');
    const budget = new BudgetExhaustedError({ date: '2026-11-25', spent_usd: 1.23456, limit_usd: 1, reserved_usd: 0.5 });
    expect(budget.code).toBe('BUDGET_EXHAUSTED');
    expect(budget.message).toBe(
      'Daily LLM budget exhausted: $1.2346 of $1.00 spent on 2026-11-25 (UTC) (+ $0.5000 held by calls in flight); it resets at 00:00 UTC',
    );
  });

  it('messageOf gives the message of anything thrown, without a stack', () => {
    expect(messageOf(new Error('boom'))).toBe('boom');
    expect(messageOf('plain')).toBe('plain');
    expect(messageOf(42)).toBe('42');
  });
});

describe('configuration reports', () => {
  it('word every bad setting the same way, showing the value but never a secret or a URL password', () => {
    expect(configProblemLine({ variable: 'KTRDR_API_PORT', message: 'expected a number', value: 'abc' })).toBe('KTRDR_API_PORT: expected a number (got "abc")');
    expect(configProblemLine({ variable: 'KTRDR_API_TOKEN', message: 'too short', value: 'hunter2' })).toBe('KTRDR_API_TOKEN: too short');
    expect(configProblemLine({ variable: 'ANTHROPIC_API_KEY', message: 'bad', value: 'sk-ant-x' })).not.toContain('sk-ant');
    expect(configProblemLine({ variable: 'REDIS_URL', message: 'bad', value: 'redis://u:pw@host:x' })).toBe('REDIS_URL: bad (got "redis://***@host:x")');
    expect(configProblemLine({ variable: 'X', message: 'missing' })).toBe('X: missing');
    expect(configProblemLine({ variable: 'KTRDR_KEY_PREFIX', message: 'bad', value: 'a b' })).toBe('KTRDR_KEY_PREFIX: bad (got "a b")');
    expect(
      configReport('api', [
        { variable: 'A', message: 'a' },
        { variable: 'B', message: 'b', value: '1' },
      ]),
    ).toBe('api: Invalid configuration:\n  - A: a\n  - B: b (got "1")');
  });
});
