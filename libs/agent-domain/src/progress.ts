import { ACTIVE_PHASES, COMPLETE_PROGRESS, PHASE_TABLE, nextPhase, type ActivePhase } from './phase.types.js';

export interface ProgressView {
  percentage: number;
  current_step: string | null;
  steps_completed: number;
  steps_total: number;
}

/** Parent progress at the start of a phase: the fixed 5/20/65/90. */
export function phaseStartProgress(phase: ActivePhase): ProgressView {
  const row = PHASE_TABLE[phase];
  return { percentage: row.percentage, current_step: row.step, steps_completed: ACTIVE_PHASES.indexOf(phase), steps_total: ACTIVE_PHASES.length };
}

export function cycleCompleteProgress(): ProgressView {
  return {
    percentage: COMPLETE_PROGRESS.percentage,
    current_step: COMPLETE_PROGRESS.step,
    steps_completed: ACTIVE_PHASES.length,
    steps_total: ACTIVE_PHASES.length,
  };
}

/**
 * Parent progress while a child runs: the phase's band (from its base to the next phase's base)
 * scaled by the child's percentage, with the child's own step shown after the phase step.
 */
export function parentProgressDuringChild(phase: ActivePhase, child: ProgressView): ProgressView {
  const base = phaseStartProgress(phase);
  const next = nextPhase(phase);
  const ceiling = next ? PHASE_TABLE[next].percentage : COMPLETE_PROGRESS.percentage;
  const fraction = Math.min(Math.max(child.percentage, 0), 100) / 100;
  return {
    ...base,
    percentage: Math.round((base.percentage + (ceiling - base.percentage) * fraction) * 10) / 10,
    current_step: child.current_step ? `${base.current_step} (${child.current_step})` : base.current_step,
  };
}
