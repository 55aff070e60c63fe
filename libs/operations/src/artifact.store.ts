import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import type { Redis } from 'ioredis';
import { RedisKeys } from './redis-keys.js';

/** Defaults of the artifacts' bounded retention; processes pass their configured values. */
export const DEFAULT_ARTIFACT_TTL_SECONDS = 30 * 86_400;
export const DEFAULT_ARTIFACT_MAX_BYTES = 5 * 1024 * 1024;

/** Artifact names are short identifiers; the API narrows them to the catalogue (ARTIFACT_NAMES). */
const NAME_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

export class ArtifactTooLargeError extends KtrdrError {
  constructor(
    readonly operationId: string,
    readonly artifact: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(
      ErrorCode.ArtifactTooLarge,
      `Artifact ${artifact} of ${operationId} is too large: ${(bytes / 1048576).toFixed(1)} MB > ${(maxBytes / 1048576).toFixed(1)} MB`,
      { operation_id: operationId, artifact, bytes, max_bytes: maxBytes },
    );
  }
}

export class ArtifactNotFoundError extends KtrdrError {
  constructor(
    readonly operationId: string,
    readonly artifact: string,
  ) {
    super(ErrorCode.ArtifactNotFound, `Artifact not found: ${artifact}`, { operation_id: operationId, artifact });
  }
}

export interface ArtifactStoreOptions {
  /** How long an operation's artifacts live after their last write (the whole set expires together). */
  ttlSeconds?: number;
  /** Largest serialised artifact accepted, in bytes (UTF-8 JSON). */
  maxBytes?: number;
}

/**
 * JSON artifacts of an operation (strategy, history, equity, assessment), kept in Redis
 * beside the records so every API and worker replica sees the same ones. One hash per operation,
 * one field per artifact, one TTL for the hash: Redis 7.0 has no per-field expiry, and an
 * operation's artifacts are written together (when its phase completes) and age together.
 * Values are stored as the JSON text, so the API can serve them without re-encoding.
 */
export class ArtifactStore {
  readonly keys: RedisKeys;
  readonly ttlSeconds: number;
  readonly maxBytes: number;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    options: ArtifactStoreOptions = {},
  ) {
    this.keys = new RedisKeys(prefix);
    this.ttlSeconds = Math.max(1, Math.round(options.ttlSeconds ?? DEFAULT_ARTIFACT_TTL_SECONDS));
    this.maxBytes = options.maxBytes ?? DEFAULT_ARTIFACT_MAX_BYTES;
  }

  put(operationId: string, name: string, value: unknown): Promise<void> {
    return this.putAll(operationId, { [name]: value });
  }

  /**
   * Writes several artifacts at once: all or none (every one is checked before anything is written,
   * then one MULTI writes them and renews the TTL).
   */
  async putAll(operationId: string, artifacts: Readonly<Record<string, unknown>>): Promise<void> {
    const fields: string[] = [];
    for (const [name, value] of Object.entries(artifacts)) {
      if (value === undefined) continue;
      fields.push(checkedName(name), this.encode(operationId, name, value));
    }
    if (fields.length === 0) return;
    const key = this.keys.artifacts(operationId);
    const replies = await this.redis
      .multi()
      .hset(key, ...fields)
      .expire(key, this.ttlSeconds)
      .exec();
    const failed = replies?.find(([err]) => err);
    if (!replies || failed) throw failed?.[0] ?? new Error(`artifacts of ${operationId} not written (transaction aborted)`);
  }

  /** The artifact's value, or null when the operation has none by that name (or it expired). */
  async get(operationId: string, name: string): Promise<unknown> {
    const raw = await this.getRaw(operationId, name);
    return raw === null ? null : (JSON.parse(raw) as unknown);
  }

  /** The stored JSON text, for callers that pass it on unchanged (the HTTP route). */
  async getRaw(operationId: string, name: string): Promise<string | null> {
    if (!NAME_PATTERN.test(name)) return null;
    return this.redis.hget(this.keys.artifacts(operationId), name);
  }

  /** Names of the operation's artifacts, sorted. */
  async list(operationId: string): Promise<string[]> {
    return (await this.redis.hkeys(this.keys.artifacts(operationId))).sort();
  }

  /** Seconds before the operation's artifacts expire; null when it has none. */
  async ttl(operationId: string): Promise<number | null> {
    const t = await this.redis.ttl(this.keys.artifacts(operationId));
    return t < 0 ? null : t;
  }

  async remove(operationId: string): Promise<void> {
    await this.redis.del(this.keys.artifacts(operationId));
  }

  /** Same as remove: the name the worker's ArtifactSink uses. */
  removeAll(operationId: string): Promise<void> {
    return this.remove(operationId);
  }

  private encode(operationId: string, name: string, value: unknown): string {
    const json = JSON.stringify(value);
    if (json === undefined) throw new KtrdrError(ErrorCode.BadRequest, `Artifact ${name} of ${operationId} is not JSON-serialisable`);
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > this.maxBytes) throw new ArtifactTooLargeError(operationId, name, bytes, this.maxBytes);
    return json;
  }
}

function checkedName(name: string): string {
  if (!NAME_PATTERN.test(name)) throw new KtrdrError(ErrorCode.BadRequest, `Invalid artifact name: ${name.slice(0, 80)}`);
  return name;
}
