import { modelPathOf } from '@ktrdr/api-contract';
import { BlobStore } from '@ktrdr/operations';
import { StrategyStore } from '@ktrdr/strategies';
import { Redis } from 'ioredis';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingResumeArtifact } from './resume-artifacts.service';

const prefix = `it_resume_${process.pid}_${Date.now()}`;
let redis: Redis;
beforeAll(() => (redis = new Redis(process.env['REDIS_URL']!)));
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

/** The resume pre-flight check: strategies in a temporary directory, models in a real Redis blob store. */
describe('missingResumeArtifact', () => {
  let dir: string;
  let strategies: StrategyStore;
  let blobs: BlobStore;
  let models: string[];
  let modelPath: string;
  let n = 0;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ktrdr-resume-'));
    await mkdir(join(dir, 'strategies'));
    await copyFile(join(__dirname, '..', '..', '..', 'strategies', 'v3_minimal.yaml'), join(dir, 'strategies', 'v3_minimal.yaml'));
    strategies = new StrategyStore(join(dir, 'strategies'));
    blobs = new BlobStore(redis, `${prefix}:t${++n}`);
    const owner = 'op_training_20260101_000000_0000abcd';
    models = [];
    for (const seed of [1, 2, 3]) models.push((await blobs.put(Buffer.from(`model ${seed}`), { kind: 'model' }, { owner })).hash);
    const manifest = {
      strategy_name: 'v3_minimal',
      training_operation_id: owner,
      plan: { scheme: 'expanding', folds: 3, purge: 5, embargo: 5, seeds: 1 },
      windows: [
        ['2020-01-01T00:00:00.000Z', '2020-02-01T00:00:00.000Z'],
        ['2020-02-01T00:00:00.000Z', '2020-03-01T00:00:00.000Z'],
        ['2020-03-01T00:00:00.000Z', '2020-04-01T00:00:00.000Z'],
      ],
      folds: models.map((model, i) => ({ fold: i + 1, models: [{ seed: 1, model }] })),
    };
    modelPath = modelPathOf((await blobs.put(Buffer.from(JSON.stringify(manifest)), { kind: 'walk-forward' }, { owner })).hash);
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const needs = (over: Partial<Parameters<typeof missingResumeArtifact>[0]> = {}) => ({
    strategy: 'v3_minimal',
    model_path: modelPath,
    model_is_stub_placeholder: false,
    ...over,
  });

  it('passes when the strategy and every model of the manifest are in the store', async () => {
    await expect(missingResumeArtifact(needs(), strategies, blobs)).resolves.toBeNull();
    await expect(missingResumeArtifact(needs({ strategy: null, model_path: null }), strategies, blobs)).resolves.toBeNull();
  });

  it('names a strategy file that is gone or no longer valid', async () => {
    await expect(missingResumeArtifact(needs({ strategy: 'momo_1' }), strategies, blobs)).resolves.toBe(
      `strategy file is gone: ${join(dir, 'strategies', 'momo_1.yaml')}`,
    );
    await writeFile(join(dir, 'strategies', 'v3_minimal.yaml'), 'name: v3_minimal\n');
    await expect(missingResumeArtifact(needs(), strategies, blobs)).resolves.toMatch(/^strategy file is no longer valid: Strategy v3_minimal is invalid/);
  });

  it('names a manifest that is gone (its run discarded: every blob purged)', async () => {
    await expect(blobs.removeOwner('op_training_20260101_000000_0000abcd', { purge: true })).resolves.toBe(4);
    await expect(blobs.usage()).resolves.toMatchObject({ blobs: 0 });
    await expect(missingResumeArtifact(needs(), strategies, blobs)).resolves.toBe(
      `the trained model is gone from the store: ${modelPath} (kept KTRDR_ARTIFACT_TTL_DAYS after its cycle ended)`,
    );
  });

  it('names the fold models a manifest lists that are no longer stored', async () => {
    await blobs.unref(models[1]!, 'op_training_20260101_000000_0000abcd', { purge: true });
    await expect(missingResumeArtifact(needs(), strategies, blobs)).resolves.toBe(
      `the trained model is incomplete: 1 of 3 fold models of ${modelPath} are gone (${models[1]!.slice(0, 12)})`,
    );
  });

  it('refuses a directory path of an older version and does not look behind the stub placeholder', async () => {
    await expect(
      missingResumeArtifact(needs({ model_path: 'models/v3_minimal/stub', model_is_stub_placeholder: true }), strategies, blobs),
    ).resolves.toBeNull();
    await expect(missingResumeArtifact(needs({ model_path: '/srv/models/v3_minimal/op_training_1' }), strategies, blobs)).resolves.toBe(
      "the trained model is not in the store: /srv/models/v3_minimal/op_training_1 is a directory on one host's disk (from an older version); train again",
    );
  });
});
