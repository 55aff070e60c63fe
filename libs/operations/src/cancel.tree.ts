import type { Redis } from 'ioredis';
import type { CancelChannel } from './cancel.channel.js';
import type { CancelOptions, CancelOutcome, OperationsStore } from './operations.store.js';

/**
 * The two steps of a cancel in one place, for every caller (the API's cancel routes, the orchestrator):
 * cancel `id` and its non-terminal descendants in one atomic store step, then announce it on the
 * cancel channel. The message names the cancelled root only — workers abort a job whose operation
 * or parent is named — so it does not wait for the script's answer: both commands go out back to
 * back on `publisher` (the store's own connection), Redis runs them in that order, and the cancel
 * costs the store's round trips, not one more. A message for a cancel that is refused (unknown or
 * already finished operation) matches no running job. `publisher` must be the connection the store uses,
 * or the message could overtake the durable write.
 */
export async function cancelAndAnnounce(
  store: OperationsStore,
  channel: CancelChannel,
  publisher: Redis,
  id: string,
  opts: CancelOptions,
  onPublishError: (e: unknown) => void = () => undefined,
): Promise<CancelOutcome> {
  const requestedAt = Date.now();
  const cancelled = store.cancel(id, opts); // its script is written to the connection first…
  const announced = channel.publish(publisher, { operation_ids: [id], reason: opts.reason, requested_at: requestedAt }).catch(onPublishError); // …then the message
  const [outcome] = await Promise.all([cancelled, announced]);
  // A job knows its parent and its cycle, not every ancestor above them (a campaign's cycle's folds):
  // once the script has named what it cancelled, those ids are announced too, so every job under a
  // deeper tree stops on a message rather than on its next poll of the record.
  if (outcome.children_cancelled.length > 0) {
    void channel.publish(publisher, { operation_ids: outcome.children_cancelled, reason: opts.reason, requested_at: requestedAt }).catch(onPublishError);
  }
  return outcome;
}
