import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** Access control settings, validated once in api.config.ts. */
export interface AuthConfig {
  /** `KTRDR_API_TOKEN`; null = no token (allowed on loopback, or with `allowOpen`). */
  token: string | null;
  /** `KTRDR_ALLOW_OPEN_API=true`: listen on a non-loopback address without a token, on purpose. */
  allowOpen: boolean;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Constant-time token check. Both sides are hashed first so `timingSafeEqual` always compares
 * equal-length buffers: neither the content nor the length of the expected token leaks through timing.
 */
export function tokenMatches(expected: string | Buffer, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  return timingSafeEqual(typeof expected === 'string' ? digest(expected) : expected, digest(given));
}

/** The expected token's digest, computed once per process rather than once per request. */
export function tokenDigest(token: string): Buffer {
  return digest(token);
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value ?? '');
  return m ? m[1]! : null;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1' || h === '::ffff:127.0.0.1';
}

/**
 * The boot refusal: listening beyond loopback without a token would let anyone on the network start
 * cycles that spend the LLM budget or cancel other people's work. Returns the message to exit with, or null.
 */
export function listenRefusal(host: string, auth: AuthConfig): string | null {
  if (auth.token || auth.allowOpen || isLoopback(host)) return null;
  return (
    `refusing to listen on ${host} without an API token. Set KTRDR_API_TOKEN (e.g. \`openssl rand -hex 32\`), ` +
    `or KTRDR_API_HOST=127.0.0.1 to stay on this machine, or KTRDR_ALLOW_OPEN_API=true to serve an open API on purpose.`
  );
}
