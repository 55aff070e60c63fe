import { PHASE_QUEUE, QUEUE_NAMES, QUEUE_PHASE, jobIdFor, parseQueueList } from './queue.contract';

describe('queue contract', () => {
  it('derives idempotent job ids: one start per cycle, one child-finished per child, the operation id for phases', () => {
    const start = { name: 'start' as const, data: { parent_operation_id: 'op_p' } };
    expect(jobIdFor('research', start)).toBe('start-op_p');
    expect(jobIdFor('research', start)).toBe(jobIdFor('research', { ...start }));
    expect(jobIdFor('research', { name: 'child-finished', data: { parent_operation_id: 'op_p', child_operation_id: 'op_c' } })).toBe('finished-op_c');
    expect(jobIdFor('training', { name: 'run', data: { operation_id: 'op_t', parent_operation_id: 'op_p' } })).toBe('op_t');
    expect(jobIdFor('research', { name: 'reconcile', data: {} })).toMatch(/^reconcile-\d+$/);
  });

  it('maps every phase to its queue and back', () => {
    for (const [phase, queue] of Object.entries(PHASE_QUEUE)) expect(QUEUE_PHASE[queue]).toBe(phase);
    expect(QUEUE_NAMES).toEqual(['research', 'design', 'training', 'backtest', 'assessment', 'fold']);
  });

  it('parses KTRDR_WORKER_QUEUES: all/empty means every queue; lists are trimmed and deduplicated; unknown names are returned', () => {
    expect(parseQueueList(undefined).queues).toEqual([...QUEUE_NAMES]);
    expect(parseQueueList(' all ')).toEqual({ queues: [...QUEUE_NAMES], unknown: [] });
    expect(parseQueueList('')).toEqual({ queues: [...QUEUE_NAMES], unknown: [] });
    expect(parseQueueList('training, backtest,training')).toEqual({ queues: ['training', 'backtest'], unknown: [] });
    expect(parseQueueList('research,gpu,trainnig')).toEqual({ queues: ['research'], unknown: ['gpu', 'trainnig'] });
  });
});
