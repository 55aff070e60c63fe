import { messageOf } from '@ktrdr/errors';

/**
 * Replies with which Redis refuses a command for now and would take it later: out of memory under
 * `noeviction` (OOM), a replica or a failover (READONLY, MASTERDOWN, CLUSTERDOWN, TRYAGAIN), a server
 * loading its dataset (LOADING), a failed background save blocking writes (MISCONF), a busy script (BUSY).
 */
const REFUSAL_REPLY = /^(?:ERR )?(OOM|READONLY|LOADING|MISCONF|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|NOREPLICAS)\b/;
/** Socket-level failures: Redis is unreachable, not refusing. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const CONNECTION_MESSAGES =
  /^(Connection is closed|Stream isn't writeable|Reached the max retries per request limit|connect ETIMEDOUT|Socket closed unexpectedly)/i;

export type RedisFailureKind = { kind: 'refused'; reply: string } | { kind: 'unreachable'; code: string } | { kind: 'other' };

/** What kind of Redis failure `error` is: refused (and which reply), unreachable, or anything else. */
export function redisFailureKind(error: unknown): RedisFailureKind {
  const message = messageOf(error);
  const reply = REFUSAL_REPLY.exec(message);
  if (reply) return { kind: 'refused', reply: reply[1]! };
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return { kind: 'unreachable', code };
  if (CONNECTION_MESSAGES.test(message)) return { kind: 'unreachable', code: message.split(/[.:]/)[0]! };
  return { kind: 'other' };
}

/** A failure that goes away by itself once Redis takes writes again: worth a retry, not a verdict. */
export function isTransientRedisFailure(error: unknown): boolean {
  return redisFailureKind(error).kind !== 'other';
}

/**
 * The failure as an operator reads it in a record: `Redis refused writes (OOM command not allowed …)`.
 * Script replies carry the script's hash and line, which say nothing to a reader and are cut.
 */
export function describeRedisFailure(error: unknown): string {
  const failure = redisFailureKind(error);
  const message = messageOf(error)
    .replace(/\.?\s*script: [0-9a-f]+, on @user_script:\d+\.?$/, '')
    .trim();
  if (failure.kind === 'refused') return `Redis refused writes (${message})`;
  if (failure.kind === 'unreachable') return `Redis unreachable (${message})`;
  return message;
}

/**
 * A key that is the same for repeats of one failure: the kind for Redis refusals and lost
 * connections (whose messages differ only in ports, hashes and job ids), else the message with its
 * numbers and ids folded, so "could not renew lock for job op_a" and "… op_b" count as one.
 */
export function failureFingerprint(error: unknown): string {
  const failure = redisFailureKind(error);
  if (failure.kind === 'refused') return `refused:${failure.reply}`;
  if (failure.kind === 'unreachable') return 'unreachable';
  return messageOf(error)
    .replace(/\bop_[A-Za-z0-9_]+/g, 'op_*')
    .replace(/[0-9a-f]{8,}/gi, '#')
    .replace(/\d+/g, '#')
    .slice(0, 200);
}
