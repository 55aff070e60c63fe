import type { ModelConfig } from './classifier.types.js';
import { evaluateClassifier, predictProbabilities, scoreProbabilities } from './classifier.predict.js';
import { trainClassifier } from './classifier.trainer.js';
import { MlpEngine } from './mlp.engine.js';
import { packModel, unpackModel } from './model.pack.js';
import { skillMetrics } from './skill.metrics.js';
import { syntheticClasses } from './synthetic-classes.fixture.js';

// Training runs in MlpEngine and only its final weights are copied into the tfjs model: this checks
// that the model callers save and the backtest loads is the one the trainer measured.
const config: ModelConfig = {
  type: 'mlp',
  architecture: { hidden_layers: [24, 12], activation: 'elu', dropout: 0.2 },
  training: { learning_rate: 0.01, batch_size: 50, epochs: 12, early_stopping: { patience: 4, min_delta: 0.0005 }, seed: 21, class_weighting: 'balanced' },
};
const data = syntheticClasses({ rows: 1800, cols: 10, seed: 9, separation: 1.5 });

describe('trainClassifier → packModel → unpackModel', () => {
  it('predicts the probabilities the trainer measured: its test metrics, and its best epoch’s validation loss', async () => {
    const { model, metrics } = await trainClassifier(data, config, { signal: new AbortController().signal });
    const weights = [metrics.class_weights.BUY, metrics.class_weights.HOLD, metrics.class_weights.SELL];
    const [testStart, testEnd] = data.split.test;
    const testX = data.x.subarray(testStart * data.cols, testEnd * data.cols);
    const testY = data.y.subarray(testStart, testEnd);
    let returned: Float32Array;
    let packed: Buffer;
    try {
      returned = await predictProbabilities(model, testX, testEnd - testStart, data.cols);
      packed = (await packModel(model, {})).bytes;
    } finally {
      model.dispose();
    }
    const loaded = await unpackModel(packed);
    try {
      const probs = await predictProbabilities(loaded.model, testX, testEnd - testStart, data.cols);
      // The very probabilities the test metrics came from (same weights, same backend).
      expect(probs).toEqual(returned);
      const scored = scoreProbabilities(probs, testY, weights);
      expect(scored.loss).toBeCloseTo(metrics.test_loss, 6);
      expect(scored.accuracy).toBe(metrics.accuracy);
      const skill = skillMetrics(probs, testY, [metrics.class_balance.BUY, metrics.class_balance.HOLD, metrics.class_balance.SELL]);
      expect(skill.log_loss).toBeCloseTo(metrics.log_loss, 6);
      expect(skill.balanced_accuracy).toBe(metrics.balanced_accuracy);

      // The engine's own validation loss at the kept epoch is what the saved model scores there.
      expect(metrics.best_epoch).toBeGreaterThan(1);
      const val = await evaluateClassifier(loaded.model, data, data.split.validation, weights);
      expect(val.loss).toBeCloseTo(metrics.final_loss, 5);
      expect(metrics.final_loss).toBe(metrics.history.val_loss[metrics.best_epoch - 1]);

      // Cell by cell: an engine holding the loaded weights predicts what the loaded model predicts.
      const { hidden_layers, activation, dropout } = config.architecture;
      const engine = new MlpEngine(
        { inputs: data.cols, hidden: hidden_layers, outputs: 3, activation, dropout },
        loaded.model.getWeights().map((t) => Float32Array.from(t.dataSync() as Float32Array)),
        { learningRate: 0.01, maxRows: testEnd - testStart, dropoutSeeds: [] },
      );
      const ours = new Float32Array(probs.length);
      engine.predict(testX, 0, testEnd - testStart, ours);
      let worst = 0;
      for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - probs[i]!));
      expect(worst).toBeLessThan(1e-5);
    } finally {
      loaded.model.dispose();
    }
  });
});
