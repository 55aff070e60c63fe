import { randomBytes } from 'node:crypto';
import type { OperationType } from './operation.types.js';

const ID_PATTERN = /^op_[a-z_]+_\d{8}_\d{6}_[0-9a-f]{8}$/;

/** `op_{type}_{YYYYMMDD_HHMMSS}_{8 hex}` in UTC. */
export function newOperationId(type: OperationType, now: Date = new Date()): string {
  const iso = now.toISOString(); // 2026-11-25T14:30:22.123Z
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}_${iso.slice(11, 19).replaceAll(':', '')}`;
  return `op_${type}_${stamp}_${randomBytes(4).toString('hex')}`;
}

/** Cheap shape check so hostile ids never reach Redis key construction. */
export function isOperationIdShape(id: string): boolean {
  return ID_PATTERN.test(id);
}
