import type { OperationEventsHub } from './operation-events.hub.js';
import { OperationNotFoundError } from './operation.errors.js';
import type { OperationInfo } from './operation.types.js';
import type { OperationsStore } from './operations.store.js';
import { isTerminal } from './status-machine.js';

/** What a live event carries: the operation and, for a cycle, its current child. */
export interface OperationSnapshot {
  operation: OperationInfo;
  child: OperationInfo | null;
}

export interface WatchHandlers {
  /** A new state (never the same as the previous one). */
  onUpdate(snapshot: OperationSnapshot): void;
  /** The terminal state; nothing follows it. */
  onEnd(snapshot: OperationSnapshot): void;
  /** The record vanished or could not be read; nothing follows it. */
  onError(error: unknown): void;
}

export interface WatchOptions {
  /** Which child to show beside an operation (for a cycle: the child of its current phase). */
  childIdOf?: (operation: OperationInfo) => string | null;
  /**
   * At most one read per this many ms: progress may change far faster than anyone can watch it, so
   * a burst of notices becomes one read of the latest state (the first notice is read at once).
   */
  coalesceMs?: number;
}

export const DEFAULT_COALESCE_MS = 100;

/**
 * Follows one operation for one client: reads its state when it starts, then again after change
 * notices (throttled), and reports each distinct state until the terminal one. Notices only say
 * "look again": the record in the store is always what is reported.
 */
export class OperationWatch {
  private unwatch: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private reading = false;
  private dirty = false;
  private lastReadAt = 0;
  private last = '';
  private stopped = false;
  private readonly coalesceMs: number;

  constructor(
    private readonly store: OperationsStore,
    private readonly hub: OperationEventsHub,
    readonly operationId: string,
    private readonly handlers: WatchHandlers,
    private readonly options: WatchOptions = {},
  ) {
    this.coalesceMs = Math.max(0, options.coalesceMs ?? DEFAULT_COALESCE_MS);
  }

  /** Subscribes first, then reads: a change between the two is seen by the read or by a notice. */
  async start(): Promise<void> {
    const unwatch = await this.hub.watch(this.operationId, () => this.onNotice());
    if (this.stopped) {
      unwatch();
      return;
    }
    this.unwatch = unwatch;
    await this.read();
  }

  /** Idempotent; removes the listener and any pending read. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.unwatch?.();
    this.unwatch = null;
  }

  get active(): boolean {
    return !this.stopped;
  }

  private onNotice(): void {
    if (this.stopped) return;
    if (this.reading || this.timer) {
      this.dirty = true;
      return;
    }
    this.schedule();
  }

  private schedule(): void {
    const wait = Math.max(0, this.lastReadAt + this.coalesceMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.read();
    }, wait);
  }

  private async read(): Promise<void> {
    if (this.stopped) return;
    this.reading = true;
    this.dirty = false;
    this.lastReadAt = Date.now();
    let snapshot: OperationSnapshot | null;
    try {
      snapshot = await this.snapshot();
    } catch (e) {
      this.reading = false;
      this.finish(() => this.handlers.onError(e));
      return;
    }
    this.reading = false;
    if (this.stopped) return;
    if (!snapshot) {
      this.finish(() => this.handlers.onError(new OperationNotFoundError(this.operationId)));
      return;
    }
    if (isTerminal(snapshot.operation.status)) {
      this.finish(() => this.handlers.onEnd(snapshot));
      return;
    }
    const key = JSON.stringify(snapshot);
    if (key !== this.last) {
      this.last = key;
      this.handlers.onUpdate(snapshot);
    }
    if (this.dirty && !this.stopped) this.schedule();
  }

  private async snapshot(): Promise<OperationSnapshot | null> {
    const operation = await this.store.get(this.operationId);
    if (!operation) return null;
    const childId = this.options.childIdOf?.(operation) ?? null;
    const child = childId ? await this.store.get(childId) : null;
    return { operation, child };
  }

  private finish(report: () => void): void {
    this.stop();
    report();
  }
}
