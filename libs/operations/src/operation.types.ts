/** Wire and storage shapes of an operation. Field names are snake_case on purpose: they are the API. */

// The vocabulary and the wire shapes are defined once, in the API contract; the store speaks them.
export { OperationStatus, OPERATION_STATUSES, OperationType, OPERATION_TYPES, TERMINAL_STATUSES, ACTIVE_STATUSES, isTerminalStatus } from '@ktrdr/api-contract';
export type { OperationInfo, OperationProgress, OperationSummary } from '@ktrdr/api-contract';
import type { OperationInfo, OperationProgress, OperationStatus, OperationSummary, OperationType } from '@ktrdr/api-contract';

export type Parameters = Record<string, unknown>;

export interface ListFilter {
  status?: OperationStatus;
  operation_type?: OperationType;
  active_only?: boolean;
  limit: number;
  offset: number;
}

export interface ListPage {
  operations: OperationInfo[];
  total_count: number;
  active_count: number;
}

export const EMPTY_PROGRESS: OperationProgress = {
  percentage: 0,
  current_step: null,
  steps_completed: 0,
  steps_total: 0,
};

export function toSummary(op: OperationInfo, now: Date = new Date()): OperationSummary {
  const start = op.started_at ?? op.created_at;
  const end = op.completed_at ? Date.parse(op.completed_at) : now.getTime();
  return {
    operation_id: op.operation_id,
    operation_type: op.operation_type,
    status: op.status,
    created_at: op.created_at,
    progress_percentage: op.progress.percentage,
    current_step: op.progress.current_step,
    duration_seconds: op.started_at || op.completed_at ? Math.max(0, (end - Date.parse(start)) / 1000) : null,
  };
}
