import type { ActivePhase } from './phase.types.js';
import type { ProgressView } from './progress.js';

/** What a phase executor gets: its own operation, and a snapshot of the cycle's metadata. */
export interface PhaseInput {
  operation_id: string;
  parent_operation_id: string;
  phase: ActivePhase;
  /** The parent's metadata.parameters when the child was created (strategy, model path, results…). */
  cycle: Record<string, unknown>;
}

export interface PhaseContext {
  /** Aborted when the operation is cancelled; executors must stop promptly and throw. */
  signal: AbortSignal;
  /** Reports the child's own progress (`Epoch 12/50`, `Bar 4000/9000`, …). */
  reportProgress(progress: ProgressView): void;
}

/**
 * One interface for all four phases, so the real design, training, backtest and assessment plug
 * in without the orchestrator or the processors changing. Throw to fail the phase; the error's
 * message becomes the child's `error_message` (the orchestrator adds the phase prefix on the parent).
 */
export interface PhaseExecutor {
  readonly phase: ActivePhase;
  execute(input: PhaseInput, ctx: PhaseContext): Promise<Record<string, unknown>>;
}

export type PhaseExecutors = Readonly<Record<ActivePhase, PhaseExecutor>>;
