import { CLASS_LABELS, throwIfAborted } from '@ktrdr/agent-domain';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
// Registers the custom layer before any topology that names it is deserialised.
import './reseeded-dropout.layer.js';
import { initTrainingBackend } from './tf.backend.js';
import { ErrorCode, KtrdrError } from '@ktrdr/errors';

/** Bytes that do not hold a model packModel made (another kind of blob, a cut or a future format). */
export class ModelUnreadableError extends KtrdrError {
  constructor(reason: string) {
    super(ErrorCode.ExecutorFailed, `the stored model cannot be read: ${reason}`, { reason });
  }
}

/** First bytes of a packed model, so a blob of another kind is refused by name rather than misread. */
const MAGIC = Buffer.from('KTRDRMDL', 'ascii');
const PACK_FORMAT = 1;

/** What a reader needs beside the weights to use the model (the caller's `extra` holds scaler, feature names…). */
export interface ModelMeta<E = Record<string, unknown>> {
  format: number;
  saved_at: string;
  /** Number of input features (the model's input width). */
  feature_count: number;
  /** Output order of predictProbabilities: index 0 = BUY, 1 = HOLD, 2 = SELL. */
  class_labels: readonly string[];
  extra: E;
}

export interface PackModelOptions {
  /** Checked once the bytes are made: an aborted save hands nothing on to be stored. */
  signal?: AbortSignal;
}

/** The header of a packed model: tfjs's topology and weight specs, and the meta. */
interface PackHeader {
  format: number;
  topology: tf.io.ModelArtifacts['modelTopology'];
  weight_specs: tf.io.WeightsManifestEntry[];
  tfjs: { format?: string; generatedBy?: string; convertedBy?: string | null };
  meta: ModelMeta<Record<string, unknown>>;
}

/**
 * One trained model as one byte string, for the blob store: `KTRDRMDL`, the header's length
 * (uint32, little-endian), the header as JSON (topology, weight specs, meta), then the weights.
 * One value rather than tfjs's model.json + weights.bin + meta.json files: the store publishes a
 * blob atomically, so a reader gets the whole model or none, on any host. tfjs has no saver for a
 * byte string, hence the save handler that captures the artifacts.
 */
export async function packModel<E extends Record<string, unknown>>(
  model: LayersModel,
  extra: E,
  opts: PackModelOptions = {},
): Promise<{ bytes: Buffer; meta: ModelMeta<E> }> {
  const inputWidth = model.inputs[0]?.shape[1];
  const meta: ModelMeta<E> = {
    format: PACK_FORMAT,
    saved_at: new Date().toISOString(),
    feature_count: typeof inputWidth === 'number' ? inputWidth : 0,
    class_labels: CLASS_LABELS,
    extra,
  };
  let packed: Buffer | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      if (!artifacts.weightSpecs || artifacts.weightData === undefined) throw new Error('tfjs returned a model without weights');
      const weights = Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
      const header: PackHeader = {
        format: PACK_FORMAT,
        topology: artifacts.modelTopology ?? {},
        weight_specs: artifacts.weightSpecs,
        tfjs: { format: artifacts.format, generatedBy: artifacts.generatedBy, convertedBy: artifacts.convertedBy },
        meta,
      };
      const json = Buffer.from(JSON.stringify(header), 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(json.byteLength);
      packed = Buffer.concat([MAGIC, length, json, weights]);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    }),
  );
  if (opts.signal) throwIfAborted(opts.signal);
  if (!packed) throw new Error('tfjs did not call the save handler');
  return { bytes: packed, meta };
}

/** A model packed by packModel, with its meta. The meta's `extra` is the caller's to validate. */
export async function unpackModel<E = Record<string, unknown>>(bytes: Uint8Array): Promise<{ model: LayersModel; meta: ModelMeta<E> }> {
  const data = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerEnd = MAGIC.length + 4;
  if (data.byteLength < headerEnd || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ModelUnreadableError('its first bytes are not KTRDRMDL');
  }
  const length = data.readUInt32LE(MAGIC.length);
  if (headerEnd + length > data.byteLength) throw new ModelUnreadableError(`cut short: a ${length}-byte header in ${data.byteLength} bytes`);
  const header = JSON.parse(data.subarray(headerEnd, headerEnd + length).toString('utf8')) as PackHeader;
  if (header.format !== PACK_FORMAT) throw new ModelUnreadableError(`format ${String(header.format)}, this version reads ${PACK_FORMAT}`);
  await initTrainingBackend();
  // Copy into a standalone ArrayBuffer: the weights are a view into the blob's larger buffer.
  const weights = data.subarray(headerEnd + length);
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  const model = await loadLayersModel(
    tf.io.fromMemory({
      modelTopology: header.topology,
      weightSpecs: header.weight_specs,
      weightData,
      ...header.tfjs,
      convertedBy: header.tfjs.convertedBy ?? null,
    }),
  );
  return { model, meta: header.meta as ModelMeta<E> };
}
