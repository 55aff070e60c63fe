import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '../shared/repo-root';

/**
 * The repository explains itself: every link and repository path in README.md and docs/*.md must
 * point at a file inside the repository that exists (or a heading of the page). Web links are
 * refused except to the local services a reader starts (localhost / 127.0.0.1).
 */
const ROOT = repoRoot();
const FILES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const REPO_DIRS = ['apps/', 'libs/', 'tools/', 'docs/', 'strategies/', 'models/', '../'];

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to dashes. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

function problemsIn(file: string, text: string = readFileSync(join(ROOT, file), 'utf8')): string[] {
  const anchors = new Set([...text.matchAll(/^#+ (.+)$/gm)].map((m) => anchorOf(m[1]!)));
  const problems: string[] = [];
  const checkPath = (target: string, how: string): void => {
    const [path, anchor] = target.split('#') as [string, string | undefined];
    if (path === '') {
      if (anchor && !anchors.has(anchor)) problems.push(`${file}: ${how} #${anchor} names no heading`);
      return;
    }
    const abs = resolve(dirname(join(ROOT, file)), path);
    const rel = relative(ROOT, abs);
    if (rel.startsWith('..')) problems.push(`${file}: ${how} ${target} points outside the repository`);
    else if (!existsSync(abs) && !existsSync(resolve(ROOT, path))) problems.push(`${file}: ${how} ${target} does not exist`);
  };
  for (const m of text.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)) {
    const target = m[1]!;
    if (/^https?:\/\/(localhost|127\.0\.0\.1)([:/]|$)/.test(target)) continue;
    if (/^[a-z]+:/i.test(target)) problems.push(`${file}: link ${target} points outside the repository`);
    else checkPath(target, 'link');
  }
  // Repository paths written as code (`docs/ERRORS.md`, `apps/api/src/…`): they must exist too.
  for (const m of text.matchAll(/`([^`\s]+)`/g)) {
    const target = m[1]!;
    if (!REPO_DIRS.some((d) => target.startsWith(d)) || /[*{}<>…$]/.test(target)) continue;
    const path = target.replace(/[.,:;]+$/, '');
    if (path.startsWith('../')) problems.push(`${file}: path ${path} points outside the repository`);
    else if (/\.[a-z]{1,5}$/i.test(path) && !existsSync(join(ROOT, path))) problems.push(`${file}: path ${path} does not exist`);
  }
  return problems;
}

describe('links in README.md and docs/', () => {
  it('scans the README and every page under docs/', () => {
    expect(FILES).toEqual(expect.arrayContaining(['README.md', 'docs/API.md', 'docs/CLI.md', 'docs/ERRORS.md']));
  });

  it('finds nothing outside the repository and no missing file or heading', () => {
    expect(FILES.flatMap((f) => problemsIn(f))).toEqual([]);
  });

  it('would catch a link outside the repository, a missing file and a web link', () => {
    // The checker itself, on a page written for the purpose (as if it were docs/probe.md).
    const page = '# Probe\n[a](../../outside/CONTRACT.md) [b](nope.md) [c](https://example.com) [d](#probe) [e](#nope) `libs/nope/x.ts` [f](ERRORS.md)\n';
    expect(problemsIn('docs/probe.md', page)).toEqual([
      'docs/probe.md: link ../../outside/CONTRACT.md points outside the repository',
      'docs/probe.md: link nope.md does not exist',
      'docs/probe.md: link https://example.com points outside the repository',
      'docs/probe.md: link #nope names no heading',
      'docs/probe.md: path libs/nope/x.ts does not exist',
    ]);
  });
});
