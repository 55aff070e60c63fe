import * as tf from '@tensorflow/tfjs-core';
import { ReseededDropout } from './reseeded-dropout.layer.js';
import { initTrainingBackend } from './tf.backend.js';

beforeAll(() => initTrainingBackend());

const masks = (layer: ReseededDropout, calls: number): number[][] =>
  Array.from({ length: calls }, () => tf.tidy(() => Array.from((layer.apply(tf.ones([1, 64]), { training: true }) as tf.Tensor).dataSync())));

describe('ReseededDropout', () => {
  it('drops different units on each training call, in the same sequence for the same seed', () => {
    const a = masks(new ReseededDropout({ rate: 0.5, seed: 3 }), 3);
    const b = masks(new ReseededDropout({ rate: 0.5, seed: 3 }), 3);
    const c = masks(new ReseededDropout({ rate: 0.5, seed: 4 }), 3);
    expect(b).toEqual(a);
    expect(a[1]).not.toEqual(a[0]);
    expect(a[2]).not.toEqual(a[1]);
    expect(c[0]).not.toEqual(a[0]);
    // Inverted dropout: kept units are scaled by 1 / (1 - rate).
    expect(new Set(a.flat())).toEqual(new Set([0, 2]));
  });

  it('is the identity at inference', () => {
    const layer = new ReseededDropout({ rate: 0.5, seed: 3 });
    const out = tf.tidy(() => Array.from((layer.apply(tf.ones([1, 8])) as tf.Tensor).dataSync()));
    expect(out).toEqual(new Array(8).fill(1));
  });
});
