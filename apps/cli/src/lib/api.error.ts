/**
 * The one error type the API client throws. `code` is the API's error code (`not_found`,
 * `validation_error`, `not_cancellable`, …) or one of the client-side codes below; `status` is the
 * HTTP status, null when no response arrived. How each one reaches the user (line + exit code) is
 * decided in error.mapping.ts, nowhere else.
 */
export const ClientErrorCode = {
  /** No connection could be made (refused, DNS, reset, …). */
  Unreachable: 'api_unreachable',
  /** The API accepted the connection but did not answer in time. */
  Timeout: 'api_timeout',
  /** The API answered with something that is not the documented shape. */
  BadResponse: 'bad_response',
  /** KTRDR_API_URL is not a usable URL. */
  BadConfig: 'bad_config',
  /** The request was aborted by the caller (Ctrl+C while following). */
  Aborted: 'aborted',
} as const;

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    /** API error code or a ClientErrorCode. */
    readonly code: string,
    /** HTTP status, or null when no response arrived. */
    readonly status: number | null,
    message: string,
    /** The envelope's `details` or the raw body, for --json output. */
    readonly details?: unknown,
  ) {
    super(message);
  }

  toJSON(): { code: string; status: number | null; message: string; details?: unknown } {
    return {
      code: this.code,
      status: this.status,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}
