import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import type { z } from 'zod';

/**
 * Parses request input with a zod schema; failures become one 422 that names every bad field
 * (`details.errors: [{field, message}]`) instead of a 500 or a first-error-only reply.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, where: 'body' | 'query' | 'params'): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.map((i) => ({
    field: i.path.length ? i.path.join('.') : where,
    message: i.code === 'unrecognized_keys' ? `unknown field(s): ${(i as { keys: string[] }).keys.join(', ')}` : i.message,
  }));
  const summary = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  throw new KtrdrError(ErrorCode.ValidationFailed, `Invalid ${where}: ${summary}`, { errors });
}

/** With bodyParser on, a request without a body arrives as `{}` (or undefined): treat both as "no body". */
export function isEmptyBody(body: unknown): boolean {
  return body === undefined || body === null || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0);
}
