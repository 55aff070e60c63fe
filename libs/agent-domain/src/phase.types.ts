/**
 * The phases of a research cycle and the cycle's typed state. The phase table (queue, operation
 * type, child key, gate, label, progress, artifacts, produced keys) and the schema of a cycle's
 * parameters are part of the wire contract; the domain uses them from there.
 */
import { OperationType } from '@ktrdr/api-contract';

export {
  ACTIVE_PHASES,
  COMPLETE_PROGRESS,
  PHASE_TABLE,
  Phase,
  currentChildId,
  isActivePhase,
  nextPhase,
  phaseOfOperationType,
  phaseOfQueue,
  readCycleParameters,
  type ActivePhase,
  type ChildOperationType,
  type CycleParameters,
  type CycleParametersPatch,
  type PhaseRow,
} from '@ktrdr/api-contract';

export const CYCLE_OPERATION_TYPE = OperationType.AgentResearch;
