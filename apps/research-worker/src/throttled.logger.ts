import { messageOf } from '@ktrdr/errors';
import { failureFingerprint, type Logger } from '@ktrdr/runtime';

/**
 * How long identical failures are counted instead of printed. A Redis that refuses writes makes
 * BullMQ's fetch loop fail as fast as Redis answers (thousands of times a second), and every
 * reconnect attempt of every connection emits an error: printing each one floods the log and
 * buries the one line that says what is wrong.
 */
export const DEFAULT_REPEAT_WINDOW_MS = 10_000;
/** Beyond this many distinct failures in flight, the rest share one bucket, so the bound holds whatever the messages. */
const MAX_KEYS = 64;
/** Distinct values kept per field of a summary (e.g. which queues or operations the repeats came from). */
const MAX_VALUES = 10;

interface Bucket {
  count: number;
  lastError: string;
  level: 'warn' | 'error';
  msg: string;
  /** Every distinct value each field had across the repeats (the first occurrence's first). */
  seen: Map<string, unknown[]>;
  openedAt: number;
  timer: NodeJS.Timeout;
}

export interface ThrottledLoggerOptions {
  windowMs?: number;
}

/**
 * A logger for failures that repeat: the first of a kind (same source, same failure fingerprint)
 * is printed at once; the repeats within the window are counted and printed as one line when the
 * window closes ("… (repeated N times in the last 10s)"). A failure that stops leaves nothing
 * behind; one that goes on prints one line per window. So a worker's output grows by at most a
 * couple of lines per window and source, however fast the failures come.
 */
export class ThrottledLogger {
  private readonly buckets = new Map<string, Bucket>();
  private readonly windowMs: number;

  constructor(
    private readonly log: Logger,
    opts: ThrottledLoggerOptions = {},
  ) {
    this.windowMs = opts.windowMs ?? DEFAULT_REPEAT_WINDOW_MS;
  }

  warn(source: string, error: unknown, fields: Record<string, unknown>, msg: string): void {
    this.report('warn', source, error, fields, msg);
  }

  error(source: string, error: unknown, fields: Record<string, unknown>, msg: string): void {
    this.report('error', source, error, fields, msg);
  }

  /** Prints what is still counted (at shutdown, so the last summary is not lost). */
  flush(): void {
    for (const [key, bucket] of this.buckets) {
      clearTimeout(bucket.timer);
      this.buckets.delete(key);
      this.summarise(bucket);
    }
  }

  private report(level: 'warn' | 'error', source: string, error: unknown, fields: Record<string, unknown>, msg: string): void {
    let key = `${source}\u0000${failureFingerprint(error)}`;
    if (!this.buckets.has(key) && this.buckets.size >= MAX_KEYS) key = '\u0000overflow';
    const existing = this.buckets.get(key);
    const err = messageOf(error);
    if (existing) {
      existing.count++;
      existing.lastError = err;
      remember(existing.seen, fields);
      return;
    }
    this.log[level]({ ...fields, source, err }, msg);
    this.open(key, { count: 0, lastError: err, level, msg, seen: remember(new Map(), { source, ...fields }), openedAt: Date.now() });
  }

  private open(key: string, bucket: Omit<Bucket, 'timer'>): void {
    const timer = setTimeout(() => this.close(key), this.windowMs);
    timer.unref(); // a pending summary never keeps the process alive
    this.buckets.set(key, { ...bucket, timer });
  }

  /** The window ended: summarise its repeats and keep counting for one more window, or forget a failure that stopped. */
  private close(key: string): void {
    const bucket = this.buckets.get(key);
    if (!bucket) return;
    this.buckets.delete(key);
    if (bucket.count === 0) return;
    this.summarise(bucket);
    this.open(key, { ...bucket, count: 0, seen: new Map([...bucket.seen].map(([k, v]) => [k, v.slice(0, 1)])), openedAt: Date.now() });
  }

  private summarise(bucket: Omit<Bucket, 'timer'>): void {
    if (bucket.count === 0) return;
    const seconds = Math.max(1, Math.round((Date.now() - bucket.openedAt) / 1000));
    const fields = Object.fromEntries([...bucket.seen].map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
    this.log[bucket.level](
      { ...fields, err: bucket.lastError, repeated: bucket.count, window_s: seconds },
      `${bucket.msg} (repeated ${bucket.count} times in the last ${seconds}s)`,
    );
  }
}

function remember(seen: Map<string, unknown[]>, fields: Record<string, unknown>): Map<string, unknown[]> {
  for (const [k, v] of Object.entries(fields)) {
    const values = seen.get(k) ?? [];
    if (values.length < MAX_VALUES && !values.includes(v)) values.push(v);
    seen.set(k, values);
  }
  return seen;
}
