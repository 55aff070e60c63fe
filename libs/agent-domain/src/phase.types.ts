/** The phases of a research cycle and what each one means for the parent record. */

// The phase words are part of the wire vocabulary, defined once in the API contract.
import { ACTIVE_PHASES, OperationType, type ActivePhase } from '@ktrdr/api-contract';
export { Phase, ACTIVE_PHASES, type ActivePhase } from '@ktrdr/api-contract';

/** Child operation types, spelled as the operations store spells them. */
export type ChildOperationType = 'agent_design' | 'training' | 'backtesting' | 'agent_assessment';
export const CYCLE_OPERATION_TYPE = OperationType.AgentResearch;

export interface PhaseSpec {
  operationType: ChildOperationType;
  /** Parent metadata key that holds this phase's child id. */
  childKey: 'design_op_id' | 'training_op_id' | 'backtest_op_id' | 'assessment_op_id';
  /** Parent progress while this phase runs, and the step text. */
  percentage: number;
  step: string;
  /** Prefix of the parent's error message when this phase's child fails. */
  failureLabel: string;
}

export const PHASE_SPECS: Readonly<Record<ActivePhase, PhaseSpec>> = {
  designing: { operationType: 'agent_design', childKey: 'design_op_id', percentage: 5, step: 'Designing strategy...', failureLabel: 'Design' },
  training: { operationType: 'training', childKey: 'training_op_id', percentage: 20, step: 'Training model...', failureLabel: 'Training' },
  backtesting: { operationType: 'backtesting', childKey: 'backtest_op_id', percentage: 65, step: 'Running backtest...', failureLabel: 'Backtest' },
  assessing: { operationType: 'agent_assessment', childKey: 'assessment_op_id', percentage: 90, step: 'Assessing results...', failureLabel: 'Assessment' },
};

export const COMPLETE_PROGRESS = { percentage: 100, step: 'Complete' } as const;

export function isActivePhase(value: unknown): value is ActivePhase {
  return typeof value === 'string' && (ACTIVE_PHASES as readonly string[]).includes(value);
}

export function phaseOfOperationType(type: string): ActivePhase | null {
  return ACTIVE_PHASES.find((p) => PHASE_SPECS[p].operationType === type) ?? null;
}

export function nextPhase(phase: ActivePhase): ActivePhase | null {
  const i = ACTIVE_PHASES.indexOf(phase);
  return ACTIVE_PHASES[i + 1] ?? null;
}

/** The child id recorded for the parent's current phase, or null (idle, or not yet written). */
export function currentChildId(parameters: Record<string, unknown>): string | null {
  const phase = parameters['phase'];
  if (!isActivePhase(phase)) return null;
  const id = parameters[PHASE_SPECS[phase].childKey];
  return typeof id === 'string' ? id : null;
}
