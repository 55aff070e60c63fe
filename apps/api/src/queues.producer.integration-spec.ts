import 'reflect-metadata';
import { DEFAULT_JOB_OPTIONS, QUEUE_NAMES, QueueProducer, bullConnection, type QueueName } from '@ktrdr/queues';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadApiConfig } from './api.config';
import { Backend } from './backend.service';
import { createHttpApp } from './http.app';
import { ApiQueueProducer } from './queues.producer';

/**
 * Issue #9: the API enqueues through the queues it registers with BullModule (@InjectQueue), not
 * queues of its own. The real app (createHttpApp) on the real Redis of the test run, under a private
 * prefix; what landed is read back with a plain BullMQ queue and raw keys, not through the producer.
 */

const prefix = `it_api_q_${process.pid}_${Date.now()}`;
const url = process.env['REDIS_URL']!;
let app: INestApplication;
let backend: Backend;
let redis: Redis;
let closed = false;
/** Plain BullMQ queues of the test, made by hand with the deployment's key layout (`<prefix>:bull`). */
const readers = new Map<QueueName, Queue>();
const reader = (name: QueueName): Queue => {
  if (!readers.has(name)) readers.set(name, new Queue(name, { connection: bullConnection(url), prefix: `${prefix}:bull` }));
  return readers.get(name)!;
};

beforeAll(async () => {
  const config = loadApiConfig({ REDIS_URL: url, KTRDR_KEY_PREFIX: prefix, LOG_LEVEL: 'silent', KTRDR_API_DOCS: 'false' });
  app = await createHttpApp(config);
  await app.init();
  backend = app.get(Backend);
  redis = new Redis(url);
});

afterAll(async () => {
  if (!closed) await app?.close();
  await Promise.all([...readers.values()].map((q) => q.close()));
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

it("Backend's producer is the injected one, over the queues BullModule registered (one per contract name)", () => {
  expect(backend.producer).toBeInstanceOf(ApiQueueProducer);
  expect(app.get(QueueProducer)).toBe(backend.producer);
  for (const name of QUEUE_NAMES) {
    const registered = app.get<Queue>(getQueueToken(name));
    expect(backend.producer.queue(name)).toBe(registered);
    expect(registered.name).toBe(name);
  }
});

it("enqueues a cycle start into the research queue under the deployment prefix, with the contract's job id and DEFAULT_JOB_OPTIONS", async () => {
  const job = { name: 'start' as const, data: { parent_operation_id: 'op_agent_research_20250101_000000_0000abcd' } };
  const id = await backend.producer.enqueue('research', job);
  expect(id).toBe('start-op_agent_research_20250101_000000_0000abcd');
  expect(await redis.exists(`${prefix}:bull:research:${id}`)).toBe(1);

  const stored = await reader('research').getJob(id);
  expect(stored?.name).toBe('start');
  expect(stored?.data).toEqual(job.data);
  // The defaults come from BullModule.forRootAsync (queueOptions), not from the call: nothing per job is passed but the id.
  expect(stored?.opts).toMatchObject({ attempts: 1, removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } });
  expect(stored?.opts).toMatchObject(DEFAULT_JOB_OPTIONS);
  for (const other of QUEUE_NAMES.filter((n) => n !== 'research')) expect(await reader(other).getJob(id)).toBeUndefined();

  // Idempotent by the contract's id: asking twice is one job.
  expect(await backend.producer.enqueue('research', job)).toBe(id);
  expect(await reader('research').getJobCounts('waiting')).toEqual({ waiting: 1 });
});

it('a phase job lands in its own queue with the operation id as job id, and counts() sees it there', async () => {
  const job = { name: 'run' as const, data: { operation_id: 'op_training_20250101_000000_0000beef', parent_operation_id: 'op_p' } };
  expect(await backend.producer.enqueue('training', job)).toBe(job.data.operation_id);
  const stored = await reader('training').getJob(job.data.operation_id);
  expect(stored?.data).toEqual(job.data);
  expect(stored?.opts).toMatchObject(DEFAULT_JOB_OPTIONS);
  const counts = await backend.producer.counts();
  expect(counts.training).toMatchObject({ waiting: 1 });
  expect(counts.design).toMatchObject({ waiting: 0 });
});

it('shutdown closes every registered queue exactly once (@nestjs/bullmq does; Backend and the producer do not)', async () => {
  const queues = QUEUE_NAMES.map((name) => backend.producer.queue(name));
  const clients = await Promise.all(queues.map((q) => q.getBackend().client));
  const spies = queues.map((q) => jest.spyOn(q, 'close'));
  await app.close();
  closed = true;
  for (const spy of spies) expect(spy).toHaveBeenCalledTimes(1);
  for (const client of clients) expect(client.status).toBe('end');
});
