import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
// Type only: tfjs-layers does not re-export LayerArgs from its entry point.
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';
import { seededRandom } from '@ktrdr/agent-domain';

export interface ReseededDropoutArgs extends LayerArgs {
  rate: number;
  seed: number;
}

/**
 * Dropout whose mask changes every training step yet is reproducible from one seed.
 *
 * tfjs's own `layers.dropout({seed})` passes the same seed to every call, so every batch drops the
 * same units (a fixed thinner network, not dropout); without a seed it uses Math.random and runs
 * stop being reproducible. This layer draws a fresh seed per training call from a PRNG seeded once,
 * so the sequence of masks is the same on every run with the same seed. At inference it is the
 * identity, like Dropout. Registered with tfjs serialization so saved models load back.
 *
 * Training no longer runs through this layer: MlpEngine (mlp.engine.ts) draws its own masks, one
 * stream per layer from the same seed. The layer stays in buildMlp's model so that saved models keep
 * their topology (and older ones still load). It only runs at inference, where it does nothing.
 */
export class ReseededDropout extends layers.Layer {
  static readonly className = 'KtrdrReseededDropout';
  private readonly rate: number;
  private readonly seed: number;
  private readonly nextSeed: () => number;

  constructor(args: ReseededDropoutArgs) {
    super(args);
    this.rate = args.rate;
    this.seed = args.seed;
    this.supportsMasking = true;
    const random = seededRandom(args.seed);
    this.nextSeed = () => Math.floor(random() * 2 ** 31);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const input = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs['training'] !== true || this.rate <= 0) return input;
    return tf.dropout(input, this.rate, undefined, this.nextSeed());
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}

tf.serialization.registerClass(ReseededDropout);
