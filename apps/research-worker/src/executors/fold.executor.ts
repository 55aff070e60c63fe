import type { PhaseContext } from '@ktrdr/agent-domain';
import type { OperationInfo } from '@ktrdr/operations';
import type { FoldJob } from '@ktrdr/queues';
import type { FoldExecutor } from '../phase.runner.js';
import { backtestFold } from './backtest-fold.work.js';
import type { ResearchDeps } from './research.inputs.js';
import { trainFold } from './training-fold.work.js';

/** The real walk-forward fold work: training one fold's models, or predicting its test bars with them. */
export class WalkForwardFoldExecutor implements FoldExecutor {
  constructor(private readonly deps: ResearchDeps) {}

  execute(kind: FoldJob['name'], operation: OperationInfo, ctx: PhaseContext): Promise<{ result: unknown; discard?: () => Promise<void> }> {
    return kind === 'train' ? trainFold(this.deps, operation, ctx) : backtestFold(this.deps, operation, ctx);
  }
}
