import { z } from 'zod';
import { evaluationPlanSchema } from './phase-results.schema.js';

/**
 * Where a training run's models are: in the blob store, not on a disk. A cycle's `model_path` is
 * `blob:<sha256>` — the address of the run's walk-forward manifest, which names every fold's seed
 * models by their own addresses. Any process that reaches Redis finds them from that text alone.
 */
export const MODEL_PATH_PREFIX = 'blob:';
const SHA256 = /^[0-9a-f]{64}$/;

export const modelPathOf = (manifestHash: string): string => `${MODEL_PATH_PREFIX}${manifestHash}`;

/** The manifest's hash in a `blob:<sha256>` model path, or null for any other text (an older run's directory, the stub's placeholder). */
export function manifestHashOf(modelPath: string): string | null {
  if (!modelPath.startsWith(MODEL_PATH_PREFIX)) return null;
  const hash = modelPath.slice(MODEL_PATH_PREFIX.length);
  return SHA256.test(hash) ? hash : null;
}

const sha256 = z.string().regex(SHA256, 'a SHA-256 in hex');

/** Blob kinds of a training run: one `model` per fold and seed (libs/training's packModel), one `walk-forward` manifest. */
export const MODEL_BLOB_KIND = 'model';
export const WALK_FORWARD_BLOB_KIND = 'walk-forward';

/** A training run's walk-forward manifest: the plan, every fold's test window and its models. */
export const walkForwardManifestSchema = z.object({
  strategy_name: z.string(),
  training_operation_id: z.string(),
  plan: evaluationPlanSchema,
  windows: z.array(z.tuple([z.string(), z.string()])).min(1),
  folds: z
    .array(
      z.object({
        fold: z.number().int().min(1),
        /** Every seed's model, the strategy's own seed first. */
        models: z.array(z.object({ seed: z.number().int(), model: sha256 })).min(1),
      }),
    )
    .min(1),
});
export type WalkForwardManifest = z.output<typeof walkForwardManifestSchema>;

/** Every model blob a manifest names, in fold and seed order. */
export const manifestModels = (m: WalkForwardManifest): string[] => m.folds.flatMap((f) => f.models.map((x) => x.model));
