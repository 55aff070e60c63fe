import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import type { OperationStatus } from './operation.types.js';

export class OperationNotFoundError extends KtrdrError {
  constructor(readonly operationId: string) {
    super(ErrorCode.OperationNotFound, `Operation not found: ${operationId}`, { operation_id: operationId });
  }
}

/** A request to change an operation that already reached a terminal status. */
export class OperationFinishedError extends KtrdrError {
  constructor(
    readonly operationId: string,
    readonly status: OperationStatus,
  ) {
    super(ErrorCode.OperationFinished, `Operation ${operationId} is already finished (status: ${status})`, {
      operation_id: operationId,
      status,
    });
  }
}

/** A create with a caller-chosen id that is already taken (the caller's earlier attempt, or another's, made it). */
export class OperationExistsError extends KtrdrError {
  constructor(readonly operationId: string) {
    super(ErrorCode.InvalidTransition, `Operation id already exists: ${operationId}`, { operation_id: operationId });
  }
}

export class ParentNotRunningError extends KtrdrError {
  constructor(
    readonly parentId: string,
    readonly status: OperationStatus | null,
  ) {
    super(ErrorCode.ParentNotRunning, status ? `Parent operation ${parentId} is not running (status: ${status})` : `Parent operation not found: ${parentId}`, {
      parent_operation_id: parentId,
      status,
    });
  }
}

/** The create refused because `capacity` operations of this type are already active. */
export class AtCapacityError extends KtrdrError {
  constructor(
    readonly activeIds: string[],
    readonly limit: number,
  ) {
    super(ErrorCode.AtCapacity, `At capacity: ${activeIds.length} of ${limit} allowed operations active`, {
      active_ids: activeIds,
      limit,
    });
  }
}

/** A guarded child create lost the race: the parent had already moved on. */
export class ParentMovedError extends KtrdrError {
  constructor(
    readonly parentId: string,
    readonly parameter: string,
  ) {
    super(ErrorCode.ParentNotRunning, `Parent operation ${parentId} moved on (${parameter} changed)`, {
      parent_operation_id: parentId,
      parameter,
    });
  }
}
