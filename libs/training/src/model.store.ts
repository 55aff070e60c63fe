import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CLASS_LABELS, throwIfAborted } from '@ktrdr/agent-domain';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
// Registers the custom layer before any model.json that names it is deserialised.
import './reseeded-dropout.layer.js';
import { initTrainingBackend } from './tf.backend.js';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const META_FILE = 'meta.json';
const META_FORMAT = 1;

/** meta.json: what a reader needs beside the weights to use the model (the caller's `extra` holds scaler, feature names…). */
export interface ModelMeta<E = Record<string, unknown>> {
  format: number;
  saved_at: string;
  /** Number of input features (the model's input width). */
  feature_count: number;
  /** Output order of predictProbabilities: index 0 = BUY, 1 = HOLD, 2 = SELL. */
  class_labels: readonly string[];
  extra: E;
}

export interface SaveModelOptions {
  /** Checked before the final rename: an aborted save leaves nothing behind. */
  signal?: AbortSignal;
}

/**
 * Writes model.json (tfjs's layers-model format, weights manifest pointing at weights.bin),
 * weights.bin and meta.json into `dir`, atomically: everything goes into a temporary sibling
 * directory that is renamed to `dir` at the end, so a reader sees either no model or a whole one.
 * An existing `dir` (a retried training job) is replaced. tfjs has no file:// saver without
 * tfjs-node, hence the save handler that writes the files itself.
 */
export async function saveModel<E extends Record<string, unknown>>(
  model: LayersModel,
  dir: string,
  extra: E,
  opts: SaveModelOptions = {},
): Promise<ModelMeta<E>> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const inputWidth = model.inputs[0]?.shape[1];
  const meta: ModelMeta<E> = {
    format: META_FORMAT,
    saved_at: new Date().toISOString(),
    feature_count: typeof inputWidth === 'number' ? inputWidth : 0,
    class_labels: CLASS_LABELS,
    extra,
  };
  try {
    await mkdir(tmp);
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        if (!artifacts.weightSpecs || artifacts.weightData === undefined) throw new Error('tfjs returned a model without weights');
        const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
        const modelJson: tf.io.ModelJSON = {
          modelTopology: artifacts.modelTopology ?? {},
          format: artifacts.format,
          generatedBy: artifacts.generatedBy,
          convertedBy: artifacts.convertedBy,
          weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
        };
        await writeFile(join(tmp, WEIGHTS_FILE), new Uint8Array(weights));
        await writeFile(join(tmp, MODEL_FILE), JSON.stringify(modelJson));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
      }),
    );
    await writeFile(join(tmp, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
    if (opts.signal) throwIfAborted(opts.signal);
    await replaceDir(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return meta;
}

/** Renames `from` onto `to`; an existing `to` is moved aside first and removed after (rename cannot replace a non-empty directory). */
async function replaceDir(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    const old = `${from}.old`;
    await rename(to, old);
    await rename(from, to);
    await rm(old, { recursive: true, force: true });
  }
}

/** Loads a model saved by saveModel, with its meta.json. The meta's `extra` is the caller's to validate. */
export async function loadModel<E = Record<string, unknown>>(dir: string): Promise<{ model: LayersModel; meta: ModelMeta<E> }> {
  await initTrainingBackend();
  const [modelText, weights, metaText] = await Promise.all([
    readFile(join(dir, MODEL_FILE), 'utf8'),
    readFile(join(dir, WEIGHTS_FILE)),
    readFile(join(dir, META_FILE), 'utf8'),
  ]);
  const modelJson = JSON.parse(modelText) as tf.io.ModelJSON;
  // Copy into a standalone ArrayBuffer: a Buffer from readFile may be a view into a larger pooled one.
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => [tf.io.getWeightSpecs(manifest), weightData]);
  const model = await loadLayersModel(tf.io.fromMemory(artifacts));
  return { model, meta: JSON.parse(metaText) as ModelMeta<E> };
}
