import { ACTIVE_PHASES, PHASE_TABLE, type ActivePhase, type PhaseRow } from '@ktrdr/agent-domain';

/**
 * The one queue contract shared by producer (API, orchestrator) and consumers (worker processors):
 * queue names, job names and payloads live here, so drift fails to compile. Payloads carry ids
 * only — the operation record in Redis is the truth, and job data is plain text in Redis.
 */
export const QueueName = {
  Research: 'research',
  Design: 'design',
  Training: 'training',
  Backtest: 'backtest',
  Assessment: 'assessment',
  /** Walk-forward folds of the training and backtest phases: CPU-bound compute, spread over the workers that take it. */
  Fold: 'fold',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];
export const QUEUE_NAMES = Object.values(QueueName) as readonly QueueName[];

export type PhaseQueueName = Exclude<QueueName, 'research' | 'fold'>;
// The phase table names each phase's queue; a queue it names that is not one of these fails to compile.
type QueuesAreNamed = PhaseRow['queue'] extends PhaseQueueName ? (PhaseQueueName extends PhaseRow['queue'] ? true : never) : never;
const _queuesAreNamed: QueuesAreNamed = true;
void _queuesAreNamed;

/** Which queue runs each phase, from the phase table. */
export const PHASE_QUEUE = Object.fromEntries(ACTIVE_PHASES.map((p) => [p, PHASE_TABLE[p].queue])) as Readonly<Record<ActivePhase, PhaseQueueName>>;

/** Which phase each phase queue runs. */
export const QUEUE_PHASE = Object.fromEntries(ACTIVE_PHASES.map((p) => [PHASE_TABLE[p].queue, p])) as Readonly<Record<PhaseQueueName, ActivePhase>>;

/**
 * Orchestrator jobs: start a cycle, react to one of its children reaching a terminal status, or run
 * the reconcile pass (produced only by the research queue's job scheduler, RECONCILE_SCHEDULER_ID).
 */
export type ResearchJob =
  | { name: 'start'; data: { parent_operation_id: string } }
  | { name: 'child-finished'; data: { parent_operation_id: string; child_operation_id: string } }
  | { name: 'reconcile'; data: Record<string, never> }
  /** Start a campaign, or take its next step because one of its cycles ended. */
  | { name: 'campaign-start'; data: { campaign_operation_id: string } }
  | { name: 'campaign-step'; data: { campaign_operation_id: string; cycle_operation_id: string } };

/** The research queue's job scheduler that emits `reconcile` jobs (one schedule however many orchestrators). */
export const RECONCILE_SCHEDULER_ID = 'reconcile';

/** Phase jobs: run the child operation. The job id is the operation id. */
export interface PhaseJob {
  name: 'run';
  data: { operation_id: string; parent_operation_id: string };
}

/**
 * Fold jobs: run one walk-forward fold operation (`train` under the training phase child, `backtest`
 * under the backtest phase child). The job id is the fold's operation id; the phase child waits for
 * the record, not for the job.
 */
export interface FoldJob {
  name: 'train' | 'backtest';
  data: { operation_id: string; parent_operation_id: string; cycle_operation_id: string };
}

export interface QueueContract {
  research: ResearchJob;
  design: PhaseJob;
  training: PhaseJob;
  backtest: PhaseJob;
  assessment: PhaseJob;
  fold: FoldJob;
}

export type JobOf<Q extends QueueName> = QueueContract[Q];
export type JobDataOf<Q extends QueueName> = JobOf<Q>['data'];
export type JobNameOf<Q extends QueueName> = JobOf<Q>['name'];

/**
 * Deterministic job ids make every enqueue idempotent: a retried "start" or a duplicate
 * "child-finished" for the same child is one job, not two.
 */
export function jobIdFor<Q extends QueueName>(queue: Q, job: JobOf<Q>): string {
  if (queue === QueueName.Research) {
    const r = job as ResearchJob;
    if (r.name === 'start') return `start-${r.data.parent_operation_id}`;
    if (r.name === 'child-finished') return `finished-${r.data.child_operation_id}`;
    if (r.name === 'campaign-start') return `campaign-start-${r.data.campaign_operation_id}`;
    if (r.name === 'campaign-step') return `campaign-step-${r.data.cycle_operation_id}`;
    return `reconcile-${Date.now()}`; // normally the scheduler names these; a manual one is just another pass
  }
  return (job as PhaseJob | FoldJob).data.operation_id;
}

/** Parses `KTRDR_WORKER_QUEUES` ("all" or a comma list) into queue names; returns the unknown ones too. */
export function parseQueueList(value: string | undefined): { queues: QueueName[]; unknown: string[] } {
  if (!value || value.trim() === '' || value.trim() === 'all') return { queues: [...QUEUE_NAMES], unknown: [] };
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = parts.filter((p) => !(QUEUE_NAMES as readonly string[]).includes(p));
  const queues = [...new Set(parts.filter((p): p is QueueName => (QUEUE_NAMES as readonly string[]).includes(p)))];
  return { queues, unknown };
}
