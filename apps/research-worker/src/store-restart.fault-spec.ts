import { manifestHashOf, manifestModels, walkForwardManifestSchema } from '@ktrdr/api-contract';
import { BlobStore } from '@ktrdr/operations';
import { rmSync } from 'node:fs';
import { researchScratch } from '../../../tools/testing/research.fixtures';
import { eventually, pause, startDurableRedis, startStack, type DurableRedis, type Stack } from '../../../tools/testing/stack.harness';
import { untilPhase, waitTerminal } from '../../../tools/testing/stack.requests';

/**
 * Redis, the store of record for what one phase hands the next, killed (SIGKILL) and restarted
 * from its append-only file in the middle of a real cycle: after training stored its models and
 * while the backtest waits for a worker. Every blob stored before the kill must read back whole
 * (get verifies the SHA-256), and the backtest must find the models trained before the restart.
 */
describe('Redis restarts (AOF) mid-cycle, with models in the store', () => {
  let stack: Stack;
  let redis: DurableRedis;
  let scratch: string;

  beforeAll(async () => {
    redis = await startDurableRedis();
    const dirs = researchScratch(['v3_minimal']);
    scratch = dirs.root;
    // No backtest worker yet: the cycle waits in backtesting, its models stored, while Redis goes down.
    stack = await startStack({
      redisUrl: redis.url,
      apiEnv: dirs.env,
      workerEnv: { ...dirs.env, KTRDR_STUB_WORKERS: 'false', ANTHROPIC_API_KEY: '', KTRDR_RECONCILE_INTERVAL_MS: '500' },
      workers: ['research,design,training,fold,assessment'],
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop().catch(() => undefined);
    await redis?.remove();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('no blob is lost, and the backtest after the restart finds the models trained before it', async () => {
    const trigger = await stack.request<{ operation_id: string }>('POST', '/agent/trigger', { strategy: 'v3_minimal', bypass_gates: true });
    expect(trigger.status).toBe(202);
    const id = trigger.body.operation_id;
    const modelPath = (await untilPhase(stack, id, 'backtesting'))['model_path'] as string;
    expect(modelPath).toMatch(/^blob:[0-9a-f]{64}$/);

    const blobs = new BlobStore(stack.redis, stack.prefix);
    const before = Object.keys(await stack.redis.hgetall(blobs.indexKey())).sort();
    const manifest = walkForwardManifestSchema.parse(JSON.parse((await blobs.get(manifestHashOf(modelPath)!))!.toString('utf8')));
    const models = manifestModels(manifest);
    // 5 folds × 3 seeds of v3_minimal, the manifest, and the strategies imported at start.
    expect(models).toHaveLength(15);
    expect(before).toEqual(expect.arrayContaining([manifestHashOf(modelPath)!, ...models]));

    await redis.kill(); // appendfsync always: every acknowledged write is on disk
    await pause(1000);
    await redis.start();

    // Every blob is back, whole: get() recomputes each one's SHA-256 from its chunks.
    const reader = new BlobStore(stack.redis, stack.prefix);
    await eventually(async () => ((await stack.redis.ping().catch(() => null)) === 'PONG' ? true : undefined), 'the test connection back', 10_000, 50);
    const after = Object.keys(await stack.redis.hgetall(reader.indexKey())).sort();
    expect(after).toEqual(before);
    for (const hash of before) expect((await reader.get(hash))?.byteLength).toBeGreaterThan(0);
    expect(await reader.ownedBy(manifest.training_operation_id)).toEqual([manifestHashOf(modelPath)!, ...models].sort());

    // A backtest worker that starts now, after the restart, finds the models and the cycle completes.
    await stack.startWorker('backtest,fold', { KTRDR_STUB_WORKERS: 'false', ANTHROPIC_API_KEY: '' });
    const done = await waitTerminal(stack, id, 180_000, 200);
    expect({ status: done.status, error: done.error_message }).toEqual({ status: 'completed', error: null });
    expect(done.result_summary).toMatchObject({ model_path: modelPath });
  }, 400_000);
});
