/**
 * Human text for `ktrdr operations artifacts`. Artifacts are JSON whose exact shape belongs to the
 * phase that wrote it, so the summary describes any JSON: scalars as they are, number
 * series by length and first → last value, other arrays by length, objects by their keys. The full
 * value is one `--json` away.
 */
import type { ArtifactList } from '@ktrdr/api-contract';
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
