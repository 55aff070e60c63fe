import type { Redis } from 'ioredis';
import { newOperationId } from './operation-id.js';
import {
  AtCapacityError,
  OperationExistsError,
  OperationFinishedError,
  OperationNotFoundError,
  ParentMovedError,
  ParentNotRunningError,
} from './operation.errors.js';
import {
  EMPTY_PROGRESS,
  OperationStatus,
  type ListFilter,
  type ListPage,
  type OperationInfo,
  type OperationProgress,
  type OperationType,
  type Parameters,
} from './operation.types.js';
import { CANCEL_TREE_SCRIPT, CREATE_SCRIPT, MUTATE_SCRIPT } from './operations.lua.js';
import { RedisKeys } from './redis-keys.js';
import { ALLOWED_TRANSITIONS } from './status-machine.js';

/** Outcome of a transition: applied, or refused with the status that stood in the way. */
export type TransitionOutcome =
  { applied: true; previous: OperationStatus; operation: OperationInfo } | { applied: false; reason: 'terminal' | 'invalid'; current: OperationStatus };

export interface CreateOptions {
  type: OperationType;
  /** A pre-generated id (see newOperationId), when the caller must know it before the create. */
  id?: string;
  parentId?: string;
  parameters?: Parameters;
  progress?: OperationProgress;
  /** Refuse (atomically) unless the parent is `running`: no child for a cancelled cycle. */
  requireParentRunning?: boolean;
  /** Parent metadata and progress written in the same atomic step as the child's creation. */
  parentParameters?: Parameters;
  parentProgress?: OperationProgress;
  /** Refuse when this many operations of `type` are already active. */
  capacity?: number;
  /** Create only if this parent metadata parameter still holds this value (compare-and-set). */
  parentGuard?: { parameter: string; value: unknown };
  now?: Date;
}

export interface CancelOptions {
  reason: string;
  childReason: string;
  source: string;
  now?: Date;
}

export interface CancelOutcome {
  operation: OperationInfo;
  previous: OperationStatus;
  children_cancelled: string[];
}

type Fields = Record<string, string | null>;

const PARAM_PREFIX = 'm:';
const ALLOWED_CSV = Object.entries(ALLOWED_TRANSITIONS)
  .flatMap(([from, tos]) => tos.map((to) => `${from}>${to}`))
  .join(',');

function paramFields(params: Parameters | undefined): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(params ?? {})) out[PARAM_PREFIX + k] = v === undefined ? null : JSON.stringify(v);
  return out;
}

function progressFields(progress: OperationProgress | undefined): Fields {
  return progress ? { progress: JSON.stringify(progress) } : {};
}

function decode(flat: string[]): OperationInfo {
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
  const parameters: Parameters = {};
  for (const [k, v] of Object.entries(h)) if (k.startsWith(PARAM_PREFIX)) parameters[k.slice(PARAM_PREFIX.length)] = JSON.parse(v);
  return {
    operation_id: h['operation_id']!,
    operation_type: h['operation_type'] as OperationType,
    status: h['status'] as OperationStatus,
    parent_operation_id: h['parent_operation_id'] ?? null,
    created_at: h['created_at']!,
    started_at: h['started_at'] ?? null,
    completed_at: h['completed_at'] ?? null,
    progress: h['progress'] ? (JSON.parse(h['progress']) as OperationProgress) : { ...EMPTY_PROGRESS },
    metadata: { parameters },
    result_summary: h['result_summary'] ? (JSON.parse(h['result_summary']) as Record<string, unknown>) : null,
    error_message: h['error_message'] ?? null,
    failure_code: h['failure_code'] ?? null,
    cancelled_at: h['cancelled_at'] ?? null,
    cancellation_reason: h['cancellation_reason'] ?? null,
    cancelled_by: h['cancelled_by'] ?? null,
  };
}

/**
 * The store of record for operations: every status, progress, metadata, result and error
 * lives here, and every change goes through one of three atomic Lua scripts.
 */
export class OperationsStore {
  readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new RedisKeys(prefix);
  }

  async create(opts: CreateOptions): Promise<OperationInfo> {
    const now = opts.now ?? new Date();
    const id = opts.id ?? newOperationId(opts.type, now);
    const fields: Fields = {
      created_at: now.toISOString(),
      parent_operation_id: opts.parentId ?? null,
      ...paramFields(opts.parameters),
      progress: JSON.stringify(opts.progress ?? EMPTY_PROGRESS),
    };
    const parentFields: Fields = { ...paramFields(opts.parentParameters), ...progressFields(opts.parentProgress) };
    const reply = (await this.redis.eval(
      CREATE_SCRIPT,
      1,
      this.keys.op(id),
      this.keys.base,
      id,
      opts.type,
      String(now.getTime()),
      JSON.stringify(fields),
      opts.parentId ?? '',
      opts.requireParentRunning ? '1' : '0',
      JSON.stringify(parentFields),
      opts.capacity === undefined ? '' : String(opts.capacity),
      opts.parentGuard ? PARAM_PREFIX + opts.parentGuard.parameter : '',
      opts.parentGuard ? JSON.stringify(opts.parentGuard.value) : '',
    )) as string[];
    switch (reply[0]) {
      case 'OK':
        return decode(reply.slice(1));
      case 'AT_CAPACITY':
        throw new AtCapacityError(reply.slice(1), opts.capacity ?? 0);
      case 'PARENT_NOT_FOUND':
        throw new ParentNotRunningError(opts.parentId ?? '', null);
      case 'PARENT_NOT_RUNNING':
        throw new ParentNotRunningError(opts.parentId ?? '', reply[1] as OperationStatus);
      case 'PARENT_MOVED':
        throw new ParentMovedError(opts.parentId ?? '', opts.parentGuard?.parameter ?? '');
      default:
        if (opts.id) throw new OperationExistsError(opts.id);
        // 32 random bits per second make a collision practically impossible; draw a new id.
        return this.create(opts);
    }
  }

  async get(id: string): Promise<OperationInfo | null> {
    const flat = (await this.redis.call('HGETALL', this.keys.op(id))) as string[];
    return flat.length ? decode(flat) : null;
  }

  async require(id: string): Promise<OperationInfo> {
    const op = await this.get(id);
    if (!op) throw new OperationNotFoundError(id);
    return op;
  }

  start(id: string, progress?: OperationProgress): Promise<TransitionOutcome> {
    return this.transition(id, OperationStatus.Running, progressFields(progress));
  }

  complete(id: string, result: Record<string, unknown>, extra: { progress?: OperationProgress; parameters?: Parameters } = {}): Promise<TransitionOutcome> {
    return this.transition(id, OperationStatus.Completed, {
      result_summary: JSON.stringify(result),
      ...progressFields(extra.progress),
      ...paramFields(extra.parameters),
    });
  }

  /** Fails `id` with its message and, when known, the error code (`failure_code` on the record). */
  fail(id: string, errorMessage: string, parameters?: Parameters, failureCode?: string): Promise<TransitionOutcome> {
    const code: Fields = failureCode ? { failure_code: failureCode } : {};
    return this.transition(id, OperationStatus.Failed, { error_message: errorMessage, ...code, ...paramFields(parameters) });
  }

  /** Progress and/or metadata of a live operation; refused (not applied) once it is terminal. */
  update(id: string, change: { progress?: OperationProgress; parameters?: Parameters }): Promise<TransitionOutcome> {
    return this.mutate(id, 'update', '', { ...progressFields(change.progress), ...paramFields(change.parameters) });
  }

  transition(id: string, to: OperationStatus, fields: Fields = {}): Promise<TransitionOutcome> {
    return this.mutate(id, 'transition', to, fields);
  }

  /** Cancels `id` and every non-terminal descendant in one atomic step. */
  async cancel(id: string, opts: CancelOptions): Promise<CancelOutcome> {
    const now = opts.now ?? new Date();
    const reply = (await this.redis.eval(
      CANCEL_TREE_SCRIPT,
      1,
      this.keys.op(id),
      this.keys.base,
      id,
      now.toISOString(),
      String(now.getTime()),
      opts.reason,
      opts.childReason,
      opts.source,
    )) as string[];
    if (reply[0] === 'NOT_FOUND') throw new OperationNotFoundError(id);
    if (reply[0] === 'TERMINAL') throw new OperationFinishedError(id, reply[1] as OperationStatus);
    // ['OK', previous status, n, …n cancelled descendants, …the target's hash as HGETALL returns it]
    const n = Number(reply[2]);
    return { operation: decode(reply.slice(3 + n)), previous: reply[1] as OperationStatus, children_cancelled: reply.slice(3, 3 + n) };
  }

  async children(id: string): Promise<OperationInfo[]> {
    if (!(await this.redis.exists(this.keys.op(id)))) throw new OperationNotFoundError(id);
    return this.load(await this.redis.lrange(this.keys.children(id), 0, -1));
  }

  /** Active operations of a type, oldest first. */
  async active(type: OperationType): Promise<OperationInfo[]> {
    return this.load(await this.redis.zrange(this.keys.active(type), 0, '-1'));
  }

  /** Every active operation (any type), oldest first, read in one round trip. */
  async allActive(): Promise<OperationInfo[]> {
    return this.load(await this.redis.zrange(this.keys.active(), 0, '-1'));
  }

  /** The operation of `type` that reached a terminal status most recently. */
  async lastFinished(type: OperationType): Promise<OperationInfo | null> {
    const [id] = await this.redis.zrevrange(this.keys.finished(type), 0, 0);
    return id ? this.get(id) : null;
  }

  async list(filter: ListFilter): Promise<ListPage> {
    const sets: string[] = [];
    if (filter.active_only) sets.push(this.keys.active(filter.operation_type));
    else if (filter.operation_type) sets.push(this.keys.byType(filter.operation_type));
    if (filter.status) sets.push(this.keys.byStatus(filter.status));
    if (sets.length === 0) sets.push(this.keys.all());

    let ids: string[];
    let total: number;
    if (sets.length === 1) {
      const stop = filter.offset + filter.limit - 1;
      [ids, total] = await Promise.all([this.redis.zrevrange(sets[0]!, filter.offset, stop), this.redis.zcard(sets[0]!)]);
    } else {
      const all = (await this.redis.call('ZINTER', String(sets.length), ...sets)) as string[];
      total = all.length;
      ids = all.reverse().slice(filter.offset, filter.offset + filter.limit);
    }
    const [operations, active_count] = await Promise.all([this.load(ids), this.redis.zcard(this.keys.active(filter.operation_type))]);
    return { operations, total_count: total, active_count };
  }

  private async load(ids: string[]): Promise<OperationInfo[]> {
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hgetall(this.keys.op(id));
    const replies = (await pipe.exec()) ?? [];
    const out: OperationInfo[] = [];
    for (const [err, value] of replies) {
      const h = value as Record<string, string> | null;
      if (err || !h || !h['operation_id']) continue; // removed between index read and load
      out.push(decode(Object.entries(h).flat()));
    }
    return out;
  }

  private async mutate(id: string, mode: 'transition' | 'update', to: string, fields: Fields): Promise<TransitionOutcome> {
    const now = new Date();
    const reply = (await this.redis.eval(
      MUTATE_SCRIPT,
      1,
      this.keys.op(id),
      this.keys.base,
      id,
      now.toISOString(),
      String(now.getTime()),
      mode,
      to,
      ALLOWED_CSV,
      JSON.stringify(fields),
    )) as string[];
    switch (reply[0]) {
      case 'OK':
        return { applied: true, previous: reply[1] as OperationStatus, operation: decode(reply.slice(2)) };
      case 'NOT_FOUND':
        throw new OperationNotFoundError(id);
      case 'TERMINAL':
        return { applied: false, reason: 'terminal', current: reply[1] as OperationStatus };
      default:
        return { applied: false, reason: 'invalid', current: reply[1] as OperationStatus };
    }
  }
}
