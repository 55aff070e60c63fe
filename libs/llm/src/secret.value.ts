import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * Holds a credential so that logging or serialising whatever contains it (a config object, an
 * error's details, a job payload) prints `[redacted]`: JSON.stringify, util.inspect (console, pino's
 * fallbacks) and string conversion all see the placeholder. Only `reveal()` returns the value,
 * and only the Claude client constructor calls it.
 */
export class SecretValue {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
