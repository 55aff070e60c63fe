import { isValidStrategyName } from '@ktrdr/agent-domain';
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { contentHash, type SavedAssessment, type StrategyBackend } from './strategy.backend.js';
import { StrategyInvalidError, StrategyNameError } from './strategy.errors.js';

/** Larger files are refused unread: a strategy is a few kB, and YAML parsing of megabytes blocks the event loop. */
export const MAX_STRATEGY_FILE_BYTES = 1_000_000;
const FILE_NAME = /^([A-Za-z0-9_-]{1,64})\.yaml$/;
const ASSESSMENT_FILE = 'assessment.json';

/** Link is unsupported on this filesystem: fall back to an exclusive open. */
const NO_LINK = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

const isMissing = (e: unknown): boolean => (e as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * The strategies directory (`KTRDR_STRATEGIES_DIR`): `{name}.yaml` files in the ktrdr v3 shape,
 * and `{name}/assessment.json` beside them. The store of record when no blob store is given (unit
 * tests, tools reading the shipped files); otherwise what is imported at start and the
 * write-through copy. Every name is checked against the safe alphabet and every path is resolved
 * and checked to stay inside the directory (belt and braces: the regex alone would do today, the
 * containment check keeps it true if the alphabet ever widens).
 */
export class StrategyFiles implements StrategyBackend {
  readonly dir: string;

  constructor(strategiesDir: string) {
    this.dir = resolve(strategiesDir);
  }

  /** `{dir}/{name}.yaml`; throws StrategyNameError for a name that could not be stored. */
  pathOf(name: string): string {
    return this.inside(`${name}.yaml`, name);
  }

  /** `{dir}/{name}` (the assessments' folder); throws StrategyNameError. */
  folderOf(name: string): string {
    return this.inside(name, name);
  }

  async names(): Promise<string[]> {
    let files: string[];
    try {
      files = await readdir(this.dir);
    } catch (e) {
      if (isMissing(e)) return [];
      throw e;
    }
    return files
      .map((f) => FILE_NAME.exec(f)?.[1])
      .filter((n): n is string => n !== undefined)
      .sort();
  }

  /** Names with an `{name}/assessment.json` (what a directory import brings along). */
  async assessmentNames(): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(this.dir, { withFileTypes: true });
    } catch (e) {
      if (isMissing(e)) return [];
      throw e;
    }
    const out: string[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || !isValidStrategyName(entry.name)) continue;
      const ok = await stat(join(this.folderOf(entry.name), ASSESSMENT_FILE)).then(
        (s) => s.isFile(),
        () => false,
      );
      if (ok) out.push(entry.name);
    }
    return out.sort();
  }

  async has(name: string): Promise<boolean> {
    return stat(this.pathOf(name)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  async text(name: string): Promise<string | null> {
    const path = this.pathOf(name);
    let size: number;
    try {
      const s = await stat(path);
      if (!s.isFile()) return null;
      size = s.size;
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
    if (size > MAX_STRATEGY_FILE_BYTES) throw new StrategyInvalidError(name, path, [`file is ${size} bytes; the limit is ${MAX_STRATEGY_FILE_BYTES}`]);
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  }

  /**
   * The file appears complete and exclusively: it is written to a temporary file and hard-linked
   * to its final name, which fails with EEXIST if that name exists (the same guarantee as
   * `open(path, 'wx')`, without readers ever seeing a half-written file).
   */
  async create(name: string, text: string): Promise<boolean> {
    const path = this.pathOf(name);
    await mkdir(this.dir, { recursive: true });
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, text, { flag: 'wx' });
    try {
      await link(tmp, path);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') return false;
      if (!NO_LINK.has(code)) throw e;
      return await createWithOpen(path, text);
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  /** Only the file holding exactly that content goes: a file edited since is someone's work. */
  async remove(name: string, hash: string): Promise<void> {
    const text = await this.text(name).catch(() => null);
    if (text !== null && contentHash(text) === hash) await unlink(this.pathOf(name)).catch(() => undefined);
  }

  /** `{name}/assessment.json` (the latest) and `{name}/assessment-<timestamp>.json` (history) for an assessment saved at `savedAt`. */
  assessmentPaths(name: string, savedAt: Date): SavedAssessment {
    const folder = this.folderOf(name);
    // Colons are not allowed in Windows file names: a compact ISO-like stamp, plus a random tail for same-ms saves.
    const stamp = savedAt.toISOString().replace(/[-:]/g, '').replace('.', '');
    return { path: join(folder, ASSESSMENT_FILE), historyPath: join(folder, `assessment-${stamp}-${randomBytes(2).toString('hex')}.json`) };
  }

  /** Each file atomically (temporary file + rename): the history copy first, then the latest. */
  async saveAssessment(name: string, body: string, paths: SavedAssessment): Promise<void> {
    await mkdir(this.folderOf(name), { recursive: true });
    await writeAtomic(paths.historyPath, body);
    await writeAtomic(paths.path, body);
  }

  async assessment(name: string): Promise<string | null> {
    try {
      return await readFile(join(this.folderOf(name), ASSESSMENT_FILE), 'utf8');
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  }

  private inside(relative: string, name: string): string {
    if (!isValidStrategyName(name)) throw new StrategyNameError(name);
    const path = resolve(this.dir, relative);
    if (!path.startsWith(this.dir + sep)) throw new StrategyNameError(name);
    return path;
  }
}

/** The exclusive-open fallback: claims the name with O_EXCL, then writes (a reader may briefly see it empty). */
async function createWithOpen(path: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    await handle.writeFile(text, 'utf8');
  } finally {
    await handle.close();
  }
  return true;
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, { flag: 'wx' });
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
