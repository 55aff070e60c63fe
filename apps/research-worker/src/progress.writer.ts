import { parentProgressDuringChild, type ActivePhase, type ProgressView } from '@ktrdr/agent-domain';
import type { OperationsStore } from '@ktrdr/operations';
import type { ThrottledLogger } from './throttled.logger.js';

/**
 * Writes a child's progress and the parent's derived progress, one write at a time and only the
 * latest value: an executor may report far faster than Redis round-trips, and an older report must
 * never land after a newer one. Writes to a terminal operation are refused by the store.
 */
export class ProgressWriter {
  private pending: ProgressView | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: OperationsStore,
    private readonly childId: string,
    private readonly parentId: string,
    /** The phase whose progress the parent cycle shows; null: the child's own progress only (a fold). */
    private readonly phase: ActivePhase | null,
    private readonly failures?: ThrottledLogger,
  ) {}

  report(progress: ProgressView): void {
    this.pending = progress;
    if (!this.running) this.running = this.drain();
  }

  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending) {
        const p = this.pending;
        this.pending = null;
        const child = await this.store.update(this.childId, { progress: p });
        if (child.applied && this.phase) await this.store.update(this.parentId, { progress: parentProgressDuringChild(this.phase, p) }).catch(() => undefined);
      }
    } catch (e) {
      // Progress is best effort (the next report writes the latest value again); the final status
      // write is the one that is retried. Logged throttled: a refusing Redis fails every report.
      this.failures?.warn('progress', e, { operation_id: this.childId }, 'progress not recorded');
    } finally {
      this.running = null;
    }
  }
}
