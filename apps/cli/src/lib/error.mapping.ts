/**
 * The single place where failures become what the user sees: one line on stderr (or a JSON error
 * object with --json) and an exit code. Commands never print errors themselves; they throw, and
 * KtrdrCommand.catch() calls describeError().
 *
 * Exit codes:
 *   0   success, and documented "nothing to do" outcomes (e.g. no active cycle to cancel)
 *   1   the API refused or failed the request (4xx/5xx), or the followed operation failed/was cancelled
 *   2   the API could not be reached / did not answer / KTRDR_API_URL is unusable
 *   130 interrupted with Ctrl+C while following with --cancel-on-interrupt
 */
import { ApiError, ClientErrorCode } from './api.error.js';

export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Unreachable: 2,
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorJson {
  code: string;
  status: number | null;
  message: string;
  details?: unknown;
}

export interface ErrorReport {
  /** The one line printed on stderr, starting with "Error: ". */
  line: string;
  exitCode: ExitCode;
  json: ErrorJson;
}

const MAX_DETAIL_FIELDS = 5;

export function describeError(error: unknown): ErrorReport {
  if (error instanceof ApiError) return describeApiError(error);
  const message = error instanceof Error && error.message ? error.message : String(error);
  const text = `unexpected failure: ${oneLine(message)}`;
  return { line: `Error: ${text}`, exitCode: ExitCode.Failure, json: { code: 'internal', status: null, message: text } };
}

function describeApiError(error: ApiError): ErrorReport {
  const json = error.toJSON();
  switch (error.code) {
    case ClientErrorCode.Unreachable:
    case ClientErrorCode.Timeout:
      return { line: `Error: ${oneLine(error.message)}`, exitCode: ExitCode.Unreachable, json };
    case ClientErrorCode.BadConfig:
      // The configuration report keeps its list form, as the API, worker and launcher print it.
      return { line: `ktrdr: ${error.message}`, exitCode: ExitCode.Unreachable, json };
    case ClientErrorCode.Aborted:
      return { line: 'Error: interrupted', exitCode: ExitCode.Interrupted, json };
    default:
      break;
  }
  let text = oneLine(error.message);
  if (error.status !== null && error.status >= 500) {
    text = `the ktrdr API failed: ${text} (HTTP ${error.status})`;
  } else if (error.status === 422) {
    const fields = fieldIssues(error.details).filter((f) => !text.includes(f));
    if (fields.length > 0) text = `${text} (${fields.join('; ')})`;
  }
  return { line: `Error: ${text}`, exitCode: ExitCode.Failure, json: { ...json, message: text } };
}

/**
 * Validation failures name each bad field. The envelope's `details` is read leniently:
 * an array of `{field|path, message}` items (or strings), possibly nested under
 * `errors`/`fields`/`issues`. Other detail objects (e.g. `{field, strategy}` context) are not issues.
 */
export function fieldIssues(details: unknown): string[] {
  const out: string[] = [];
  const push = (field: unknown, message: unknown): void => {
    const name = Array.isArray(field) ? field.join('.') : typeof field === 'string' ? field : '';
    const msg = Array.isArray(message) ? message.join(', ') : typeof message === 'string' ? message : '';
    if (msg) out.push(name ? `${name}: ${oneLine(msg)}` : oneLine(msg));
  };
  if (Array.isArray(details)) {
    for (const item of details) {
      if (typeof item === 'string') push('', item);
      else if (item && typeof item === 'object') {
        const rec = item as Record<string, unknown>;
        push(rec['field'] ?? rec['path'] ?? rec['loc'], rec['message'] ?? rec['msg']);
      }
    }
  } else if (details && typeof details === 'object') {
    const rec = details as Record<string, unknown>;
    const nested = rec['errors'] ?? rec['fields'] ?? rec['issues'];
    if (Array.isArray(nested)) return fieldIssues(nested);
  }
  return out.slice(0, MAX_DETAIL_FIELDS);
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
