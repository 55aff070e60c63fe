import { StrategyStore } from '@ktrdr/strategies';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingResumeArtifact } from './resume-artifacts.service';

/** The resume pre-flight check on real files in a temporary directory. */
describe('missingResumeArtifact', () => {
  let dir: string;
  let strategies: StrategyStore;
  const model = (): string => join(dir, 'models', 'momo', 'op_training_1');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ktrdr-resume-'));
    await mkdir(join(dir, 'strategies'));
    await copyFile(join(__dirname, '..', '..', '..', 'strategies', 'v3_minimal.yaml'), join(dir, 'strategies', 'v3_minimal.yaml'));
    strategies = new StrategyStore(join(dir, 'strategies'));
    await mkdir(model(), { recursive: true });
    await writeFile(join(model(), 'model.json'), '{}');
    await writeFile(join(model(), 'meta.json'), '{}');
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const needs = (over: Partial<Parameters<typeof missingResumeArtifact>[0]> = {}) => ({
    strategy: 'v3_minimal',
    model_path: model(),
    model_is_stub_placeholder: false,
    ...over,
  });

  it('passes when the strategy and the model files are in place', async () => {
    await expect(missingResumeArtifact(needs(), strategies)).resolves.toBeNull();
    await expect(missingResumeArtifact(needs({ strategy: null, model_path: null }), strategies)).resolves.toBeNull();
  });

  it('names a strategy file that is gone or no longer valid', async () => {
    await expect(missingResumeArtifact(needs({ strategy: 'momo_1' }), strategies)).resolves.toBe(
      `strategy file is gone: ${join(dir, 'strategies', 'momo_1.yaml')}`,
    );
    await writeFile(join(dir, 'strategies', 'v3_minimal.yaml'), 'name: v3_minimal\n');
    await expect(missingResumeArtifact(needs(), strategies)).resolves.toMatch(/^strategy file is no longer valid: Strategy v3_minimal is invalid/);
  });

  it('names a model directory that is gone, or the files missing from it', async () => {
    await rm(join(model(), 'meta.json'));
    await expect(missingResumeArtifact(needs(), strategies)).resolves.toBe(`model files are gone: ${model()} (no meta.json)`);
    await rm(model(), { recursive: true });
    await expect(missingResumeArtifact(needs(), strategies)).resolves.toBe(`model files are gone: ${model()}`);
  });

  it('does not look for files behind the stub placeholder', async () => {
    await expect(missingResumeArtifact(needs({ model_path: 'models/v3_minimal/stub', model_is_stub_placeholder: true }), strategies)).resolves.toBeNull();
    await expect(missingResumeArtifact(needs({ model_path: join(dir, 'nowhere') }), strategies)).resolves.toBe(`model files are gone: ${join(dir, 'nowhere')}`);
  });
});
