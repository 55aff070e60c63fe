import { ErrorCode, KtrdrError } from '@ktrdr/errors';

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
    const first = errors.slice(0, 3).join('; ');
    const more = errors.length > 3 ? ` (and ${errors.length - 3} more)` : '';
    super(ErrorCode.StrategyInvalid, `Strategy ${strategy} is invalid (${path}): ${first}${more}`, { strategy, path, errors: [...errors] });
  }
}

/** A name that can never be a stored strategy (path separators, dots, empty, too long, …). */
export class StrategyNameError extends KtrdrError {
  constructor(readonly strategy: string) {
    const message = 'a strategy name uses only letters, digits, "_" and "-" (1-64 characters)';
    super(ErrorCode.ValidationFailed, `Invalid strategy name "${shown(strategy)}": ${message}`, { errors: [{ field: 'name', message }] });
  }
}
