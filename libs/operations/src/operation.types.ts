/** Wire and storage shapes of an operation (SPEC §3). Field names are snake_case on purpose: they are the API. */

export const OperationStatus = {
  Pending: 'pending',
  Running: 'running',
  Completed: 'completed',
  Failed: 'failed',
  Cancelled: 'cancelled',
} as const;
export type OperationStatus = (typeof OperationStatus)[keyof typeof OperationStatus];
export const OPERATION_STATUSES = Object.values(OperationStatus) as readonly OperationStatus[];

export const OperationType = {
  AgentResearch: 'agent_research',
  AgentDesign: 'agent_design',
  Training: 'training',
  Backtesting: 'backtesting',
  AgentAssessment: 'agent_assessment',
} as const;
export type OperationType = (typeof OperationType)[keyof typeof OperationType];
export const OPERATION_TYPES = Object.values(OperationType) as readonly OperationType[];

export interface OperationProgress {
  percentage: number;
  current_step: string | null;
  steps_completed: number;
  steps_total: number;
}

export type Parameters = Record<string, unknown>;

export interface OperationInfo {
  operation_id: string;
  operation_type: OperationType;
  status: OperationStatus;
  parent_operation_id: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  progress: OperationProgress;
  metadata: { parameters: Parameters };
  result_summary: Record<string, unknown> | null;
  error_message: string | null;
  /** Set only on cancelled operations: when, why, and which route asked. */
  cancelled_at: string | null;
  cancellation_reason: string | null;
  cancelled_by: string | null;
}

export interface OperationSummary {
  operation_id: string;
  operation_type: OperationType;
  status: OperationStatus;
  created_at: string;
  progress_percentage: number;
  current_step: string | null;
  duration_seconds: number | null;
}

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
