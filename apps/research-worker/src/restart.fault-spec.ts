import { rmSync } from 'node:fs';
import { RedisKeys } from '@ktrdr/operations';
import { eventually, pause, startDurableRedis, startStack, type DurableRedis, type Stack } from '../../../tools/testing/stack.harness';
import { startTcpProxy, type TcpProxy } from '../../../tools/testing/tcp.proxy';
import { SLOW_TRAINING_STRATEGY, researchScratch } from '../../../tools/testing/research.fixtures';

/**
 * Restarts and faults on real processes and a real Redis: a worker killed or
 * stopped mid-phase, the API restarted mid-cycle, Redis restarted with AOF, the workers' Redis
 * connection cut for 5 s while a cancel is sent. Every cycle must end terminal with a clear message.
 */

interface Op {
  operation_id: string;
  status: string;
  error_message: string | null;
  failure_code?: string | null;
  metadata: { parameters: Record<string, unknown> };
}
const TERMINAL = ['completed', 'failed', 'cancelled'];
const getOp = async (stack: Stack, id: string): Promise<Op> => (await stack.request<{ data: Op }>('GET', `/operations/${id}`)).body.data;
const children = async (stack: Stack, id: string): Promise<Op[]> => (await stack.request<{ data: Op[] }>('GET', `/operations/${id}/children`)).body.data;

async function trigger(stack: Stack, body: Record<string, unknown> = { strategy: 'v3_minimal' }): Promise<string> {
  const res = await stack.request<{ operation_id: string }>('POST', '/agent/trigger', body);
  expect(res.status).toBe(202);
  return res.body.operation_id;
}
async function terminal(stack: Stack, id: string, timeoutMs = 30_000): Promise<Op> {
  return eventually(
    async () => {
      const op = await getOp(stack, id).catch(() => undefined);
      return op && TERMINAL.includes(op.status) ? op : undefined;
    },
    `${id} terminal`,
    timeoutMs,
    50,
  );
}
async function runningChild(stack: Stack, parentId: string, type: string): Promise<string> {
  return eventually(
    async () => {
      const c = (await children(stack, parentId)).find((k) => k.metadata.parameters['phase'] && k.status === 'running');
      return c && (await getOp(stack, c.operation_id)).status === 'running' && c.operation_id.startsWith(`op_${type}_`) ? c.operation_id : undefined;
    },
    `${type} running`,
    15_000,
    10,
  );
}

describe('a fold worker dies mid-fold', () => {
  let stack: Stack;
  let scratch: string;
  beforeAll(async () => {
    const dirs = researchScratch([], { slow_training: SLOW_TRAINING_STRATEGY });
    scratch = dirs.root;
    stack = await startStack({
      apiEnv: dirs.env,
      workers: ['research,design,training,backtest,assessment'],
      workerEnv: { ...dirs.env, KTRDR_STUB_WORKERS: 'false', KTRDR_JOB_LOCK_MS: '1000', KTRDR_RECONCILE_INTERVAL_MS: '200' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('kill -9 of the only fold worker: its fold fails "worker lost", the phase fails naming the fold, the other folds are cancelled', async () => {
    const folds = await stack.startWorker('fold');
    const parentId = await trigger(stack, { strategy: 'slow_training' });
    const trainingId = await runningChild(stack, parentId, 'training');
    // 1-based: the fold's number, once one runs.
    const n = await eventually(
      async () => {
        const i = (await children(stack, trainingId)).findIndex((f) => f.status === 'running');
        return i >= 0 ? i + 1 : undefined;
      },
      'a fold to run',
      30_000,
      20,
    );
    const running = n - 1;
    folds.child.kill('SIGKILL');
    const parent = await terminal(stack, parentId, 15_000);
    expect(parent).toMatchObject({ status: 'failed', error_message: `Training failed: fold ${n}/3: worker lost: job stalled and was not resumed within 1s` });
    const after = await children(stack, trainingId);
    expect(after[running]).toMatchObject({ status: 'failed', failure_code: 'WORKER_LOST' });
    expect(after.filter((_, i) => i !== running).map((f) => f.status)).toEqual(['cancelled', 'cancelled']);
  });
});

describe('a worker dies or stops mid-phase', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      workers: ['research,design,backtest,assessment'],
      workerEnv: { KTRDR_STUB_DELAY_MS: '8000', KTRDR_JOB_LOCK_MS: '1000', KTRDR_RECONCILE_INTERVAL_MS: '200' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('kill -9: the child fails "worker lost: …" within the lock interval and the cycle ends', async () => {
    const training = await stack.startWorker('training');
    const parentId = await trigger(stack);
    const childId = await runningChild(stack, parentId, 'training');
    training.child.kill('SIGKILL');
    const killedAt = Date.now();
    const parent = await terminal(stack, parentId, 10_000);
    expect(Date.now() - killedAt).toBeLessThan(5_000); // lock 1 s + reconcile 0.2 s, with room for 2 shared cores
    expect(await getOp(stack, childId)).toMatchObject({
      status: 'failed',
      error_message: 'worker lost: job stalled and was not resumed within 1s',
      failure_code: 'WORKER_LOST',
    });
    expect(parent).toMatchObject({ status: 'failed', error_message: 'Training failed: worker lost: job stalled and was not resumed within 1s' });
  });

  it('SIGTERM: the worker records the running phase as stopped (WORKER_STOPPED) and exits; the cycle fails saying so', async () => {
    const training = await stack.startWorker('training');
    const parentId = await trigger(stack);
    const childId = await runningChild(stack, parentId, 'training');
    training.child.kill('SIGTERM');
    // Nest's shutdown hooks re-raise the signal once the hooks ran, so the exit is by SIGTERM, not a crash code.
    expect(await training.exited).toBe('SIGTERM');
    const child = await getOp(stack, childId);
    expect(child).toMatchObject({ status: 'failed', error_message: 'worker stopped during the phase: received SIGTERM', failure_code: 'WORKER_STOPPED' });
    expect(await terminal(stack, parentId, 10_000)).toMatchObject({
      status: 'failed',
      error_message: 'Training failed: worker stopped during the phase: received SIGTERM',
    });
  });
});

describe('the API restarts mid-cycle', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ workerEnv: { KTRDR_STUB_DELAY_MS: '700' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('the cycle completes, and every read before and after is consistent', async () => {
    const parentId = await trigger(stack, {});
    await runningChild(stack, parentId, 'agent_design');
    const before = await getOp(stack, parentId);
    await stack.restartApi(true); // SIGKILL: no graceful anything
    const after = await getOp(stack, parentId);
    expect(after.operation_id).toBe(before.operation_id);
    expect(['running', 'completed']).toContain(after.status);
    // Progress never goes backwards across the restart.
    const pct = (op: Op) => (op as unknown as { progress: { percentage: number } }).progress.percentage;
    expect(pct(after)).toBeGreaterThanOrEqual(pct(before));
    const done = await terminal(stack, parentId);
    expect(done.status).toBe('completed');
    expect((await children(stack, parentId)).map((c) => c.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
  });
});

describe('Redis restarts (AOF) mid-cycle', () => {
  let stack: Stack;
  let redis: DurableRedis;

  beforeAll(async () => {
    redis = await startDurableRedis();
    stack = await startStack({
      redisUrl: redis.url,
      workerEnv: { KTRDR_STUB_DELAY_MS: '1500', KTRDR_RECONCILE_INTERVAL_MS: '500', KTRDR_JOB_LOCK_MS: '3000' },
    });
  });
  afterAll(async () => {
    await stack?.stop().catch(() => undefined);
    await redis?.remove();
  });

  it('no operation is lost and the cycle ends terminal with a clear message', async () => {
    const parentId = await trigger(stack);
    const childId = await runningChild(stack, parentId, 'training');
    await redis.kill(); // appendfsync always: everything acknowledged is on disk
    // The outage is what is tested: Redis stays down for a second while every process retries.
    await pause(1000);
    await redis.start();
    const parent = await terminal(stack, parentId, 60_000);
    const child = await getOp(stack, childId);
    // Either the phase survived the outage and the cycle completed, or it ended with a message that says what happened.
    if (parent.status === 'completed') {
      expect(child.status).toBe('completed');
    } else {
      expect(parent.status).toBe('failed');
      expect(parent.error_message).toMatch(/^Training failed: (worker lost|worker stopped|could not queue)/);
    }
    const list = (await stack.request<{ data: Array<{ operation_id: string }> }>('GET', '/operations?limit=20')).body.data.map((o) => o.operation_id);
    expect(list).toEqual(expect.arrayContaining([parentId, childId]));
    // A new cycle runs on the restarted Redis.
    expect((await terminal(stack, await trigger(stack), 30_000)).status).toBe('completed');
  });
});

describe("the workers' Redis connection drops for 5 s", () => {
  let stack: Stack;
  let proxy: TcpProxy;
  beforeAll(async () => {
    const url = new URL(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
    proxy = await startTcpProxy(url.hostname, Number(url.port || 6379));
    stack = await startStack({ workerRedisUrl: proxy.url, workerEnv: { KTRDR_STUB_DELAY_MS: '20000' } });
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy?.close();
  });

  it('workers reconnect, and a cancel sent meanwhile still stops the phase', async () => {
    const parentId = await trigger(stack);
    const childId = await runningChild(stack, parentId, 'training');
    proxy.drop();
    const cancel = await stack.request('DELETE', `/agent/cancel/${parentId}`); // the API's Redis is not cut
    expect(cancel.status).toBe(200);
    // The cut is what is tested: the workers go 5 s without Redis, and the cancel's message is lost meanwhile.
    await pause(5000);
    proxy.restore();
    // The pub/sub message was lost; the durable status re-read on reconnect stops the compute.
    const stopped = await eventually(
      async () => {
        const entries = await stack.redis.lrange(new RedisKeys(stack.prefix).computeStopped(), 0, -1);
        return entries.some((e) => (JSON.parse(e) as { operation_id: string }).operation_id === childId) ? true : undefined;
      },
      'compute stopped after reconnect',
      15_000,
      50,
    );
    expect(stopped).toBe(true);
    expect(await getOp(stack, childId)).toMatchObject({ status: 'cancelled' });
    expect(await getOp(stack, parentId)).toMatchObject({ status: 'cancelled' });
    // And they work again: a short cycle completes through the restored connection.
    const health = await stack.request<{ workers: Record<string, { count: number }> }>('GET', '/health');
    expect(health.body.workers['training']!.count).toBeGreaterThanOrEqual(1);
  });
});
