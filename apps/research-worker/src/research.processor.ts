import type { ResearchJob } from '@ktrdr/queues';
import type { Job } from 'bullmq';
import type { Orchestrator } from './orchestrator.service.js';

/** Thin processor of the research queue: hands each event to the orchestrator. */
export function researchProcessor(orchestrator: Orchestrator) {
  return async (job: Job<ResearchJob['data'], unknown, ResearchJob['name']>): Promise<void> => {
    const { data } = job;
    if (job.name === 'start') return orchestrator.start(data.parent_operation_id);
    if ('child_operation_id' in data) return orchestrator.childFinished(data.parent_operation_id, data.child_operation_id);
  };
}
