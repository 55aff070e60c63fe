import { seededRandom } from '@ktrdr/agent-domain';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from './classifier.types.js';
import { createGemm } from './gemm.kernel.js';
import { MlpEngine, type Activation, type MlpShape } from './mlp.engine.js';
import { buildMlp } from './mlp.model.js';
import { initTrainingBackend } from './tf.backend.js';

beforeAll(() => initTrainingBackend());

const ACTIVATIONS: Activation[] = ['relu', 'tanh', 'sigmoid', 'elu'];

function setup(activation: Activation, dropout = 0, hidden = [7, 5]) {
  const cols = 6;
  const config: ModelConfig = {
    type: 'mlp',
    architecture: { hidden_layers: hidden, activation, dropout },
    training: { learning_rate: 0.01, batch_size: 16, epochs: 1, early_stopping: { patience: 1, min_delta: 0 }, seed: 3, class_weighting: 'none' },
  };
  const model = buildMlp(cols, config);
  const random = seededRandom(11);
  const rows = 13;
  const x = Float32Array.from({ length: rows * cols }, () => 2 * random() - 1);
  const y = Uint8Array.from({ length: rows }, () => Math.floor(random() * 3));
  const shape: MlpShape = { inputs: cols, hidden, outputs: 3, activation, dropout };
  const initial = model.getWeights().map((t) => Float32Array.from(t.dataSync() as Float32Array));
  return { model, x, y, rows, cols, shape, initial };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
};

describe('gemm kernel', () => {
  it('computes strided products (bias, accumulate, every column tail) the same in WebAssembly SIMD and in JS', () => {
    const random = seededRandom(5);
    for (const [m, n, k] of [
      [5, 37, 7],
      [16, 64, 24],
      [3, 3, 32],
      [1, 19, 1],
    ] as const) {
      // A stored transposed ([k][m]) and read through swapped strides; B row-major [k][n].
      const inputs = Float32Array.from({ length: m * k + k * n + n }, () => 2 * random() - 1);
      const a = 4;
      const b = a + m * k;
      const bias = b + k * n;
      const c = bias + n;
      const expected = new Float64Array(m * n);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let s = inputs[bias - a + j]!;
          for (let p = 0; p < k; p++) s += inputs[p * m + i]! * inputs[b - a + p * n + j]!;
          expected[i * n + j] = s;
        }
      const results = [false, true].map((forceJs) => {
        const g = createGemm(c + m * n, forceJs);
        g.heap.set(inputs, a);
        g.gemm(c, n, a, 1, m, b, n, bias, m, n, k, 0);
        const first = Float32Array.from(g.heap.subarray(c, c + m * n));
        expect(maxDiff(first, expected)).toBeLessThan(1e-5);
        // accumulate: C += A·B on top of the first result (no bias this time)
        g.gemm(c, n, a, 1, m, b, n, 0, m, n, k, 1);
        const twice = Float64Array.from(expected, (v, e) => 2 * v - inputs[bias - a + (e % n)]!);
        expect(maxDiff(g.heap.subarray(c, c + m * n), twice)).toBeLessThan(2e-5);
        return { kind: g.kind, first };
      });
      expect(results.map((r) => r.kind)).toEqual(['wasm-simd', 'js']);
      expect(maxDiff(results[0]!.first, results[1]!.first)).toBeLessThan(1e-5);
    }
  });
});

describe('MlpEngine', () => {
  it.each(ACTIVATIONS)('predicts what tfjs predicts with the same weights (%s)', (activation) => {
    const { model, x, rows, cols, shape, initial } = setup(activation, 0.3);
    try {
      const engine = new MlpEngine(shape, initial, { learningRate: 0.01, maxRows: 8, dropoutSeeds: [1, 2] });
      const ours = new Float32Array(rows * 3);
      for (let from = 0; from < rows; from += 8) engine.predict(x, from, Math.min(rows, from + 8), ours);
      const theirs = tf.tidy(() => (model.predict(tf.tensor2d(x, [rows, cols])) as tf.Tensor).dataSync());
      expect(maxDiff(ours, theirs)).toBeLessThan(1e-6);
    } finally {
      model.dispose();
    }
  });

  it.each(ACTIVATIONS)('computes the gradients tfjs computes for the class-weighted loss, in two chunks or one (%s)', (activation) => {
    const { model, x, y, rows, cols, shape, initial } = setup(activation);
    const weights = [1.7, 0.6, 1.2];
    try {
      const engine = new MlpEngine(shape, initial, { learningRate: 0.01, maxRows: rows, dropoutSeeds: [] });
      const order = Int32Array.from({ length: rows }, (_, i) => i);
      engine.zeroGrad();
      const whole = engine.accumulate(x, y, order, 0, rows, rows, weights);
      const ours = engine.gradients();
      engine.zeroGrad();
      const first = engine.accumulate(x, y, order, 0, 5, rows, weights);
      const second = engine.accumulate(x, y, order, 5, rows, rows, weights);
      const chunked = engine.gradients();
      expect(first.lossSum + second.lossSum).toBeCloseTo(whole.lossSum, 5);
      chunked.forEach((g, i) => expect(maxDiff(g, ours[i]!)).toBeLessThan(1e-6));

      // Keras's loss: mean over the batch of w_y · −ln clip(p_y).
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => {
        const probs = model.apply(tf.tensor2d(x, [rows, cols]), { training: true }) as tf.Tensor2D;
        const labels = tf.oneHot(tf.tensor1d(Int32Array.from(y), 'int32'), 3);
        const picked = tf.sum(tf.mul(tf.clipByValue(probs, 1e-7, 1 - 1e-7), labels), 1);
        const w = tf.tensor1d(Array.from(y, (label) => weights[label]!));
        return tf.mean(tf.mul(w, tf.neg(tf.log(picked)))) as tf.Scalar;
      }, variables);
      expect(whole.lossSum / rows).toBeCloseTo(value.dataSync()[0]!, 5);
      variables.forEach((v, i) => expect(maxDiff(grads[v.name]!.dataSync(), ours[i]!)).toBeLessThan(1e-5));
      value.dispose();
      Object.values(grads).forEach((g) => g.dispose());
    } finally {
      model.dispose();
    }
  });

  it('takes the Adam step tfjs takes from the same gradients', () => {
    const { model, x, y, rows, shape, initial } = setup('relu');
    try {
      const engine = new MlpEngine(shape, initial, { learningRate: 0.01, maxRows: rows, dropoutSeeds: [] });
      const order = Int32Array.from({ length: rows }, (_, i) => i);
      const optimizer = tf.train.adam(0.01);
      const vars = initial.map((w, i) => tf.variable(tf.tensor(w, model.getWeights()[i]!.shape), true, `adam_check_${i}`));
      for (let step = 0; step < 3; step++) {
        engine.zeroGrad();
        engine.accumulate(x, y, order, 0, rows, rows, [1, 1, 1]);
        const grads = engine.gradients();
        tf.tidy(() => optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(grads[i]!, v.shape) }))));
        engine.adamStep();
        // tfjs continues from the engine's weights, so each step compares one update.
        const ours = engine.weights();
        vars.forEach((v, i) => {
          expect(maxDiff(v.dataSync(), ours[i]!)).toBeLessThan(1e-6);
          v.assign(tf.tensor(ours[i]!, v.shape));
        });
      }
      optimizer.dispose();
      vars.forEach((v) => v.dispose());
    } finally {
      model.dispose();
    }
  });

  it('draws a reproducible, changing dropout mask per step at the configured rate, and trains the same with the JS fallback', () => {
    const { model, x, y, rows, shape, initial } = setup('tanh', 0.5, [64, 64]);
    model.dispose();
    const run = (forceJs: boolean, seeds: number[]): { weights: Float32Array[]; losses: number[] } => {
      const engine = new MlpEngine(shape, initial, { learningRate: 0.01, maxRows: rows, dropoutSeeds: seeds, forceJs });
      expect(engine.kernel).toBe(forceJs ? 'js' : 'wasm-simd');
      const order = Int32Array.from({ length: rows }, (_, i) => i);
      const losses: number[] = [];
      for (let step = 0; step < 4; step++) {
        engine.zeroGrad();
        losses.push(engine.accumulate(x, y, order, 0, rows, rows, [1, 1, 1]).lossSum);
        engine.adamStep();
      }
      return { weights: engine.weights(), losses };
    };
    const a = run(false, [8, 9]);
    const b = run(false, [8, 9]);
    expect(b).toEqual(a);
    expect(new Set(a.losses).size).toBe(4);
    const other = run(false, [10, 9]);
    expect(other.losses[0]).not.toBe(a.losses[0]);
    const js = run(true, [8, 9]);
    js.weights.forEach((w, i) => expect(maxDiff(w, a.weights[i]!)).toBeLessThan(1e-4));

    // The mask itself: about half of 4,096 units dropped at rate 0.5, the kept ones scaled by 1 / (1 − 0.5).
    const wide = [new Float32Array(6 * 4096).fill(0.01), new Float32Array(4096).fill(1), new Float32Array(4096 * 3), new Float32Array(3)];
    const probe = new MlpEngine({ ...shape, hidden: [4096] }, wide, { learningRate: 0.01, maxRows: 1, dropoutSeeds: [42] });
    const before = probe.weights();
    probe.zeroGrad();
    probe.accumulate(new Float32Array(6).fill(1), new Uint8Array([0]), new Int32Array([0]), 0, 1, 1, [1, 1, 1]);
    // The output kernel's gradient for BUY is h_u · (1/3 − 1): zero exactly where unit u was dropped.
    const outputKernel = probe.gradients()[2]!;
    const keptValue = Math.tanh(6 * 0.01 + 1) * 2 * (1 / 3 - 1);
    let kept = 0;
    for (let u = 0; u < 4096; u++) {
      const g = outputKernel[u * 3]!;
      if (g !== 0) {
        kept++;
        expect(g).toBeCloseTo(keptValue, 5);
      }
    }
    expect(kept / 4096).toBeGreaterThan(0.46);
    expect(kept / 4096).toBeLessThan(0.54);
    expect(probe.weights()).toEqual(before);
  });
});
