import type { ErrorCode } from './error-codes.js';

export type ErrorDetails = Record<string, unknown>;

/** Base of every typed ktrdr error: a stable code, a human message, optional structured details. */
export class KtrdrError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export function isKtrdrError(value: unknown): value is KtrdrError {
  return value instanceof KtrdrError;
}

/** The message of anything thrown, without a stack, for user-facing text. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
