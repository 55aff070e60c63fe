import { throwIfAborted, type ProgressView } from '@ktrdr/agent-domain';
import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import {
  OperationNotFoundError,
  OperationStatus,
  cancelAndAnnounce,
  type CancelChannel,
  type OperationInfo,
  type OperationType,
  type OperationsStore,
} from '@ktrdr/operations';
import type { FoldJob, QueueProducer } from '@ktrdr/queues';
import type { Redis } from 'ioredis';

/** The phase child's side of its folds: what it needs to know about each while it waits. */
export interface FoldRun {
  kind: FoldJob['name'];
  /** The phase child (the folds' parent) and its cycle. */
  parentId: string;
  cycleId: string;
  /** One entry per fold job, in order: its record's metadata parameters. */
  folds: Record<string, unknown>[];
  /** What errors and progress call each job (`fold 3/5`, `fold 3/5, seed 2/3`); default `fold i/n`. */
  names?: string[];
  signal: AbortSignal;
  /** Every fold job's latest record (and its name), whenever one changed. */
  onProgress?(folds: readonly OperationInfo[], names: readonly string[]): void;
}

/** Runs a phase's folds as jobs of their own and hands back their completed records. */
export interface FoldRunner {
  run(run: FoldRun): Promise<OperationInfo[]>;
}

const FOLD_TYPE: Record<FoldJob['name'], OperationType> = { train: 'training_fold', backtest: 'backtest_fold' };
/** How often the phase child re-reads its folds' records (a few small reads; a fold takes a second or more). */
const POLL_MS = 50;

/**
 * Creates the fold operations under the phase child (refused atomically once it is no longer
 * running), puts one job per fold on the fold queue — any worker process that takes that queue
 * runs them, so folds spread over processes — and waits on their records:
 * - every fold completed → their records, in fold order;
 * - a fold failed (or was cancelled on its own) → the other folds are cancelled and the phase fails
 *   naming it: `fold 3/5: <its error>`;
 * - the phase child's signal fired (cancel, deadline, worker stopping) → the folds still active are
 *   cancelled (a cycle cancel has already cancelled them in the same atomic step) and it rejects.
 */
export class QueuedFoldRunner implements FoldRunner {
  constructor(
    private readonly store: OperationsStore,
    private readonly producer: QueueProducer,
    private readonly channel: CancelChannel,
    private readonly publisher: Redis,
  ) {}

  async run(run: FoldRun): Promise<OperationInfo[]> {
    const { signal } = run;
    const created: OperationInfo[] = [];
    try {
      for (const parameters of run.folds) {
        throwIfAborted(signal);
        created.push(await this.store.create({ type: FOLD_TYPE[run.kind], parentId: run.parentId, parameters, requireParentRunning: true }));
      }
      // Last fold first: with an expanding window the later folds train on the most bars, and
      // starting the longest jobs first lets the workers finish together (longest-job-first).
      for (const op of [...created].reverse()) {
        await this.producer.enqueue('fold', {
          name: run.kind,
          data: { operation_id: op.operation_id, parent_operation_id: run.parentId, cycle_operation_id: run.cycleId },
        });
      }
      return await this.wait(created, run, run.names ?? created.map((_, i) => `fold ${i + 1}/${created.length}`));
    } catch (e) {
      await this.cancelActive(
        created.map((o) => o.operation_id),
        signal.aborted ? 'Parent cancelled' : 'Another fold failed',
      );
      if (signal.aborted) throwIfAborted(signal);
      throw e;
    }
  }

  private async wait(created: OperationInfo[], run: FoldRun, names: string[]): Promise<OperationInfo[]> {
    let last = '';
    for (;;) {
      throwIfAborted(run.signal);
      // The phase child's children are its folds: one read of them all (a list and one pipeline).
      const byId = new Map((await this.store.children(run.parentId)).map((o) => [o.operation_id, o]));
      const now = created.map((o) => {
        const seen = byId.get(o.operation_id);
        if (!seen) throw new OperationNotFoundError(o.operation_id);
        return seen;
      });
      const seen = JSON.stringify(now.map((o) => [o.status, o.progress.percentage, o.progress.current_step]));
      if (seen !== last) {
        last = seen;
        run.onProgress?.(now, names);
      }
      const bad = now.find((o) => o.status === OperationStatus.Failed || o.status === OperationStatus.Cancelled);
      if (bad) {
        const i = created.findIndex((o) => o.operation_id === bad.operation_id);
        const why =
          bad.status === OperationStatus.Failed ? (bad.error_message ?? 'unknown error') : `cancelled (${bad.cancellation_reason ?? 'no reason given'})`;
        throw new KtrdrError((bad.failure_code as ErrorCode | null) ?? ErrorCode.ExecutorFailed, `${names[i]}: ${why}`, {
          fold: bad.metadata.parameters['fold'] ?? i + 1,
          fold_operation_id: bad.operation_id,
        });
      }
      if (now.every((o) => o.status === OperationStatus.Completed)) return now;
      await pause(POLL_MS, run.signal);
    }
  }

  private async cancelActive(ids: string[], reason: string): Promise<void> {
    for (const id of ids) {
      await cancelAndAnnounce(this.store, this.channel, this.publisher, id, { reason, childReason: reason, source: 'fold runner' }).catch(() => undefined);
    }
  }
}

/** Resolves after `ms`, or as soon as `signal` fires. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The phase child's progress while its folds run: their mean progress, and what each is doing. */
export function foldsProgress(label: string, folds: readonly OperationInfo[], names: readonly string[], from: number, to: number): ProgressView {
  const done = folds.filter((o) => o.status === OperationStatus.Completed).length;
  const mean = folds.reduce((a, o) => a + (o.status === OperationStatus.Completed ? 100 : o.progress.percentage), 0) / Math.max(1, folds.length);
  const running = folds.map((o, i) => [o, names[i]] as const).filter(([o]) => o.status === OperationStatus.Running);
  const now = running.map(([o, n]) => `${n}${o.progress.current_step ? ` ${o.progress.current_step}` : ''}`).join('; ');
  return {
    percentage: from + ((to - from) * mean) / 100,
    current_step: `${label}: ${done}/${folds.length} fold jobs done${now ? `; ${now}` : ''}`,
    steps_completed: done,
    steps_total: folds.length,
  };
}
