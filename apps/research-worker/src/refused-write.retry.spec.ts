import { describeRedisFailure, isTransientRedisFailure, redisFailureKind } from '@ktrdr/runtime';
import { retryRefusedWrite } from './refused-write.retry';

const OOM = "OOM command not allowed when used memory > 'maxmemory'. script: 1a04f3e1cf7c2d61090faa5e137cd71ace5b6e3b, on @user_script:6.";
const policy = { budgetMs: 1000, firstDelayMs: 5, maxDelayMs: 20 };

describe('Redis failures', () => {
  it('tell a refusal or a lost connection (transient) from anything else', () => {
    expect(redisFailureKind(new Error(OOM))).toEqual({ kind: 'refused', reply: 'OOM' });
    expect(redisFailureKind(new Error("READONLY You can't write against a read only replica."))).toEqual({ kind: 'refused', reply: 'READONLY' });
    expect(redisFailureKind(new Error('LOADING Redis is loading the dataset in memory'))).toEqual({ kind: 'refused', reply: 'LOADING' });
    expect(redisFailureKind(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toEqual({
      kind: 'unreachable',
      code: 'ECONNREFUSED',
    });
    expect(isTransientRedisFailure(new Error('Connection is closed.'))).toBe(true);
    expect(isTransientRedisFailure(new Error('ERR wrong number of arguments'))).toBe(false);
    expect(isTransientRedisFailure(new Error('the training result is malformed: OOM'))).toBe(false);
  });

  it('read as an operator reads them, without the script hash', () => {
    expect(describeRedisFailure(new Error(OOM))).toBe("Redis refused writes (OOM command not allowed when used memory > 'maxmemory')");
    expect(describeRedisFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe(
      'Redis unreachable (connect ECONNREFUSED 127.0.0.1:1)',
    );
  });
});

describe('retryRefusedWrite', () => {
  it('retries a refused write until it lands, reporting each refusal', async () => {
    let calls = 0;
    const refusals: number[] = [];
    const out = await retryRefusedWrite(
      async () => {
        if (++calls < 4) throw new Error(OOM);
        return 'landed';
      },
      { policy, onRefused: (_e, attempt) => refusals.push(attempt) },
    );
    expect(out).toBe('landed');
    expect(refusals).toEqual([1, 2, 3]);
  });

  it('throws any other error at once, and a refusal once the budget is spent', async () => {
    let calls = 0;
    await expect(
      retryRefusedWrite(
        async () => {
          calls++;
          throw new Error('ERR unknown command');
        },
        { policy },
      ),
    ).rejects.toThrow('ERR unknown command');
    expect(calls).toBe(1);
    const started = Date.now();
    await expect(
      retryRefusedWrite(
        async () => {
          throw new Error(OOM);
        },
        { policy: { budgetMs: 100, firstDelayMs: 5, maxDelayMs: 20 } },
      ),
    ).rejects.toThrow(/^OOM/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('once its signal is aborted, makes one more attempt and then gives up', async () => {
    const controller = new AbortController();
    let calls = 0;
    const pending = retryRefusedWrite(
      async () => {
        calls++;
        throw new Error(OOM);
      },
      { policy: { budgetMs: 60_000, firstDelayMs: 10_000, maxDelayMs: 10_000 }, signal: controller.signal },
    );
    await new Promise((r) => setImmediate(r));
    controller.abort('received SIGTERM');
    await expect(pending).rejects.toThrow(/^OOM/);
    expect(calls).toBe(2);
  });
});
