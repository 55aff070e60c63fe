import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { DEFAULT_JOB_OPTIONS, bullConnection, bullPrefix } from './queue.factory';
import { QueueProducer } from './queue.producer';

/** The producer against the real Redis of the test run, under a private prefix. */
describe('QueueProducer (real Redis)', () => {
  const url = process.env['REDIS_URL']!;
  const prefix = `qtest${randomUUID().slice(0, 8)}`;
  let producer: QueueProducer;
  let redis: Redis;

  beforeAll(() => {
    producer = QueueProducer.connect(bullConnection(url), prefix);
    redis = new Redis(url);
  });

  afterAll(async () => {
    await producer.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('enqueues under the deployment prefix with the contract job id, once however often it is asked', async () => {
    const job = { name: 'run' as const, data: { operation_id: 'op_training_1', parent_operation_id: 'op_p' } };
    expect(await producer.enqueue('training', job)).toBe('op_training_1');
    expect(await producer.enqueue('training', job)).toBe('op_training_1');
    const counts = await producer.counts();
    expect(counts.training).toMatchObject({ waiting: 1, active: 0 });
    expect(counts.backtest).toMatchObject({ waiting: 0 });
    expect(await redis.exists(`${prefix}:bull:training:op_training_1`)).toBe(1);
    const stored = await producer.queue('training').getJob('op_training_1');
    expect(stored?.data).toEqual(job.data);
    expect(stored?.opts.attempts).toBe(1); // a lost worker is a failure, never a silent retry
    expect(stored?.opts).toMatchObject(DEFAULT_JOB_OPTIONS); // queueOptions: the same defaults as the Nest registrations
  });

  it('requeues a job whose id still names a finished job (add alone would be a silent no-op)', async () => {
    const job = { name: 'run' as const, data: { operation_id: 'op_backtest_1', parent_operation_id: 'op_p' } };
    await producer.enqueue('backtest', job);
    // A worker takes the job and fails it (BullMQ's manual processing API: no processor needed).
    const worker = new Worker('backtest', null, { connection: bullConnection(url), prefix: bullPrefix(prefix), autorun: false });
    try {
      const taken = await worker.getNextJob('token-1');
      expect(taken?.id).toBe('op_backtest_1');
      await taken!.moveToFailed(new Error('worker lost'), 'token-1', false);
      expect(await taken!.getState()).toBe('failed');
    } finally {
      await worker.close();
    }
    await producer.enqueue('backtest', job);
    expect(await (await producer.queue('backtest').getJob('op_backtest_1'))!.getState()).toBe('failed');

    await producer.requeue('backtest', job);
    expect(await (await producer.queue('backtest').getJob('op_backtest_1'))!.getState()).toBe('waiting');
  });
});
