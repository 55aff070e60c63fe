import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError } from '@ktrdr/errors';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ModelConfig } from './classifier.types.js';
import { predictProbabilities } from './classifier.predict.js';
import { trainClassifier } from './classifier.trainer.js';
import { loadModel, saveModel } from './model.store.js';
import { syntheticClasses } from './synthetic-classes.fixture.js';

const config: ModelConfig = {
  type: 'mlp',
  architecture: { hidden_layers: [12], activation: 'tanh', dropout: 0.2 },
  training: { learning_rate: 0.01, batch_size: 64, epochs: 4, early_stopping: { patience: 8, min_delta: 0.0005 }, seed: 11 },
};
// More rows than one predict chunk (2048), so chunking is covered too.
const data = syntheticClasses({ rows: 2600, cols: 6, seed: 2, separation: 2 });

let root: string;
let model: LayersModel;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'ktrdr-models-'));
  model = (await trainClassifier(data, config, { signal: new AbortController().signal })).model;
});
afterAll(() => {
  model.dispose();
  rmSync(root, { recursive: true, force: true });
});

describe('saveModel / loadModel', () => {
  it('round-trips: the loaded model predicts exactly what the trained one did, and meta.json comes back', async () => {
    const dir = join(root, 'nested', 'strat_a');
    const extra = { strategy_name: 'strat_a', feature_names: ['f0', 'f1', 'f2', 'f3', 'f4', 'f5'], scaler: { kind: 'none' } };
    await saveModel(model, dir, extra);
    expect(readdirSync(dir).sort()).toEqual(['meta.json', 'model.json', 'weights.bin']);
    expect(readdirSync(join(root, 'nested'))).toEqual(['strat_a']);
    const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    expect(manifest.weightsManifest[0]!.paths).toEqual(['weights.bin']);

    const loaded = await loadModel<typeof extra>(dir);
    try {
      const expected = await predictProbabilities(model, data.x, data.rows, data.cols);
      const actual = await predictProbabilities(loaded.model, data.x, data.rows, data.cols);
      expect(actual).toEqual(expected);
      expect(actual).toHaveLength(data.rows * 3);
      for (const r of [0, 2047, 2048, data.rows - 1]) expect(actual[3 * r]! + actual[3 * r + 1]! + actual[3 * r + 2]!).toBeCloseTo(1, 5);
      expect(loaded.meta.extra).toEqual(extra);
      expect(loaded.meta.feature_count).toBe(6);
      expect(loaded.meta.class_labels).toEqual(['BUY', 'HOLD', 'SELL']);
    } finally {
      loaded.model.dispose();
    }
  });

  it('replaces an existing model directory whole', async () => {
    const dir = join(root, 'retried');
    await saveModel(model, dir, { attempt: 1 });
    await saveModel(model, dir, { attempt: 2 });
    const { model: again, meta } = await loadModel(dir);
    again.dispose();
    expect(meta.extra).toEqual({ attempt: 2 });
    expect(readdirSync(root).filter((n) => n.includes('retried'))).toEqual(['retried']);
  });

  it('leaves no directory, temporary or final, when the signal aborted before the rename', async () => {
    const controller = new AbortController();
    controller.abort();
    const dir = join(root, 'aborted');
    await expect(saveModel(model, dir, {}, { signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(root).filter((n) => n.includes('aborted'))).toEqual([]);
  });

  it('stops a prediction between chunks when its signal aborts', async () => {
    const controller = new AbortController();
    const pending = predictProbabilities(model, data.x, data.rows, data.cols, controller.signal);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
  });
});
