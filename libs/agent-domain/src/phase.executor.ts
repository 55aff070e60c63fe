import type { CycleParameters, PhaseResults } from '@ktrdr/api-contract';
import type { ActivePhase } from './phase.types.js';
import type { ProgressView } from './progress.js';

/** What a phase executor gets: its own operation, and a snapshot of the cycle's metadata. */
export interface PhaseInput {
  operation_id: string;
  parent_operation_id: string;
  phase: ActivePhase;
  /** The cycle's state when the child started (strategy, model path, results…), parsed by the runner. */
  cycle: CycleParameters;
}

export interface PhaseContext {
  /** Aborted when the operation is cancelled; executors must stop promptly and throw. */
  signal: AbortSignal;
  /** Reports the child's own progress (`Epoch 12/50`, `Bar 4000/9000`, …). */
  reportProgress(progress: ProgressView): void;
}

/** Artifact names: what an operation may publish beside its record. */
import type { ArtifactName } from '@ktrdr/api-contract';
export { ARTIFACT_NAMES, type ArtifactName } from '@ktrdr/api-contract';

/**
 * A phase's outcome: the typed result (the child's `result_summary`) and the artifacts to publish.
 * The runner stores the artifacts only if the child completes, so a cancelled child has none.
 */
export interface PhaseOutput<P extends ActivePhase = ActivePhase> {
  result: PhaseResults[P];
  artifacts?: Partial<Record<ArtifactName, unknown>>;
  /**
   * Undoes what the executor stored (its trained models, a strategy) when the child does
   * not complete after all — a cancel that lands between the executor's return and the final write.
   */
  discard?(): Promise<void>;
}

/**
 * One interface for all four phases, so the real design, training, backtest and assessment plug
 * in without the orchestrator or the processors changing. Throw to fail the phase; the error's
 * message becomes the child's `error_message` (the orchestrator adds the phase prefix on the parent).
 */
export interface PhaseExecutor<P extends ActivePhase = ActivePhase> {
  readonly phase: P;
  execute(input: PhaseInput, ctx: PhaseContext): Promise<PhaseOutput<P>>;
}

export type PhaseExecutors = { readonly [P in ActivePhase]: PhaseExecutor<P> };
