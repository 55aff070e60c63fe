import { OPERATION_STATUSES, type OperationStatus } from './operation.types';
import { ALLOWED_TRANSITIONS, canTransition, isTerminal } from './status-machine';

describe('operation status machine', () => {
  const allowed: Array<[OperationStatus, OperationStatus]> = [
    ['pending', 'running'],
    ['pending', 'failed'],
    ['pending', 'cancelled'],
    ['running', 'completed'],
    ['running', 'failed'],
    ['running', 'cancelled'],
  ];

  it.each(allowed)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  const refused = OPERATION_STATUSES.flatMap((from) =>
    OPERATION_STATUSES.filter((to) => !allowed.some(([f, t]) => f === from && t === to)).map((to) => [from, to] as [OperationStatus, OperationStatus]),
  );

  it.each(refused)('refuses %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it('covers all 25 pairs between the two tables', () => {
    expect(allowed.length + refused.length).toBe(25);
  });

  it.each(['completed', 'failed', 'cancelled'] as OperationStatus[])('%s is terminal and final', (s) => {
    expect(isTerminal(s)).toBe(true);
    expect(ALLOWED_TRANSITIONS[s]).toEqual([]);
  });

  it.each(['pending', 'running'] as OperationStatus[])('%s is not terminal', (s) => {
    expect(isTerminal(s)).toBe(false);
  });
});
