import { MODEL_BLOB_KIND, WALK_FORWARD_BLOB_KIND, manifestHashOf, modelPathOf, walkForwardManifestSchema, type WalkForwardManifest } from '@ktrdr/api-contract';
import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import type { BlobStore } from '@ktrdr/operations';
import { packModel, unpackModel, type ModelMeta } from '@ktrdr/training';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/** A model path that names nothing in the store (never trained here, or expired after its cycle ended). */
export class ModelGoneError extends KtrdrError {
  constructor(what: string, modelPath: string) {
    super(
      ErrorCode.ExecutorFailed,
      `${what} is gone from the store (${modelPath}): it expired after its cycle ended, or was never stored; train the strategy again`,
      { model_path: modelPath },
    );
  }
}

/**
 * Trained models in the blob store, so the backtest finds them on whichever host it runs: each
 * fold's seed model is one blob (packModel's bytes), and a training run's walk-forward manifest
 * another, whose address is the cycle's `model_path`.
 *
 * Ownership: every blob of a run is referenced by its training phase child (the owner), which
 * keeps it for as long as the cycle may still need it — running, or ended where a resume could run
 * the backtest again (resumeNeedsModel). A child that does not complete purges its own (`discard`,
 * `discardRun`); a cycle that completes, or is refused at the training gate, releases its run
 * (`release`), and the blobs keep KTRDR_ARTIFACT_TTL_DAYS of retention from then.
 */
export class ModelBlobs {
  constructor(private readonly blobs: BlobStore) {}

  /** Stores one trained model for `owner` (the training phase child); answers its address. */
  async save<E extends Record<string, unknown>>(model: LayersModel, extra: E, owner: string, signal?: AbortSignal): Promise<string> {
    const { bytes } = await packModel(model, extra, { signal });
    const stored = await this.blobs.put(bytes, { kind: MODEL_BLOB_KIND, strategy: extra['strategy_name'] }, { owner });
    return stored.hash;
  }

  async load<E = Record<string, unknown>>(hash: string, modelPath: string): Promise<{ model: LayersModel; meta: ModelMeta<E> }> {
    const bytes = await this.blobs.get(hash);
    if (!bytes) throw new ModelGoneError(`model ${hash.slice(0, 12)}…`, modelPath);
    return unpackModel<E>(bytes);
  }

  /** Stores the run's manifest for its training phase child; answers the cycle's `model_path`. */
  async saveManifest(manifest: WalkForwardManifest): Promise<string> {
    const bytes = Buffer.from(JSON.stringify(walkForwardManifestSchema.parse(manifest)), 'utf8');
    const stored = await this.blobs.put(
      bytes,
      { kind: WALK_FORWARD_BLOB_KIND, strategy: manifest.strategy_name, folds: manifest.folds.length },
      { owner: manifest.training_operation_id },
    );
    return modelPathOf(stored.hash);
  }

  async readManifest(modelPath: string): Promise<WalkForwardManifest> {
    const hash = manifestHashOf(modelPath);
    if (!hash) {
      throw new KtrdrError(ErrorCode.ExecutorFailed, `the model path ${modelPath} is not a store address (blob:<sha256>); train the strategy again`, {
        model_path: modelPath,
      });
    }
    const bytes = await this.blobs.get(hash);
    if (!bytes) throw new ModelGoneError('the walk-forward manifest', modelPath);
    return walkForwardManifestSchema.parse(JSON.parse(bytes.toString('utf8')));
  }

  /** A fold job's own models, when it did not complete: deleted unless another run holds the same bytes. */
  async discard(hashes: readonly string[], owner: string): Promise<void> {
    await Promise.all(hashes.map((h) => this.blobs.unref(h, owner, { purge: true })));
  }

  /**
   * A run no resume can use any more: every owner of its manifest (the training child that made it)
   * lets go, and the blobs keep the retention TTL from now.
   */
  async release(modelPath: string): Promise<number> {
    const hash = manifestHashOf(modelPath);
    if (!hash) return 0;
    let released = 0;
    for (const owner of await this.blobs.owners(hash)) released += await this.blobs.removeOwner(owner);
    return released;
  }

  /** Everything a training phase child stored, when it did not complete. */
  async discardRun(owner: string): Promise<void> {
    await this.blobs.removeOwner(owner, { purge: true });
  }
}
