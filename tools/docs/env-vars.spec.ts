import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../shared/repo-root';

/**
 * Every environment variable a process reads is in the README's configuration table: the ones an
 * env schema declares (`NAME: z…` in a `*.config.ts`) and the ones read directly (`process.env['NAME']`).
 * Tests and benchmarks read their own knobs; those are not settings of ktrdr and are left out.
 */
const ROOT = repoRoot();
const SOURCE_ROOTS = ['apps', 'libs', 'tools/launcher'];
const TEST_FILE = /\.(spec|integration-spec|e2e-spec|fault-spec|security-spec|slow-spec)\.ts$/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') && !TEST_FILE.test(name) ? [path] : [];
  });
}

function variablesRead(): Set<string> {
  const names = new Set<string>();
  for (const file of SOURCE_ROOTS.flatMap((d) => sources(join(ROOT, d)))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/process\.env(?:\[['"]|\.)([A-Z][A-Z0-9_]+)/g)) names.add(m[1]!);
    if (/\.config\.ts$/.test(file)) for (const m of text.matchAll(/^\s+([A-Z][A-Z0-9]*_[A-Z0-9_]+):\s/gm)) names.add(m[1]!);
  }
  return names;
}

describe('README configuration table', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('finds the variables the processes read', () => {
    expect([...variablesRead()]).toEqual(expect.arrayContaining(['REDIS_URL', 'KTRDR_API_TOKEN', 'KTRDR_WORKER_QUEUES', 'ANTHROPIC_API_KEY']));
  });

  it('lists every one of them', () => {
    expect([...variablesRead()].filter((name) => !readme.includes(`\`${name}\``)).sort()).toEqual([]);
  });
});
