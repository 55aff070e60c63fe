import { isOperationIdShape, newOperationId } from './operation-id';

describe('operation ids', () => {
  it('follow op_{type}_{YYYYMMDD_HHMMSS}_{8 hex} in UTC', () => {
    const id = newOperationId('training', new Date('2026-11-25T14:30:22.123Z'));
    expect(id).toMatch(/^op_training_20261125_143022_[0-9a-f]{8}$/);
    expect(isOperationIdShape(id)).toBe(true);
  });

  it('differ between two calls in the same second', () => {
    const now = new Date();
    expect(newOperationId('agent_research', now)).not.toBe(newOperationId('agent_research', now));
  });

  it.each(['', '../etc/passwd', 'op_training_2026_x', `op_training_20261125_143022_${'a'.repeat(9)}`, 'op_training_20261125_143022_ABCDEF12'])(
    'rejects %j',
    (id) => expect(isOperationIdShape(id)).toBe(false),
  );
});
