import { BudgetExhaustedError, ErrorCode } from '@ktrdr/errors';
import { Redis } from 'ioredis';
import { BudgetLedger, utcDay } from './budget.ledger';

let redis: Redis;
let n = 0;
/** A private key prefix per test, so tests never see each other's spend. */
const freshPrefix = (): string => `it_budget_${process.pid}_${Date.now()}_${n++}`;
const prefixes: string[] = [];
function ledger(opts: ConstructorParameters<typeof BudgetLedger>[2], prefix = freshPrefix()): BudgetLedger {
  prefixes.push(prefix);
  return new BudgetLedger(redis, prefix, opts);
}

beforeAll(() => {
  redis = new Redis(process.env['REDIS_URL']!);
});

afterAll(async () => {
  for (const p of prefixes) {
    const keys = await redis.keys(`${p}:*`);
    if (keys.length) await redis.del(...keys);
  }
  await redis.quit();
});

const T0 = Date.parse('2026-03-10T23:59:50Z');

describe('BudgetLedger on a real Redis', () => {
  it('starts the day empty and accumulates recorded usage and cost', async () => {
    const l = ledger({ limitUsd: 5, now: () => T0 });
    expect(await l.status()).toEqual({
      date: '2026-03-10',
      spent_usd: 0,
      limit_usd: 5,
      remaining_usd: 5,
      input_tokens: 0,
      output_tokens: 0,
      calls: 0,
      enabled: true,
    });
    const r = await l.reserve(0.5);
    const after = await r.record({ input_tokens: 1200, output_tokens: 800 }, 0.0156);
    expect(after).toMatchObject({ spent_usd: 0.0156, remaining_usd: 4.9844, input_tokens: 1200, output_tokens: 800, calls: 1 });
    await l.record({ input_tokens: 100, output_tokens: 50 }, 0.1);
    await l.record({ input_tokens: 200, output_tokens: 50 }, 0.2);
    // HINCRBYFLOAT would show 0.30000000000000004-style sums; the ledger reads back micro-dollars.
    expect(await l.status()).toMatchObject({ spent_usd: 0.3156, input_tokens: 1500, output_tokens: 900, calls: 3 });
  });

  it('refuses a reservation once spend reaches the limit, with a message naming the numbers', async () => {
    const l = ledger({ limitUsd: 1, now: () => T0 });
    await l.record({ input_tokens: 10, output_tokens: 10 }, 1.25);
    const refused = await l.reserve(0.1).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BudgetExhaustedError);
    expect((refused as BudgetExhaustedError).code).toBe(ErrorCode.BudgetExhausted);
    expect((refused as Error).message).toBe('Daily LLM budget exhausted: $1.2500 of $1.00 spent on 2026-03-10 (UTC); it resets at 00:00 UTC');
    await expect(l.assertAvailable()).rejects.toBeInstanceOf(BudgetExhaustedError);
    expect(l.isExhausted(await l.status())).toBe(true);
  });

  it('counts in-flight reservations against the limit and frees them on release', async () => {
    const l = ledger({ limitUsd: 1, now: () => T0 });
    const a = await l.reserve(0.6);
    const b = await l.reserve(0.6); // granted: 0 spent + 0.6 held < 1
    const refused = await l.reserve(0.01).catch((e: unknown) => e);
    expect((refused as Error).message).toContain('held by calls in flight');
    await a.release();
    await b.release();
    const c = await l.reserve(0.01);
    await c.record({ input_tokens: 1, output_tokens: 1 }, 0.01);
    await expect(c.release()).rejects.toThrow(/already settled/);
    expect((await l.status()).spent_usd).toBe(0.01);
  });

  it('lets 20 concurrent reserve+record calls overshoot the limit by at most one call', async () => {
    const limit = 1;
    const cost = 0.15;
    const prefix = freshPrefix();
    const l = ledger({ limitUsd: limit, now: () => T0 }, prefix);
    // Two workers: two connections, so their commands really interleave on the server.
    const other = new Redis(process.env['REDIS_URL']!);
    const l2 = new BudgetLedger(other, prefix, { limitUsd: limit, now: () => T0 });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        try {
          const r = await (i % 2 ? l2 : l).reserve(cost);
          // The call itself: yield so that other reservations interleave with this one.
          await new Promise((res) => setImmediate(res));
          await r.record({ input_tokens: 1000, output_tokens: 1000 }, cost);
          return 'spent';
        } catch (e) {
          if (e instanceof BudgetExhaustedError) return 'refused';
          throw e;
        }
      }),
    ).finally(() => other.quit());
    const status = await l.status();
    const spentCalls = outcomes.filter((o) => o === 'spent').length;
    expect(status.calls).toBe(spentCalls);
    expect(spentCalls).toBe(Math.ceil(limit / cost)); // 7: the seventh starts at 0.90 < 1
    expect(status.spent_usd).toBeGreaterThanOrEqual(limit);
    expect(status.spent_usd).toBeLessThanOrEqual(limit + cost);
    expect(outcomes.filter((o) => o === 'refused')).toHaveLength(20 - spentCalls);
  });

  it('rolls over at midnight UTC: a new day starts empty, the old one keeps its totals', async () => {
    let now = T0;
    const l = ledger({ limitUsd: 1, now: () => now });
    await l.record({ input_tokens: 5, output_tokens: 5 }, 1);
    await expect(l.reserve(0.1)).rejects.toBeInstanceOf(BudgetExhaustedError);
    now = T0 + 15_000; // 2026-03-11T00:00:05Z
    expect(utcDay(now)).toBe('2026-03-11');
    expect(await l.status()).toMatchObject({ date: '2026-03-11', spent_usd: 0, calls: 0, remaining_usd: 1 });
    const r = await l.reserve(0.1);
    await r.record({ input_tokens: 1, output_tokens: 1 }, 0.1);
    now = T0;
    expect(await l.status()).toMatchObject({ date: '2026-03-10', spent_usd: 1, calls: 1 });
  });

  it('stops counting a reservation its holder never settled once it expires', async () => {
    let now = T0;
    const l = ledger({ limitUsd: 1, now: () => now, reservationTtlMs: 60_000 });
    await l.reserve(2); // a worker that died mid-call
    await expect(l.reserve(0.1)).rejects.toBeInstanceOf(BudgetExhaustedError);
    now += 60_001;
    await expect(l.reserve(0.1)).resolves.toMatchObject({ estimate_usd: 0.1 });
  });

  it('with limit 0 never refuses but still records spend', async () => {
    const l = ledger({ limitUsd: 0, now: () => T0 });
    await l.record({ input_tokens: 10, output_tokens: 10 }, 123);
    const r = await l.reserve(50);
    await r.record({ input_tokens: 1, output_tokens: 1 }, 50);
    expect(await l.status()).toMatchObject({ enabled: false, limit_usd: 0, remaining_usd: null, spent_usd: 173, calls: 2 });
    expect(l.isExhausted(await l.status())).toBe(false);
  });

  it('rejects negative or non-finite amounts before touching Redis', async () => {
    const l = ledger({ limitUsd: 1, now: () => T0 });
    await expect(l.reserve(-1)).rejects.toThrow(RangeError);
    await expect(l.record({ input_tokens: 1, output_tokens: 1 }, Number.NaN)).rejects.toThrow(RangeError);
    expect((await l.status()).calls).toBe(0);
  });
});
