import type { Redis } from 'ioredis';
import { RedisKeys } from './redis-keys.js';

export interface CancelMessage {
  /** The operations just cancelled in the store: the target and its cancelled descendants. */
  operation_ids: string[];
  reason: string;
  /** When the cancel was requested (epoch ms), so listeners can measure the hop. */
  requested_at: number;
}

/**
 * The fast path of a cancel: after the store has durably cancelled a tree, a message on Redis
 * pub/sub tells whichever worker holds one of those jobs to abort it now. It is only a hint —
 * pub/sub drops messages while a subscriber reconnects — so listeners also get `onResync` on every
 * reconnect and must re-read the durable status then.
 */
export class CancelChannel {
  private readonly channel: string;

  constructor(prefix: string) {
    this.channel = new RedisKeys(prefix).cancelChannel();
  }

  async publish(publisher: Redis, message: CancelMessage): Promise<number> {
    return publisher.publish(this.channel, JSON.stringify(message));
  }

  /**
   * Subscribes `subscriber` (a connection dedicated to pub/sub) and returns an unsubscribe function.
   * `onResync` fires after each reconnect, when messages may have been missed.
   */
  async subscribe(subscriber: Redis, onMessage: (message: CancelMessage) => void, onResync: () => void): Promise<() => Promise<void>> {
    let connectedOnce = false;
    const messageHandler = (channel: string, raw: string): void => {
      if (channel !== this.channel) return;
      try {
        onMessage(JSON.parse(raw) as CancelMessage);
      } catch {
        // A malformed message is not ours to act on; the durable status still governs.
      }
    };
    const readyHandler = (): void => {
      if (connectedOnce) onResync();
      connectedOnce = true;
    };
    subscriber.on('message', messageHandler);
    subscriber.on('ready', readyHandler);
    await subscriber.subscribe(this.channel);
    connectedOnce = true;
    return async () => {
      subscriber.off('message', messageHandler);
      subscriber.off('ready', readyHandler);
      await subscriber.unsubscribe(this.channel).catch(() => undefined);
    };
  }
}
