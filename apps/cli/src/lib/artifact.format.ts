/**
 * Human text for `ktrdr operations artifacts`. Artifacts are JSON whose exact shape belongs to the
 * phase that wrote it, so the summary describes any JSON: scalars as they are, number
 * series by length and first → last value, other arrays by length, objects by their keys. The full
 * value is one `--json` away.
 */
import { phaseOfOperationType, type ArtifactList } from '@ktrdr/api-contract';
import type { ChildArtifacts } from './cycle.artifacts.js';
import { ktrdrCommand } from './invocation.js';

const MAX_KEYS = 12;

export function artifactListLines(list: ArtifactList): string[] {
  if (list.artifacts.length === 0) return [`No artifacts for ${list.operation_id}.`];
  return [
    `Artifacts of ${list.operation_id}:`,
    ...list.artifacts.map((name) => `  ${name}`),
    `Show one with: ${ktrdrCommand(`operations artifacts ${list.operation_id} <name> [--json]`)}`,
  ];
}

/**
 * A research cycle's artifacts, under the child operation that published each (its phase and id), so
 * the id to pass to other commands is on screen. A child that published none says so, with its status
 * when it did not complete (a failed training has no history to show).
 */
export function cycleArtifactListLines(cycleId: string, entries: readonly ChildArtifacts[]): string[] {
  if (entries.length === 0) return [`No artifacts for ${cycleId}: the research cycle has no child operations yet.`];
  if (entries.every((e) => e.artifacts.length === 0)) {
    return [`No artifacts for ${cycleId}: none of its ${entries.length} child operation(s) published any.`, ...childBlocks(cycleId, entries)];
  }
  return [
    `Artifacts of research cycle ${cycleId}, by child operation:`,
    ...childBlocks(cycleId, entries),
    `Show one with: ${ktrdrCommand(`operations artifacts ${cycleId} <name> [--json]`)}`,
  ];
}

function childBlocks(cycleId: string, entries: readonly ChildArtifacts[]): string[] {
  const labels = entries.map(({ child }) => phaseOfOperationType(child.operation_type) ?? child.operation_type);
  const width = Math.max(...labels.map((l) => l.length));
  return entries.flatMap(({ child, artifacts }, i) => {
    const notes: string[] = [];
    if (child.status !== 'completed') notes.push(child.status);
    if (child.parent_operation_id && child.parent_operation_id !== cycleId) notes.push(`reused from ${child.parent_operation_id}`);
    const head = `  ${(labels[i] ?? '').padEnd(width)}  ${child.operation_id}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
    return [head, ...(artifacts.length > 0 ? artifacts.map((name) => `    ${name}`) : ['    (none)'])];
  });
}

export function artifactSummaryLines(operationId: string, name: string, value: unknown): string[] {
  const lines = [`Artifact: ${name} of ${operationId}`];
  if (isRecord(value)) {
    const keys = Object.keys(value);
    for (const key of keys.slice(0, MAX_KEYS)) lines.push(`  ${key}: ${describe(value[key])}`);
    if (keys.length > MAX_KEYS) lines.push(`  … ${keys.length - MAX_KEYS} more field(s)`);
  } else {
    lines.push(`  ${describe(value)}`);
  }
  lines.push('Full content: add --json');
  return lines;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number') return formatNum(value);
  if (typeof value === 'string') return value.length > 80 ? `${value.slice(0, 77)}...` : value;
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return 'empty';
    if (value.every((v) => typeof v === 'number')) {
      return `${value.length} values (${formatNum(value[0] as number)} → ${formatNum(value[value.length - 1] as number)})`;
    }
    if (value.every((v) => typeof v === 'string')) {
      const shown = value.slice(0, 5).join(', ');
      return value.length > 5 ? `${value.length} items (${shown}, …)` : shown;
    }
    return `${value.length} item${value.length === 1 ? '' : 's'}`;
  }
  if (isRecord(value)) {
    const keys = Object.keys(value);
    return keys.length === 0 ? '{}' : `{${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''}}`;
  }
  return String(value);
}

function formatNum(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 1000 ? n.toFixed(2) : Number(n.toPrecision(4)).toString();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
