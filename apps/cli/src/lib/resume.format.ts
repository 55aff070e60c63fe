/**
 * Output of `ktrdr agent resume` (issue #12), beside output.format.ts's trigger lines: what started,
 * from which cycle and where it begins, or why nothing did.
 */
import type { ResumeStarted, TriggerRefused } from '@ktrdr/api-contract';
import { FOLLOW_HINT, triggerRefusedLines } from './output.format.js';

export function resumeStartedLines(res: ResumeStarted & { reused_phases?: readonly string[] }, following: boolean): string[] {
  const reused = res.reused_phases?.length ? ` (reusing ${res.reused_phases.join(', ')})` : '';
  const lines = ['Research cycle resumed!', `  Operation ID: ${res.operation_id}`, `  Resumed from: ${res.resumed_from}`, `  Starting at: ${res.start_phase}${reused}`];
  if (!following) lines.push(`  Follow it with: ${FOLLOW_HINT(res.operation_id)}`);
  return lines;
}

export function resumeRefusedLines(res: TriggerRefused): string[] {
  // The API's message already reads `Cannot resume <id>: <why>`.
  if (res.reason === 'not_resumable') return [res.message];
  // Capacity and budget refusals read as for trigger, with the verb this command performs.
  return triggerRefusedLines(res).map((l, i) => (i === 0 ? l.replace(/^Cannot trigger:/, 'Cannot resume:') : l));
}

export const NOTHING_TO_RESUME = ['No failed or cancelled research cycle to resume.'];
