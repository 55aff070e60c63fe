/**
 * Output of `ktrdr agent resume`, beside output.format.ts's trigger lines: what started,
 * from which cycle and where it begins, or why nothing did.
 */
import { readCycleParameters, type OperationInfo, type ResumeStarted, type TriggerRefused } from '@ktrdr/api-contract';
import { FOLLOW_HINT, triggerRefusedLines } from './output.format.js';

/**
 * What the old cycle tells about its phases: a cycle triggered with a strategy never designed, so
 * its "finished" design phase is the strategy it was given, not a design to reuse.
 */
export interface ResumeSourceFacts {
  /** The strategy the old cycle was triggered with (`strategy`), when it skipped the design. */
  givenStrategy: string | null;
}

/** The facts resumeStartedLines needs from the old cycle's record. */
export function resumeSourceFacts(old: Pick<OperationInfo, 'metadata'>): ResumeSourceFacts {
  const p = readCycleParameters(old.metadata?.parameters);
  const given = p.strategy && !p.design_op_id ? p.strategy : null;
  return { givenStrategy: given };
}

export function resumeStartedLines(
  res: ResumeStarted & { reused_phases?: readonly string[] },
  following: boolean,
  source: ResumeSourceFacts = { givenStrategy: null },
): string[] {
  const phases = (res.reused_phases ?? []).filter((p) => !(source.givenStrategy && p === 'designing'));
  const parts = [
    ...(phases.length ? [`reusing ${phases.join(', ')}`] : []),
    ...(source.givenStrategy ? [`strategy ${source.givenStrategy} as given; it had no design phase`] : []),
  ];
  const reused = parts.length ? ` (${parts.join('; ')})` : '';
  const lines = [
    'Research cycle resumed!',
    `  Operation ID: ${res.operation_id}`,
    `  Resumed from: ${res.resumed_from}`,
    `  Starting at: ${res.start_phase}${reused}`,
  ];
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
