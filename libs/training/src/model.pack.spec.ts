import { CancelledError } from '@ktrdr/errors';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ModelConfig } from './classifier.types.js';
import { predictProbabilities } from './classifier.predict.js';
import { trainClassifier } from './classifier.trainer.js';
import { ModelUnreadableError, packModel, unpackModel } from './model.pack.js';
import { syntheticClasses } from './synthetic-classes.fixture.js';

const config: ModelConfig = {
  type: 'mlp',
  architecture: { hidden_layers: [12], activation: 'tanh', dropout: 0.2 },
  training: { learning_rate: 0.01, batch_size: 64, epochs: 4, early_stopping: { patience: 8, min_delta: 0.0005 }, seed: 11 },
};
// More rows than one predict chunk (2048), so chunking is covered too.
const data = syntheticClasses({ rows: 2600, cols: 6, seed: 2, separation: 2 });

let model: LayersModel;
beforeAll(async () => {
  model = (await trainClassifier(data, config, { signal: new AbortController().signal })).model;
});
afterAll(() => model.dispose());

describe('packModel / unpackModel', () => {
  it('round-trips: the unpacked model predicts exactly what the trained one did, and the meta comes back', async () => {
    const extra = { strategy_name: 'strat_a', feature_names: ['f0', 'f1', 'f2', 'f3', 'f4', 'f5'], scaler: { kind: 'none' } };
    const { bytes, meta } = await packModel(model, extra);
    expect(bytes.subarray(0, 8).toString('ascii')).toBe('KTRDRMDL');
    // 6 inputs → 12 hidden → 3 outputs as float32: (6·12 + 12 + 12·3 + 3) · 4 bytes of weights after the header.
    const headerLength = bytes.readUInt32LE(8);
    expect(bytes.byteLength - 12 - headerLength).toBe((6 * 12 + 12 + 12 * 3 + 3) * 4);

    const loaded = await unpackModel<typeof extra>(bytes);
    try {
      const expected = await predictProbabilities(model, data.x, data.rows, data.cols);
      const actual = await predictProbabilities(loaded.model, data.x, data.rows, data.cols);
      expect(actual).toEqual(expected);
      expect(actual).toHaveLength(data.rows * 3);
      for (const r of [0, 2047, 2048, data.rows - 1]) expect(actual[3 * r]! + actual[3 * r + 1]! + actual[3 * r + 2]!).toBeCloseTo(1, 5);
      expect(loaded.meta).toEqual(meta);
      expect(loaded.meta.extra).toEqual(extra);
      expect(loaded.meta.feature_count).toBe(6);
      expect(loaded.meta.class_labels).toEqual(['BUY', 'HOLD', 'SELL']);
    } finally {
      loaded.model.dispose();
    }
  });

  it('unpacks from a view into a larger buffer (a blob read in chunks and joined)', async () => {
    const { bytes } = await packModel(model, { attempt: 2 });
    const padded = Buffer.concat([Buffer.from('xxxx'), bytes, Buffer.from('yyyy')]);
    const { model: again, meta } = await unpackModel(padded.subarray(4, 4 + bytes.byteLength));
    again.dispose();
    expect(meta.extra).toEqual({ attempt: 2 });
  });

  it('refuses bytes that are not a packed model, naming why', async () => {
    const { bytes } = await packModel(model, {});
    await expect(unpackModel(Buffer.from('{"strategy": true}'))).rejects.toThrow('the stored model cannot be read: its first bytes are not KTRDRMDL');
    await expect(unpackModel(bytes.subarray(0, 40))).rejects.toThrow(/cut short: a \d+-byte header in 40 bytes/);
    await expect(unpackModel(bytes.subarray(0, 40))).rejects.toBeInstanceOf(ModelUnreadableError);
  });

  it('hands nothing back when the signal aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(packModel(model, {}, { signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
  });

  it('stops a prediction between chunks when its signal aborts', async () => {
    const controller = new AbortController();
    const pending = predictProbabilities(model, data.x, data.rows, data.cols, controller.signal);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
  });
});
