import type { StrategyImportResult, StrategySource } from '@ktrdr/api-contract';
import type { ErrorJson } from './error.mapping.js';

/** One file of `strategies import`: what the API stored, or why it refused the file. */
export type StrategyImportOutcome = ({ file: string } & StrategyImportResult) | { file: string; error: ErrorJson };

export const isRefused = (o: StrategyImportOutcome): o is { file: string; error: ErrorJson } => 'error' in o;

/** Stored names as the safe alphabet spells them: an export never writes outside its directory. */
export const EXPORTABLE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The stdout lines of `strategies import` (refusals go to stderr, see importErrorLines). */
export function strategyImportLines(outcomes: readonly StrategyImportOutcome[]): string[] {
  const lines: string[] = [];
  for (const o of outcomes) {
    if (isRefused(o)) continue;
    lines.push(o.created ? `Imported ${o.name} from ${o.file}` : `Already stored: ${o.name} from ${o.file} (the same text; nothing changed)`);
  }
  if (outcomes.length > 1) {
    const created = outcomes.filter((o) => !isRefused(o) && o.created).length;
    const refused = outcomes.filter(isRefused).length;
    const kept = outcomes.length - created - refused;
    lines.push(`${created} imported, ${kept} already stored, ${refused} refused`);
  }
  return lines;
}

/** One stderr line per refused file, naming it. */
export function importErrorLines(outcomes: readonly StrategyImportOutcome[]): string[] {
  return outcomes.filter(isRefused).map((o) => `Error: ${o.file}: ${o.error.message}`);
}

/** The stdout lines of `strategies export`. */
export function strategyExportLines(source: StrategySource, path: string): string[] {
  const lines = [`Exported ${source.name} to ${path}`];
  if (!source.valid) {
    const errors = source.errors ?? [];
    lines.push(`  It does not pass the schema: ${errors[0] ?? 'invalid'}${errors.length > 1 ? ` (+${errors.length - 1} more)` : ''}`);
  }
  return lines;
}
