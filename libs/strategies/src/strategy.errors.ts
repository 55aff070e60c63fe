import { ErrorCode, KtrdrError } from '@ktrdr/errors';

/** How many schema errors the message names; `details.errors` has them all. */
const SHOWN_ERRORS = 5;

const shown = (name: string): string => (name.length > 80 ? `${name.slice(0, 80)}…` : name);

/** No `strategies/{name}.yaml`. The message is the contract's (`Strategy not found: {name}`). */
export class StrategyNotFoundError extends KtrdrError {
  constructor(readonly strategy: string) {
    super(ErrorCode.StrategyNotFound, `Strategy not found: ${shown(strategy)}`, { field: 'strategy', strategy: shown(strategy) });
  }
}

/** The file exists but fails the v3 schema; the message names the file and the first problems (each with its path). */
export class StrategyInvalidError extends KtrdrError {
  constructor(
    readonly strategy: string,
    readonly path: string,
    readonly errors: readonly string[],
  ) {
    const first = errors.slice(0, SHOWN_ERRORS).join('; ');
    const more = errors.length > SHOWN_ERRORS ? ` (and ${errors.length - SHOWN_ERRORS} more)` : '';
    super(ErrorCode.StrategyInvalid, `Strategy ${strategy} is invalid (${path}): ${first}${more}`, { strategy, path, errors: [...errors] });
  }
}

/** A name that can never be a stored strategy (path separators, dots, empty, too long, …). */
export class StrategyNameError extends KtrdrError {
  constructor(readonly strategy: string) {
    // Worded like request validation (`field: message`), so clients that append field issues find them already said.
    const message = 'letters, digits, "_" and "-" only (1-64 characters)';
    super(ErrorCode.ValidationFailed, `Invalid strategy name "${shown(strategy)}" (name: ${message})`, { errors: [{ field: 'name', message }] });
  }
}

/** An import under a name the store already holds with other content: stored strategies are never replaced. */
export class StrategyExistsError extends KtrdrError {
  constructor(readonly strategy: string) {
    super(ErrorCode.StrategyExists, `Strategy ${shown(strategy)} already exists with other content; import it under another name (its name: field)`, {
      strategy: shown(strategy),
    });
  }
}
