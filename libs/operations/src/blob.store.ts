import { createHash, randomBytes } from 'node:crypto';
import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import type { Redis } from 'ioredis';
import { DEFAULT_ARTIFACT_TTL_SECONDS } from './artifact.store.js';
import { RedisKeys } from './redis-keys.js';

/**
 * Default size of one stored chunk: a big CSV import never becomes one giant value or one giant
 * command. 64 bytes short of 1 MiB on purpose: Redis allocates a value with its string header and
 * a little query-buffer slack, so an exact 1 MiB chunk lands in jemalloc's 1.25 MiB size class and
 * wastes 25 % (measured: docs/BENCHMARKS.md, Blob store benchmark); this one fits the 1 MiB class.
 */
export const DEFAULT_BLOB_CHUNK_BYTES = 1024 * 1024 - 64;
/**
 * How long a put's staging key outlives its last chunk write. It only has to bridge the gap between
 * two chunk writes and the publish, so it is short: a writer that dies leaves garbage for this long.
 */
export const DEFAULT_BLOB_STAGING_TTL_SECONDS = 120;
/** Bytes sent or fetched per round trip (several chunks in one pipeline or HMGET). */
export const DEFAULT_BLOB_BATCH_BYTES = 8 * 1024 * 1024;

const HASH_PATTERN = /^[0-9a-f]{64}$/;
const KIND_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;
const META_KEY_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
/**
 * Operation ids and `<namespace>:<name>` pointers; no spaces, so owners stay readable in redis-cli.
 * `^` because a market symbol may hold one (`^GSPC`) and its data is named by the symbol.
 */
const OWNER_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.:@+/^-]{0,299}$/;
const NAMESPACE_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;
/** A name may start with `^` or `-` as a market symbol may (`^GSPC:1d`, the `data` namespace's names). */
const NAME_PATTERN = /^[A-Za-z0-9_^-][A-Za-z0-9_.:@+/^-]{0,255}$/;
/** Manifest fields of a blob hash; chunks are `c:<i>`, references `r:<owner>`, caller metadata `m:<key>`. */
const RESERVED_META = new Set(['kind']);

/** What a put describes: `kind` (csv, bars, model, strategy…) plus any JSON-serialisable fields. */
export interface BlobMeta {
  kind: string;
  [key: string]: unknown;
}

export interface BlobPutOptions {
  /** References the blob for this owner in the same atomic step that publishes it (no window in which it could expire unreferenced). */
  owner?: string;
  /** Called after each batch of chunks reaches the staging key (progress of a large import); awaited, so it may also hold the put back. */
  onProgress?: (bytesWritten: number, totalBytes: number) => void | Promise<void>;
}

export interface BlobPutResult {
  hash: string;
  size: number;
  /** False when the same content was already stored (nothing was written but the TTL or reference). */
  created: boolean;
}

export interface BlobStat {
  hash: string;
  size: number;
  chunks: number;
  chunk_bytes: number;
  kind: string;
  created_at: string;
  /** Seconds before an unreferenced blob expires; null while it has references. */
  ttl: number | null;
  refs: number;
  /** The put's extra metadata fields (everything but kind). */
  meta: Record<string, unknown>;
}

export interface ReleaseOptions {
  /** Delete a blob whose last reference this was, rather than starting its retention TTL. */
  purge?: boolean;
}

export interface BlobUsage {
  blobs: number;
  /** Content bytes (what was put), not Redis memory. */
  bytes: number;
  by_kind: Record<string, { blobs: number; bytes: number }>;
}

export interface BlobStoreOptions {
  /** How long a blob with no references lives after its last put or last unref (KTRDR_ARTIFACT_TTL_DAYS × 86,400). */
  ttlSeconds?: number;
  chunkBytes?: number;
  stagingTtlSeconds?: number;
  batchBytes?: number;
}

/** A stored blob whose chunks do not add up to its content address: never returned as if it were the content. */
export class BlobCorruptError extends KtrdrError {
  constructor(
    readonly hash: string,
    readonly reason: string,
  ) {
    super(ErrorCode.Internal, `Blob ${hash.slice(0, 12)}… is corrupt: ${reason}`, { hash, reason });
  }
}

export class BlobNotFoundError extends KtrdrError {
  constructor(readonly hash: string) {
    super(ErrorCode.NotFound, `Blob not found: ${hash.slice(0, 80)}`, { hash });
  }
}

/** A put that could not publish (its staging key expired or lost chunks before the publish). */
export class BlobWriteError extends KtrdrError {
  constructor(
    readonly hash: string,
    reason: string,
  ) {
    super(ErrorCode.Internal, `Blob ${hash.slice(0, 12)}… not stored: ${reason}`, { hash, reason });
  }
}

/**
 * Drops one owner's reference to one blob; the last reference gone starts the unreferenced TTL,
 * or, with `purge`, deletes the blob there and then (the output of a child that did not complete). Shared by unref, removeOwner and the name scripts so the three cannot disagree on the counting.
 */
const UNREF_FN = `
local function unref(base, hash, owner, ttl, purge)
  local blob = base .. 'blob:' .. hash
  redis.call('SREM', base .. 'blobs:owner:' .. owner, hash)
  if redis.call('HDEL', blob, 'r:' .. owner) == 0 then return 0 end
  if redis.call('HINCRBY', blob, 'refs', -1) <= 0 then
    if purge then
      redis.call('DEL', blob)
      redis.call('HDEL', base .. 'blobs:idx', hash)
    else
      redis.call('EXPIRE', blob, ttl)
    end
  end
  return 1
end
local function ref(base, hash, owner, now)
  local blob = base .. 'blob:' .. hash
  if redis.call('HSETNX', blob, 'r:' .. owner, now) == 0 then return 0 end
  redis.call('HINCRBY', blob, 'refs', 1)
  redis.call('PERSIST', blob)
  redis.call('SADD', base .. 'blobs:owner:' .. owner, hash)
  return 1
end
`;

/**
 * Publishes a staged blob: the staging hash (chunks only) is renamed onto the blob key and the
 * manifest fields are added in the same script, so the blob key either does not exist or holds
 * every chunk. A blob that already exists (same content) is kept; the staging copy is dropped.
 * KEYS: blob, staging, index. ARGV: base, hash, size, chunks, chunk_bytes, kind, created_at, ttl,
 * meta JSON (field → JSON text), owner|'', now, put id (a reader's snapshot stamp: it changes when the blob is put anew).
 * Returns {1} created, {0} existed, {-1, found} chunks missing, {-2, found} bytes missing.
 */
const PUBLISH_SCRIPT = `${UNREF_FN}
local blob, stage, idx = KEYS[1], KEYS[2], KEYS[3]
local base, hash, ttl, owner = ARGV[1], ARGV[2], tonumber(ARGV[8]), ARGV[10]
local function settle()
  if owner ~= '' then ref(base, hash, owner, ARGV[11]) end
  if tonumber(redis.call('HGET', blob, 'refs')) > 0 then redis.call('PERSIST', blob) else redis.call('EXPIRE', blob, ttl) end
  redis.call('HSET', idx, hash, redis.call('HGET', blob, 'size') .. ' ' .. redis.call('HGET', blob, 'kind'))
end
if redis.call('EXISTS', blob) == 1 then
  redis.call('DEL', stage)
  settle()
  return {0}
end
local chunks = tonumber(ARGV[4])
if chunks > 0 then
  local found = redis.call('HLEN', stage)
  if found ~= chunks then return {-1, found} end
  local total = 0
  for i = 0, chunks - 1 do total = total + redis.call('HSTRLEN', stage, 'c:' .. i) end
  if total ~= tonumber(ARGV[3]) then return {-2, total} end
  redis.call('RENAME', stage, blob)
end
redis.call('HSET', blob, 'size', ARGV[3], 'chunks', ARGV[4], 'chunk_bytes', ARGV[5], 'kind', ARGV[6], 'created_at', ARGV[7], 'put_id', ARGV[12], 'refs', 0)
for k, v in pairs(cjson.decode(ARGV[9])) do redis.call('HSET', blob, 'm:' .. k, v) end
settle()
return {1}
`;

/** KEYS: blob. ARGV: base, hash, owner, now. Returns 1 added, 0 already held, -1 no such blob. */
const REF_SCRIPT = `${UNREF_FN}
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return ref(ARGV[1], ARGV[2], ARGV[3], ARGV[4])
`;

/** ARGV: base, hash, owner, ttl, purge ('1'|''). Returns 1 dropped, 0 not held. */
const UNREF_SCRIPT = `${UNREF_FN}
return unref(ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5] == '1')
`;

/** KEYS: owner set. ARGV: base, owner, ttl, purge ('1'|''). Returns how many references were dropped. */
const REMOVE_OWNER_SCRIPT = `${UNREF_FN}
local n = 0
for _, hash in ipairs(redis.call('SMEMBERS', KEYS[1])) do n = n + unref(ARGV[1], hash, ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1') end
redis.call('DEL', KEYS[1])
return n
`;

/**
 * Points a name at a blob and makes the pointer a reference (owner `<namespace>:<name>`), dropping
 * the reference of the blob it pointed at before. KEYS: names hash. ARGV: base, owner, name, hash,
 * mode ('set'|'nx'), now, ttl. Returns {1, previous|''} set, {0, current} refused (nx), {-1} no such blob.
 */
const SET_NAME_SCRIPT = `${UNREF_FN}
local base, owner, name, hash = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local cur = redis.call('HGET', KEYS[1], name)
if cur and ARGV[5] == 'nx' then return {0, cur} end
if redis.call('EXISTS', base .. 'blob:' .. hash) == 0 then return {-1} end
redis.call('HSET', KEYS[1], name, hash)
ref(base, hash, owner, ARGV[6])
if cur and cur ~= hash then unref(base, cur, owner, tonumber(ARGV[7]), false) end
return {1, cur or ''}
`;

/** KEYS: names hash. ARGV: base, owner, name, ttl. Returns 1 deleted, 0 no such name. */
const DELETE_NAME_SCRIPT = `${UNREF_FN}
local cur = redis.call('HGET', KEYS[1], ARGV[3])
if not cur then return 0 end
redis.call('HDEL', KEYS[1], ARGV[3])
unref(ARGV[1], cur, ARGV[2], tonumber(ARGV[4]), false)
return 1
`;

/** KEYS: index. ARGV: base, hashes… Drops index entries whose blob expired; returns those hashes. */
const PRUNE_SCRIPT = `
local gone = {}
for i = 2, #ARGV do
  if redis.call('EXISTS', ARGV[1] .. 'blob:' .. ARGV[i]) == 0 then
    redis.call('HDEL', KEYS[1], ARGV[i])
    gone[#gone + 1] = ARGV[i]
  end
end
return gone
`;

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

function check(pattern: RegExp, what: string, value: string): string {
  if (!pattern.test(value)) throw new KtrdrError(ErrorCode.BadRequest, `Invalid blob ${what}: ${value.slice(0, 80)}`, { [what]: value.slice(0, 80) });
  return value;
}

/**
 * Content-addressed blobs in Redis (strategy files, trained models, imported market data), so a
 * phase can hand its output to the next on any host. Key layout, all under the `{ops}` hash tag so
 * the scripts stay on one slot of a clustered Redis:
 *
 * - `blob:<sha256>` — one hash per blob: manifest fields (size, chunks, chunk_bytes, kind,
 *   created_at, put_id, refs), the chunks `c:0…c:n-1`, one `r:<owner>` field per reference, `m:<key>` metadata.
 *   One key rather than a manifest plus chunk keys: it is published by one RENAME and expires as
 *   one, so neither a reader nor Redis' own expiry can ever leave half a blob behind.
 * - `blob-stage:<random>` — a put in progress (chunks only), with a short TTL renewed per batch.
 * - `blobs:owner:<owner>` — the hashes an owner references (for removeOwner).
 * - `blobs:names:<namespace>` — name → hash pointers (strategy v3_minimal → its YAML's hash).
 * - `blobs:idx` — hash → "size kind", for usage(); entries of expired blobs are pruned as it reads.
 *
 * Lifecycle: a blob with no references expires `ttlSeconds` after its last put or last unref; a
 * reference (an operation id, or a name pointer as `<namespace>:<name>`) makes it permanent until
 * the last one goes.
 */
export class BlobStore {
  readonly keys: RedisKeys;
  readonly ttlSeconds: number;
  readonly chunkBytes: number;
  readonly stagingTtlSeconds: number;
  readonly batchBytes: number;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    options: BlobStoreOptions = {},
  ) {
    this.keys = new RedisKeys(prefix);
    this.ttlSeconds = Math.max(1, Math.round(options.ttlSeconds ?? DEFAULT_ARTIFACT_TTL_SECONDS));
    this.chunkBytes = Math.max(1, Math.floor(options.chunkBytes ?? DEFAULT_BLOB_CHUNK_BYTES));
    this.stagingTtlSeconds = Math.max(1, Math.round(options.stagingTtlSeconds ?? DEFAULT_BLOB_STAGING_TTL_SECONDS));
    this.batchBytes = Math.max(1, Math.floor(options.batchBytes ?? DEFAULT_BLOB_BATCH_BYTES));
  }

  blobKey(hash: string): string {
    return `${this.keys.base}blob:${hash}`;
  }
  stagingKey(token: string): string {
    return `${this.keys.base}blob-stage:${token}`;
  }
  ownerKey(owner: string): string {
    return `${this.keys.base}blobs:owner:${owner}`;
  }
  namesKey(namespace: string): string {
    return `${this.keys.base}blobs:names:${namespace}`;
  }
  indexKey(): string {
    return `${this.keys.base}blobs:idx`;
  }

  /**
   * Stores the bytes under their SHA-256 and answers the address. Chunks go to a staging key first
   * (a batch per round trip), then one script publishes them; content already stored is not sent
   * again. Throws BlobWriteError when the staging key lost chunks before the publish.
   */
  async put(bytes: Uint8Array, meta: BlobMeta, options: BlobPutOptions = {}): Promise<BlobPutResult> {
    const data = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const kind = check(KIND_PATTERN, 'kind', meta.kind);
    const owner = options.owner === undefined ? '' : check(OWNER_PATTERN, 'owner', options.owner);
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(meta)) {
      if (RESERVED_META.has(key) || value === undefined) continue;
      check(META_KEY_PATTERN, 'meta key', key);
      const json = JSON.stringify(value);
      if (json === undefined) throw new KtrdrError(ErrorCode.BadRequest, `Blob meta ${key} is not JSON-serialisable`);
      fields[key] = json;
    }
    const hash = sha256(data);
    const size = data.byteLength;
    const chunks = Math.ceil(size / this.chunkBytes);
    // Known content is not uploaded again; should it expire before the publish, the script says so and it is.
    let staged = chunks === 0 || !(await this.has(hash));
    for (;;) {
      const token = randomBytes(12).toString('hex');
      const stage = this.stagingKey(token);
      if (staged && chunks > 0) await this.stage(stage, data, chunks, options.onProgress);
      const [status, found] = (await this.redis.eval(
        PUBLISH_SCRIPT,
        3,
        this.blobKey(hash),
        stage,
        this.indexKey(),
        this.keys.base,
        hash,
        size,
        chunks,
        this.chunkBytes,
        kind,
        new Date().toISOString(),
        this.ttlSeconds,
        JSON.stringify(fields),
        owner,
        new Date().toISOString(),
        token,
      )) as [number, number?];
      if (status >= 0) return { hash, size, created: status === 1 };
      if (!staged) {
        staged = true;
        continue;
      }
      await this.redis.del(stage);
      const what = status === -1 ? `${found} of ${chunks} chunks` : `${found} of ${size} bytes`;
      throw new BlobWriteError(hash, `the staging key held ${what} at publish (expired after ${this.stagingTtlSeconds} s without a write?)`);
    }
  }

  /**
   * Writes the chunks, a batch per MULTI transaction, renewing the staging TTL with each; a failed
   * write drops the staging key. A transaction, not a plain pipeline: Redis runs a pipeline's
   * commands as they arrive, so a writer killed while a batch was on the wire left the batch's first
   * HSETs applied without the EXPIRE behind them — a staging key that never expired. A transaction
   * cut off before its EXEC is discarded whole, so every staging key carries its TTL.
   */
  private async stage(stage: string, data: Buffer, chunks: number, onProgress?: BlobPutOptions['onProgress']): Promise<void> {
    const perBatch = Math.max(1, Math.floor(this.batchBytes / this.chunkBytes));
    try {
      for (let first = 0; first < chunks; first += perBatch) {
        const pipeline = this.redis.multi();
        const last = Math.min(chunks, first + perBatch);
        for (let i = first; i < last; i++) {
          // subarray: a view, so a 100 MB import is never copied chunk by chunk before it is sent.
          pipeline.hset(stage, `c:${i}`, data.subarray(i * this.chunkBytes, (i + 1) * this.chunkBytes));
        }
        pipeline.expire(stage, this.stagingTtlSeconds);
        const replies = await pipeline.exec();
        const failed = replies?.find(([err]) => err);
        if (!replies || failed) throw failed?.[0] ?? new Error(`staging ${stage} not written (pipeline aborted)`);
        await onProgress?.(Math.min(data.byteLength, last * this.chunkBytes), data.byteLength);
      }
    } catch (e) {
      // Best effort: a writer that cannot even delete (connection lost, process killed) leaves it to the TTL.
      await this.redis.del(stage).catch(() => undefined);
      throw e;
    }
  }

  /**
   * The content, verified against its address (BlobCorruptError otherwise), or null when no such
   * blob exists or it expired while being read.
   */
  async get(hash: string): Promise<Buffer | null> {
    if (!HASH_PATTERN.test(hash)) return null;
    const key = this.blobKey(hash);
    // Re-read from the start when the blob was re-published (expired and put again) mid-read:
    // the new copy may be chunked differently. Twice in a row is not a race any more.
    for (let attempt = 0; attempt < 3; attempt++) {
      const [sizeText, chunksText, chunkText, putId] = await this.redis.hmget(key, 'size', 'chunks', 'chunk_bytes', 'put_id');
      if (sizeText === null || chunksText === null || chunkText === null || putId === null) return null;
      const size = Number(sizeText);
      const chunks = Number(chunksText);
      const perBatch = Math.max(1, Math.floor(this.batchBytes / Math.max(1, Number(chunkText))));
      const parts: Buffer[] = [];
      let total = 0;
      let republished = false;
      for (let first = 0; first < chunks && !republished; first += perBatch) {
        const fields: string[] = [];
        for (let i = first; i < Math.min(chunks, first + perBatch); i++) fields.push(`c:${i}`);
        // put_id with every batch: the chunks of one HMGET and its stamp are one snapshot.
        const [stamp, ...values] = await this.redis.hmgetBuffer(key, 'put_id', ...fields);
        if (!stamp) return null;
        if (stamp.toString() !== putId) {
          republished = true;
          break;
        }
        values.forEach((v, j) => {
          if (!v) throw new BlobCorruptError(hash, `chunk ${first + j} of ${chunks} is missing`);
          parts.push(v);
          total += v.byteLength;
        });
      }
      if (republished) continue;
      if (total !== size) throw new BlobCorruptError(hash, `chunks hold ${total} bytes, the manifest says ${size}`);
      const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
      const actual = sha256(data);
      if (actual !== hash) throw new BlobCorruptError(hash, `content hashes to ${actual.slice(0, 12)}…`);
      return data;
    }
    throw new BlobCorruptError(hash, 're-published three times while being read');
  }

  async has(hash: string): Promise<boolean> {
    return HASH_PATTERN.test(hash) && (await this.redis.exists(this.blobKey(hash))) === 1;
  }

  async stat(hash: string): Promise<BlobStat | null> {
    if (!HASH_PATTERN.test(hash)) return null;
    const key = this.blobKey(hash);
    const [[, fields], [, ttl]] = (await this.redis.multi().hmget(key, 'size', 'chunks', 'chunk_bytes', 'kind', 'created_at', 'refs').ttl(key).exec()) as [
      [null, (string | null)[]],
      [null, number],
    ];
    const [size, chunks, chunkBytes, kind, createdAt, refs] = fields;
    if (size == null || chunks == null || chunkBytes == null || kind == null || createdAt == null) return null;
    const meta: Record<string, unknown> = {};
    for (const [field, value] of await this.scanFields(key, 'm:*')) meta[field.slice(2)] = JSON.parse(value) as unknown;
    return {
      hash,
      size: Number(size),
      chunks: Number(chunks),
      chunk_bytes: Number(chunkBytes),
      kind,
      created_at: createdAt,
      ttl: ttl >= 0 ? ttl : null,
      refs: Number(refs ?? 0),
      meta,
    };
  }

  /** Who references the blob, sorted. */
  async owners(hash: string): Promise<string[]> {
    if (!HASH_PATTERN.test(hash)) return [];
    return (await this.scanFields(this.blobKey(hash), 'r:*')).map(([field]) => field.slice(2)).sort();
  }

  /** HSCAN with a pattern: the hash also holds the chunks, which HGETALL would fetch. */
  private async scanFields(key: string, match: string): Promise<[string, string][]> {
    const out = new Map<string, string>();
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(key, cursor, 'MATCH', match, 'COUNT', 1000);
      for (let i = 0; i + 1 < flat.length; i += 2) out.set(flat[i]!, flat[i + 1]!);
      cursor = next;
    } while (cursor !== '0');
    return [...out];
  }

  /** References the blob for `owner` (idempotent); true when this call added the reference. Throws BlobNotFoundError. */
  async ref(hash: string, owner: string): Promise<boolean> {
    check(HASH_PATTERN, 'hash', hash);
    check(OWNER_PATTERN, 'owner', owner);
    const reply = (await this.redis.eval(REF_SCRIPT, 1, this.blobKey(hash), this.keys.base, hash, owner, new Date().toISOString())) as number;
    if (reply < 0) throw new BlobNotFoundError(hash);
    return reply === 1;
  }

  /**
   * Drops `owner`'s reference; true when it held one. The last reference gone starts the TTL, or
   * with `purge` deletes the blob at once (what a discarded child made: nobody else holds it).
   */
  async unref(hash: string, owner: string, options: ReleaseOptions = {}): Promise<boolean> {
    check(HASH_PATTERN, 'hash', hash);
    check(OWNER_PATTERN, 'owner', owner);
    return ((await this.redis.eval(UNREF_SCRIPT, 0, this.keys.base, hash, owner, this.ttlSeconds, options.purge ? '1' : '')) as number) === 1;
  }

  /**
   * Drops every reference `owner` holds; answers how many. Without `purge` (a finished cycle
   * releasing its models) each blob nobody else holds keeps `ttlSeconds` of retention; with it (a
   * discarded or cancelled child) such blobs are deleted at once.
   */
  async removeOwner(owner: string, options: ReleaseOptions = {}): Promise<number> {
    check(OWNER_PATTERN, 'owner', owner);
    return (await this.redis.eval(REMOVE_OWNER_SCRIPT, 1, this.ownerKey(owner), this.keys.base, owner, this.ttlSeconds, options.purge ? '1' : '')) as number;
  }

  /** The hashes `owner` references, sorted. */
  async ownedBy(owner: string): Promise<string[]> {
    check(OWNER_PATTERN, 'owner', owner);
    return (await this.redis.smembers(this.ownerKey(owner))).sort();
  }

  /**
   * Points `namespace`/`name` at a stored blob, replacing any earlier pointer; the pointer is a
   * reference (owner `<namespace>:<name>`), so a named blob never expires. Answers the hash it
   * pointed at before, or null. Throws BlobNotFoundError when the blob is not stored.
   */
  async setName(namespace: string, name: string, hash: string): Promise<string | null> {
    const [status, previous] = await this.nameScript(namespace, name, hash, 'set');
    if (status < 0) throw new BlobNotFoundError(hash);
    return previous || null;
  }

  /**
   * Create-only setName: two writers of the same name never overwrite each other. Answers whether
   * this call set it and what the name points at now.
   */
  async setNameIfAbsent(namespace: string, name: string, hash: string): Promise<{ set: boolean; hash: string }> {
    const [status, current] = await this.nameScript(namespace, name, hash, 'nx');
    if (status < 0) throw new BlobNotFoundError(hash);
    return status === 1 ? { set: true, hash } : { set: false, hash: current! };
  }

  private async nameScript(namespace: string, name: string, hash: string, mode: 'set' | 'nx'): Promise<[number, string?]> {
    check(NAMESPACE_PATTERN, 'namespace', namespace);
    check(NAME_PATTERN, 'name', name);
    check(HASH_PATTERN, 'hash', hash);
    return (await this.redis.eval(
      SET_NAME_SCRIPT,
      1,
      this.namesKey(namespace),
      this.keys.base,
      `${namespace}:${name}`,
      name,
      hash,
      mode,
      new Date().toISOString(),
      this.ttlSeconds,
    )) as [number, string?];
  }

  async getName(namespace: string, name: string): Promise<string | null> {
    if (!NAMESPACE_PATTERN.test(namespace) || !NAME_PATTERN.test(name)) return null;
    return this.redis.hget(this.namesKey(namespace), name);
  }

  /** Every name of the namespace with the hash it points at, sorted by name. */
  async listNames(namespace: string): Promise<{ name: string; hash: string }[]> {
    if (!NAMESPACE_PATTERN.test(namespace)) return [];
    const all = await this.redis.hgetall(this.namesKey(namespace));
    return Object.entries(all)
      .map(([name, hash]) => ({ name, hash }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Removes the pointer and its reference; true when the name existed. */
  async deleteName(namespace: string, name: string): Promise<boolean> {
    check(NAMESPACE_PATTERN, 'namespace', namespace);
    check(NAME_PATTERN, 'name', name);
    return (
      ((await this.redis.eval(DELETE_NAME_SCRIPT, 1, this.namesKey(namespace), this.keys.base, `${namespace}:${name}`, name, this.ttlSeconds)) as number) === 1
    );
  }

  /**
   * Stored blobs and their content bytes, per kind, for a health line. Reads the index in batches
   * and prunes the entries of blobs that expired (Redis expiry sends the index no notice).
   */
  async usage(): Promise<BlobUsage> {
    const live = new Map<string, { size: number; kind: string }>();
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.indexKey(), cursor, 'COUNT', 500);
      cursor = next;
      const batch = new Map<string, { size: number; kind: string }>();
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const [size, kind] = flat[i + 1]!.split(' ');
        batch.set(flat[i]!, { size: Number(size), kind: kind ?? 'unknown' });
      }
      if (batch.size === 0) continue;
      const gone = new Set((await this.redis.eval(PRUNE_SCRIPT, 1, this.indexKey(), this.keys.base, ...batch.keys())) as string[]);
      for (const [hash, entry] of batch) if (!gone.has(hash)) live.set(hash, entry);
    } while (cursor !== '0');
    const usage: BlobUsage = { blobs: 0, bytes: 0, by_kind: {} };
    for (const { size, kind } of live.values()) {
      usage.blobs += 1;
      usage.bytes += size;
      const k = (usage.by_kind[kind] ??= { blobs: 0, bytes: 0 });
      k.blobs += 1;
      k.bytes += size;
    }
    return usage;
  }
}
