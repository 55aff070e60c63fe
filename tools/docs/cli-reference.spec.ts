import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../shared/repo-root';

/**
 * docs/CLI.md is what `oclif readme` renders from the built commands (npm run build first). This
 * spec fails when the file is stale; `KTRDR_WRITE_DOCS=1 npx jest tools/docs/cli-reference.spec.ts`
 * rewrites it (the same switch that regenerates docs/API.md).
 */
const ROOT = repoRoot();
const DOC = join(ROOT, 'docs/CLI.md');

function renderCliReference(): string {
  const out = execFileSync(process.execPath, [join(ROOT, 'node_modules/oclif/bin/run.js'), 'readme', '--readme-path', DOC, '--no-aliases', '--dry-run'], {
    cwd: join(ROOT, 'apps/cli'),
    env: { ...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true' },
    encoding: 'utf8',
  });
  // --dry-run prints its progress lines ("replacing <!-- commands --> in …") before the document.
  return `${out.split('\n').filter((l) => !l.startsWith('replacing <!--')).join('\n').trimEnd()}\n`;
}

describe('docs/CLI.md', () => {
  it('is what oclif readme renders from the commands today', () => {
    const rendered = renderCliReference();
    if (process.env['KTRDR_WRITE_DOCS'] === '1') writeFileSync(DOC, rendered);
    expect(readFileSync(DOC, 'utf8')).toBe(rendered);
  });
});
