import { randomUUID } from 'node:crypto';
import { BudgetExhaustedError } from '@ktrdr/errors';
import type { Redis } from 'ioredis';
import { RedisKeys } from './redis-keys.js';

/**
 * The daily LLM spend ledger (`GET /agent/budget`, 429 `budget_exhausted`), shared by every
 * API and worker replica through Redis. One hash per UTC day holds what was spent; a call first
 * **reserves** an upper-bound estimate of its cost, then **records** its real usage (or releases the
 * reservation when it failed). A reservation is granted only while `spent + reserved < limit`, so
 * with honest estimates several workers spending at once overshoot the limit by at most one call.
 * Reservations expire (a worker that died mid-call does not hold budget forever).
 */

export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
}

export interface BudgetStatus {
  /** UTC day, YYYY-MM-DD. */
  date: string;
  spent_usd: number;
  /** The configured daily limit; 0 means no limit. */
  limit_usd: number;
  /** null when there is no limit. */
  remaining_usd: number | null;
  input_tokens: number;
  output_tokens: number;
  calls: number;
  enabled: boolean;
}

export interface BudgetLedgerOptions {
  /** KTRDR_DAILY_BUDGET_USD; 0 turns the limit off (spend is still recorded). */
  limitUsd: number;
  /** Injected clock (ms since epoch) for day rollover in tests. */
  now?: () => number;
  /** A reservation not recorded or released within this time stops counting (default 15 min). */
  reservationTtlMs?: number;
  /** Days a day's totals are kept (default 35). */
  retentionDays?: number;
}

/** Spend held for one in-flight call; settle it exactly once with `record` or `release`. */
export interface BudgetReservation {
  readonly id: string;
  readonly estimate_usd: number;
  record(usage: TokenUsage, costUsd: number): Promise<BudgetStatus>;
  release(): Promise<void>;
}

// KEYS: day hash, reservations zset, reserved-usd hash.
// ARGV: now_ms, limit_usd, estimate_usd, reservation id, expires_at_ms.
// Returns {granted 0|1, spent_usd, reserved_usd}.
const RESERVE_SCRIPT = `
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
for _, id in ipairs(expired) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
end
local spent = tonumber(redis.call('HGET', KEYS[1], 'spent_usd') or '0')
local limit = tonumber(ARGV[2])
local reserved = 0
for _, v in ipairs(redis.call('HVALS', KEYS[3])) do reserved = reserved + tonumber(v) end
if limit > 0 and spent + reserved >= limit then
  return {0, tostring(spent), tostring(reserved)}
end
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[4], ARGV[3])
return {1, tostring(spent), tostring(reserved)}
`;

// KEYS: day hash, reservations zset, reserved-usd hash.
// ARGV: reservation id ('' for none), cost_usd, input_tokens, output_tokens, retention seconds.
const RECORD_SCRIPT = `
if ARGV[1] ~= '' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[3], ARGV[1])
end
redis.call('HINCRBYFLOAT', KEYS[1], 'spent_usd', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'input_tokens', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'output_tokens', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'calls', 1)
redis.call('EXPIRE', KEYS[1], ARGV[5])
return redis.call('HGETALL', KEYS[1])
`;

const DAY_MS = 86_400_000;

/** YYYY-MM-DD of the UTC day containing `ms`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Dollars rounded to micro-dollars, so float sums (HINCRBYFLOAT) read as the numbers people expect. */
const usd = (n: number): number => Math.round(n * 1e6) / 1e6;

function nonNegativeInt(n: number, what: string): number {
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`${what} must be a non-negative number, got ${n}`);
  return Math.round(n);
}

function nonNegative(n: number, what: string): number {
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`${what} must be a non-negative number, got ${n}`);
  return n;
}

export class BudgetLedger {
  private readonly keys: RedisKeys;
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly retentionSeconds: number;
  readonly limitUsd: number;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    options: BudgetLedgerOptions,
  ) {
    this.keys = new RedisKeys(prefix);
    this.limitUsd = nonNegative(options.limitUsd, 'limitUsd');
    this.now = options.now ?? Date.now;
    this.ttlMs = options.reservationTtlMs ?? 15 * 60_000;
    this.retentionSeconds = Math.ceil(((options.retentionDays ?? 35) * DAY_MS) / 1000);
  }

  get enabled(): boolean {
    return this.limitUsd > 0;
  }

  /** Today's totals (UTC). */
  async status(): Promise<BudgetStatus> {
    const date = utcDay(this.now());
    const h = await this.redis.hgetall(this.keys.budgetDay(date));
    return this.toStatus(date, h);
  }

  /** True when the limit is on and today's recorded spend has reached it. */
  isExhausted(status: BudgetStatus): boolean {
    return status.enabled && status.spent_usd >= status.limit_usd;
  }

  /** Throws BudgetExhaustedError when today's budget is spent; returns today's status otherwise. */
  async assertAvailable(): Promise<BudgetStatus> {
    const status = await this.status();
    if (this.isExhausted(status)) throw new BudgetExhaustedError({ date: status.date, spent_usd: status.spent_usd, limit_usd: status.limit_usd });
    return status;
  }

  /**
   * Holds `estimateUsd` (an upper bound of the call's cost) until the call is recorded or released.
   * Refused with BudgetExhaustedError when spent plus in-flight reservations already reach the limit.
   */
  async reserve(estimateUsd: number): Promise<BudgetReservation> {
    nonNegative(estimateUsd, 'estimateUsd');
    const now = this.now();
    const date = utcDay(now);
    const id = randomUUID();
    const [granted, spent, reserved] = (await this.redis.eval(
      RESERVE_SCRIPT,
      3,
      this.keys.budgetDay(date),
      this.keys.budgetReservations(),
      this.keys.budgetReservedUsd(),
      String(now),
      String(this.limitUsd),
      String(estimateUsd),
      id,
      String(now + this.ttlMs),
    )) as [number, string, string];
    if (granted !== 1) {
      const spentUsd = usd(Number(spent));
      const reservedUsd = usd(Number(reserved));
      throw new BudgetExhaustedError({
        date,
        spent_usd: spentUsd,
        limit_usd: this.limitUsd,
        ...(spentUsd < this.limitUsd ? { reserved_usd: reservedUsd } : {}),
      });
    }
    let settled = false;
    const settle = (): void => {
      if (settled) throw new Error(`budget reservation ${id} was already settled`);
      settled = true;
    };
    return {
      id,
      estimate_usd: estimateUsd,
      record: (usage, costUsd) => {
        settle();
        return this.write(id, usage, costUsd);
      },
      release: async () => {
        settle();
        await this.redis.multi().zrem(this.keys.budgetReservations(), id).hdel(this.keys.budgetReservedUsd(), id).exec();
      },
    };
  }

  /** Records a call's real usage and cost on today's totals (without a reservation). */
  record(usage: TokenUsage, costUsd: number): Promise<BudgetStatus> {
    return this.write('', usage, costUsd);
  }

  private async write(reservationId: string, usage: TokenUsage, costUsd: number): Promise<BudgetStatus> {
    // Spend counts on the day it is recorded: the day the tokens were actually billed.
    const date = utcDay(this.now());
    const flat = (await this.redis.eval(
      RECORD_SCRIPT,
      3,
      this.keys.budgetDay(date),
      this.keys.budgetReservations(),
      this.keys.budgetReservedUsd(),
      reservationId,
      String(nonNegative(costUsd, 'costUsd')),
      String(nonNegativeInt(usage.input_tokens, 'input_tokens')),
      String(nonNegativeInt(usage.output_tokens, 'output_tokens')),
      String(this.retentionSeconds),
    )) as string[];
    const h: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
    return this.toStatus(date, h);
  }

  private toStatus(date: string, h: Record<string, string>): BudgetStatus {
    const spent = usd(Number(h['spent_usd'] ?? 0));
    return {
      date,
      spent_usd: spent,
      limit_usd: this.limitUsd,
      remaining_usd: this.enabled ? usd(Math.max(0, this.limitUsd - spent)) : null,
      input_tokens: Number(h['input_tokens'] ?? 0),
      output_tokens: Number(h['output_tokens'] ?? 0),
      calls: Number(h['calls'] ?? 0),
      enabled: this.enabled,
    };
  }
}
