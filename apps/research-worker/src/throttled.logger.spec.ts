import type { Logger } from '@ktrdr/runtime';
import { ThrottledLogger } from './throttled.logger';

const oom = () => new Error("OOM command not allowed when used memory > 'maxmemory'. script: 1a04f3e1cf7c2d61090faa5e137cd71ace5b6e3b, on @user_script:6.");
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });

function recorder() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => lines.push({ level, fields, msg });
  return { lines, log: { warn: at('warn'), error: at('error'), info: at('info') } as unknown as Logger };
}

describe('ThrottledLogger', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('prints the first of a failure at once and one summary per window for its repeats, however many', () => {
    const { lines, log } = recorder();
    const failures = new ThrottledLogger(log, { windowMs: 10_000 });
    for (let i = 0; i < 5000; i++) failures.error('worker', oom(), { queue: i % 2 ? 'research' : 'training' }, 'worker error');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'worker error', fields: { source: 'worker', queue: 'training' } });
    jest.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(2);
    // The repeats' queues are listed, not one line each.
    expect(lines[1]).toMatchObject({
      level: 'error',
      msg: 'worker error (repeated 4999 times in the last 10s)',
      fields: { repeated: 4999, queue: ['training', 'research'] },
    });
    // Still failing: one more line per window; then quiet, and forgotten.
    for (let i = 0; i < 300; i++) failures.error('worker', oom(), { queue: 'training' }, 'worker error');
    jest.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(3);
    expect(lines[2]!.msg).toBe('worker error (repeated 300 times in the last 10s)');
    jest.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(3);
    failures.error('worker', oom(), { queue: 'training' }, 'worker error');
    expect(lines).toHaveLength(4);
    expect(lines[3]!.msg).toBe('worker error');
  });

  it('keeps different failures and sources apart, folds ids and ports, and flushes what is pending', () => {
    const { lines, log } = recorder();
    const failures = new ThrottledLogger(log, { windowMs: 10_000 });
    failures.warn('redis', refused(), { connection: 'a' }, 'redis connection error');
    failures.warn(
      'redis',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7000'), { code: 'ECONNREFUSED' }),
      { connection: 'b' },
      'redis connection error',
    );
    failures.warn('redis', oom(), {}, 'redis connection error');
    failures.error('worker', new Error('could not renew lock for job op_training_1'), {}, 'worker error');
    failures.error('worker', new Error('could not renew lock for job op_training_2'), {}, 'worker error');
    expect(lines.map((l) => l.fields['err'])).toEqual([
      'connect ECONNREFUSED 127.0.0.1:6379',
      "OOM command not allowed when used memory > 'maxmemory'. script: 1a04f3e1cf7c2d61090faa5e137cd71ace5b6e3b, on @user_script:6.",
      'could not renew lock for job op_training_1',
    ]);
    jest.advanceTimersByTime(3000);
    failures.flush();
    expect(lines.slice(3).map((l) => l.msg)).toEqual([
      'redis connection error (repeated 1 times in the last 3s)',
      'worker error (repeated 1 times in the last 3s)',
    ]);
    expect(lines[3]!.fields).toMatchObject({ connection: ['a', 'b'] });
  });

  it('bounds the number of distinct failures it tracks', () => {
    const { lines, log } = recorder();
    const failures = new ThrottledLogger(log, { windowMs: 10_000 });
    for (let i = 0; i < 1000; i++) failures.warn(`source-${i}`, new Error('boom'), {}, 'failed');
    expect(lines.length).toBeLessThanOrEqual(65);
  });
});
