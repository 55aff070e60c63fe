import { z } from 'zod';
import { AgentStatusSchema, OperationInfoSchema, TriggerRequestSchema } from './index';
import { responseSchemas } from './registry';
import { OPERATION_STATUSES, SYMBOL, TERMINAL_STATUSES, isTerminalStatus } from './vocabulary';

describe('api-contract', () => {
  it('reads a record from before failure_code and cancelled_by existed as null fields', () => {
    const op = OperationInfoSchema.parse({
      operation_id: 'op_training_20261125_143022_ab12cd34',
      operation_type: 'training',
      status: 'failed',
      created_at: '2026-11-25T14:30:22Z',
      progress: { percentage: 40, current_step: 'Epoch 4/10' },
      metadata: { parameters: {} },
      error_message: 'worker lost',
    });
    expect(op).toMatchObject({ failure_code: null, cancelled_by: null, started_at: null, progress: { steps_completed: 0, steps_total: 0 } });
  });

  it('takes a symbol only when it cannot name a hidden file or a path segment', () => {
    for (const ok of ['SP500', '^GSPC', 'EUR_USD', 'BRK.B', '-X', 'A'.repeat(32)]) expect({ ok, valid: SYMBOL.test(ok) }).toEqual({ ok, valid: true });
    for (const bad of ['..', '.', '.hidden', '../x', 'a/b', '', 'A'.repeat(33), 'A B']) expect({ bad, valid: SYMBOL.test(bad) }).toEqual({ bad, valid: false });
  });

  it('refuses a status outside the vocabulary', () => {
    const r = OperationInfoSchema.safeParse({
      operation_id: 'x',
      operation_type: 'training',
      status: 'done',
      created_at: 't',
      progress: { percentage: 0 },
      metadata: { parameters: {} },
    });
    expect(r.success).toBe(false);
  });

  it('keeps the terminal statuses a subset of the statuses', () => {
    expect(TERMINAL_STATUSES.every((s) => OPERATION_STATUSES.includes(s))).toBe(true);
    expect(isTerminalStatus('cancelled')).toBe(true);
    expect(isTerminalStatus('running')).toBe(false);
  });

  it('names an unknown trigger field and a wrong type', () => {
    const r = TriggerRequestSchema.safeParse({ bypass_gates: 'yes', colour: 'red' });
    expect(r.success).toBe(false);
    const messages = r.error!.issues.map((i) => i.message);
    expect(messages).toContain('expected true or false');
    expect(r.error!.issues.some((i) => i.code === 'unrecognized_keys')).toBe(true);
  });

  it('tells active from idle status by its discriminator', () => {
    const idle = AgentStatusSchema.parse({ status: 'idle', last_cycle: null, active_researches: [], capacity: { active: 0, limit: 1 } });
    expect(idle.status).toBe('idle');
    expect(AgentStatusSchema.safeParse({ status: 'active', active_researches: [] }).success).toBe(false);
  });

  it('converts every registered response schema to JSON Schema', () => {
    const { schemas } = z.toJSONSchema(responseSchemas, {
      io: 'output',
      target: 'openapi-3.0',
      unrepresentable: 'any',
      uri: (id) => `#/components/schemas/${id}`,
    });
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining(['ErrorEnvelope', 'OperationInfo', 'AgentStatus', 'TriggerRefused', 'CancelRefused']));
  });
});
