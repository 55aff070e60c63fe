import type { ActivePhase } from '@ktrdr/agent-domain';
import type { PhaseJob } from '@ktrdr/queues';
import type { Job, Worker } from 'bullmq';
import type { PhaseOutcome, PhaseRunner } from './phase.runner.js';

/**
 * Thin processor of a phase queue. It declares all three parameters — BullMQ only creates the
 * job's AbortSignal (fired by `worker.cancelJob`) for processors that take it.
 */
export function phaseProcessor(runner: PhaseRunner, phase: ActivePhase, worker: () => Worker) {
  return (job: Job<PhaseJob['data']>, _token: string | undefined, signal?: AbortSignal): Promise<PhaseOutcome> =>
    runner.run(phase, job, worker(), signal);
}
