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
  cancelChannel(): string {
    return `${this.prefix}:cancel`;
  }
  /** Capped list where workers record when aborted compute actually stopped (read by the bench). */
  computeStopped(): string {
    return `${this.prefix}:telemetry:compute-stopped`;
  }
}
