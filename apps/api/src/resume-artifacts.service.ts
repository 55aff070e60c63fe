import type { ResumeNeeds } from '@ktrdr/agent-domain';
import { KtrdrError } from '@ktrdr/errors';
import { StrategyInvalidError, StrategyNotFoundError, type StrategyStore } from '@ktrdr/strategies';
import { manifestHashOf, manifestModels, walkForwardManifestSchema } from '@ktrdr/api-contract';

/** What the resume check reads of the blob store (BlobStore has it). */
export interface ModelBlobReader {
  get(hash: string): Promise<Buffer | null>;
  has(hash: string): Promise<boolean>;
}

/**
 * Checks that what a resumed cycle would reuse is still there, before anything starts:
 * the strategy (in the store) for every phase after design, the trained models (in the store) for
 * the backtest. Returns the reason the cycle cannot be resumed, naming what is gone, or null when
 * everything is in place. Metrics (training_result, backtest_result) live in the record and were
 * checked by planResume.
 */
export async function missingResumeArtifact(needs: ResumeNeeds, strategies: StrategyStore, blobs: ModelBlobReader): Promise<string | null> {
  if (needs.strategy) {
    const problem = await strategyProblem(needs.strategy, strategies);
    if (problem) return problem;
  }
  if (needs.model_path && !needs.model_is_stub_placeholder) return modelProblem(needs.model_path, blobs);
  return null;
}
async function strategyProblem(name: string, strategies: StrategyStore): Promise<string | null> {
  try {
    await strategies.read(name);
    return null;
  } catch (e) {
    if (e instanceof StrategyNotFoundError) {
      return strategies.storeOfRecord === 'redis' ? `strategy ${name} is gone from the store` : `strategy file is gone: ${strategies.pathOf(name)}`;
    }
    if (e instanceof StrategyInvalidError) return `strategy file is no longer valid: ${e.message}`;
    if (e instanceof KtrdrError) return `strategy ${name} cannot be read: ${e.message}`;
    return `strategy file cannot be read: ${strategies.dir}/${name}.yaml (${(e as Error).message})`;
  }
}

/**
 * The walk-forward manifest behind `blob:<sha256>` and every model it names. A path of any other
 * shape is a directory an older version wrote on one host's disk, which a worker elsewhere cannot read.
 */
async function modelProblem(modelPath: string, blobs: ModelBlobReader): Promise<string | null> {
  const hash = manifestHashOf(modelPath);
  if (!hash) return `the trained model is not in the store: ${modelPath} is a directory on one host's disk (from an older version); train again`;
  const bytes = await blobs.get(hash);
  if (!bytes) return `the trained model is gone from the store: ${modelPath} (kept KTRDR_ARTIFACT_TTL_DAYS after its cycle ended)`;
  const manifest = walkForwardManifestSchema.safeParse(JSON.parse(bytes.toString('utf8')));
  if (!manifest.success) return `the trained model's manifest ${modelPath} is not a walk-forward manifest`;
  const models = manifestModels(manifest.data);
  // Side by side: a run has a model per fold and seed (15 for v3_minimal), each one EXISTS.
  const present = await Promise.all(models.map((model) => blobs.has(model)));
  const missing = models.filter((_, i) => !present[i]).map((model) => model.slice(0, 12));
  return missing.length
    ? `the trained model is incomplete: ${missing.length} of ${models.length} fold models of ${modelPath} are gone (${missing.join(', ')})`
    : null;
}
