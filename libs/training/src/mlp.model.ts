import { initializers, layers, sequential, type Sequential } from '@tensorflow/tfjs-layers';
import { CLASS_COUNT } from './classifier-data.util.js';
import type { ModelConfig } from './classifier.types.js';
import { ReseededDropout } from './reseeded-dropout.layer.js';

/**
 * The strategy's MLP: `hidden_layers` dense layers with the configured activation, each followed by
 * dropout when `dropout > 0`, then a 3-way softmax (BUY, HOLD, SELL). Every random choice is seeded
 * from `seed` (a distinct seed per layer, or all layers would start from the same weight pattern),
 * so the same seed on the same data trains the same model.
 */
export function buildMlp(featureCount: number, config: ModelConfig): Sequential {
  const { hidden_layers, activation, dropout } = config.architecture;
  const { seed } = config.training;
  const model = sequential();
  hidden_layers.forEach((units, i) => {
    model.add(
      layers.dense({
        units,
        activation,
        // He initialisation suits ReLU/ELU; Glorot suits the saturating tanh/sigmoid (Keras's default).
        kernelInitializer:
          activation === 'relu' || activation === 'elu'
            ? initializers.heNormal({ seed: seed + 101 * i })
            : initializers.glorotUniform({ seed: seed + 101 * i }),
        biasInitializer: 'zeros',
        ...(i === 0 ? { inputShape: [featureCount] } : {}),
      }),
    );
    if (dropout > 0) model.add(new ReseededDropout({ rate: dropout, seed: seed + 7919 * (i + 1) }));
  });
  model.add(
    layers.dense({
      units: CLASS_COUNT,
      activation: 'softmax',
      kernelInitializer: initializers.glorotUniform({ seed: seed + 101 * hidden_layers.length }),
      biasInitializer: 'zeros',
    }),
  );
  return model;
}
