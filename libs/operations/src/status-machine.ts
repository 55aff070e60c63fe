import { OperationStatus, TERMINAL_STATUSES } from './operation.types.js';

/**
 * The only status changes the store applies. Everything else is refused, and a terminal
 * status has no way out: the first terminal transition wins.
 */
export const ALLOWED_TRANSITIONS: Readonly<Record<OperationStatus, readonly OperationStatus[]>> = {
  pending: [OperationStatus.Running, OperationStatus.Failed, OperationStatus.Cancelled],
  running: [OperationStatus.Completed, OperationStatus.Failed, OperationStatus.Cancelled],
  completed: [],
  failed: [],
  cancelled: [],
};

export function isTerminal(status: OperationStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function canTransition(from: OperationStatus, to: OperationStatus): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}
