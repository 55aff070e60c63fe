import type { Redis } from 'ioredis';
import { RedisKeys } from './redis-keys.js';

/** Called with no argument: the listener re-reads the durable record itself. */
export type ChangeListener = () => void;

export interface HubStats {
  /** Registered listeners, over all ids. */
  listeners: number;
  /** Distinct operation ids being watched. */
  ids: number;
  /** Whether this process is subscribed to the events channel right now. */
  subscribed: boolean;
}

/**
 * One process's window on the store's change notices (the ids the Lua scripts PUBLISH, see
 * operations.lua.ts). It holds one dedicated subscriber connection for any number of watchers and
 * fans notices out in memory by id, so N open event streams cost one subscription, not N polling
 * loops. It subscribes when the first watcher arrives and unsubscribes when the last one leaves,
 * so an idle API holds no subscription at all (and tests can see a client leave nothing behind).
 *
 * Pub/sub drops messages published while the connection is down: after every reconnect each
 * listener is called once, and listeners always re-read the record rather than trust a notice.
 */
export class OperationEventsHub {
  private readonly channel: string;
  private readonly listeners = new Map<string, Set<ChangeListener>>();
  private subscribed = false;
  /** Subscribe/unsubscribe calls run one after another, each bringing Redis in line with `listeners`. */
  private sync: Promise<void> = Promise.resolve();
  private readonly onMessage = (channel: string, message: string): void => {
    if (channel !== this.channel) return;
    for (const id of new Set(message.split(' '))) this.fire(id);
  };
  private readonly onReady = (): void => {
    // 'ready' after a reconnect: ioredis re-subscribes by itself, but what was published meanwhile is lost.
    if (this.subscribed) for (const id of [...this.listeners.keys()]) this.fire(id);
  };

  constructor(
    private readonly subscriber: Redis,
    prefix: string,
  ) {
    this.channel = new RedisKeys(prefix).eventsChannel();
    subscriber.on('message', this.onMessage);
    subscriber.on('ready', this.onReady);
  }

  /**
   * Calls `listener` on every change notice for `id` (and, via the scripts, for changes of its
   * children). Resolves once the subscription is live, so a read made after it cannot miss a change.
   * Returns the function that removes the listener.
   */
  async watch(id: string, listener: ChangeListener): Promise<() => void> {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    let removed = false;
    const unwatch = (): void => {
      if (removed) return;
      removed = true;
      const s = this.listeners.get(id);
      s?.delete(listener);
      if (s && s.size === 0) this.listeners.delete(id);
      void this.reconcile().catch(() => undefined);
    };
    try {
      await this.reconcile();
    } catch (e) {
      unwatch();
      throw e;
    }
    return unwatch;
  }

  stats(): HubStats {
    let listeners = 0;
    for (const s of this.listeners.values()) listeners += s.size;
    return { listeners, ids: this.listeners.size, subscribed: this.subscribed };
  }

  /** Resolves once pending subscribe/unsubscribe calls are done (for shutdown and tests). */
  settled(): Promise<void> {
    return this.sync.catch(() => undefined);
  }

  /** Detaches from the connection; the caller closes it. */
  async close(): Promise<void> {
    this.listeners.clear();
    await this.reconcile().catch(() => undefined);
    this.subscriber.off('message', this.onMessage);
    this.subscriber.off('ready', this.onReady);
  }

  private reconcile(): Promise<void> {
    const run = async (): Promise<void> => {
      const wanted = this.listeners.size > 0;
      if (wanted && !this.subscribed) {
        await this.subscriber.subscribe(this.channel);
        this.subscribed = true;
      } else if (!wanted && this.subscribed) {
        this.subscribed = false;
        await this.subscriber.unsubscribe(this.channel);
      }
    };
    // Chained so that a subscribe never overtakes an unsubscribe (or the reverse); a failure of one
    // step does not poison the chain for later watchers.
    const next = this.sync.catch(() => undefined).then(run);
    this.sync = next;
    return next;
  }

  private fire(id: string): void {
    const set = this.listeners.get(id);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener();
      } catch {
        // One watcher's failure must not starve the others of the notice.
      }
    }
  }
}
