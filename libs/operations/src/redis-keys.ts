/**
 * Key layout of the operation store. Every key shares the `{ops}` hash tag so the Lua scripts,
 * which touch several keys, stay on one slot of a clustered Redis.
 */
export class RedisKeys {
  readonly base: string;

  constructor(readonly prefix: string) {
    this.base = `${prefix}:{ops}:`;
  }

  op(id: string): string {
    return `${this.base}op:${id}`;
  }
  children(id: string): string {
    return `${this.base}children:${id}`;
  }
  all(): string {
    return `${this.base}idx:all`;
  }
  byType(type: string): string {
    return `${this.base}idx:type:${type}`;
  }
  byStatus(status: string): string {
    return `${this.base}idx:status:${status}`;
  }
  active(type?: string): string {
    return type ? `${this.base}idx:active:${type}` : `${this.base}idx:active`;
  }
  finished(type: string): string {
    return `${this.base}idx:done:${type}`;
  }
  /** Hash of an operation's JSON artifacts, one field per artifact name; expires as a whole. */
  artifacts(id: string): string {
    return `${this.base}art:${id}`;
  }
  /**
   * Pub/sub channel on which the store's scripts announce changed operation ids (space-separated;
   * a child's change names its parent too). A channel, not a key: it is derived from `base` only so
   * the Lua scripts can name it without an extra argument.
   */
  eventsChannel(): string {
    return `${this.base}events`;
  }
  cancelChannel(): string {
    return `${this.prefix}:cancel`;
  }
  /** Capped list where workers record when aborted compute actually stopped (read by the bench). */
  computeStopped(): string {
    return `${this.prefix}:telemetry:compute-stopped`;
  }
  /**
   * LLM spend of one UTC day (YYYY-MM-DD): a hash of spent_usd, tokens and calls. The budget keys
   * share their own `{budget}` hash tag so the ledger's scripts stay on one slot of a clustered Redis.
   */
  budgetDay(date: string): string {
    return `${this.prefix}:{budget}:day:${date}`;
  }
  /** Sorted set of in-flight spend reservations (member: reservation id, score: expiry in ms). */
  budgetReservations(): string {
    return `${this.prefix}:{budget}:reservations`;
  }
  /** Hash of each in-flight reservation's estimated cost in USD (field: reservation id). */
  budgetReservedUsd(): string {
    return `${this.prefix}:{budget}:reserved-usd`;
  }
}
