import {
  isValidStrategyName,
  parseStrategy,
  parseStrategyYaml,
  sanitizeStrategyName,
  strategyToYaml,
  type Assessment,
  type StrategyConfig,
  type StrategyInput,
} from '@ktrdr/agent-domain';
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { StrategyInvalidError, StrategyNameError, StrategyNotFoundError } from './strategy.errors.js';

/** One row of `ktrdr strategies list`. Invalid files are listed too, with their errors. */
export interface StrategySummary {
  name: string;
  valid: boolean;
  errors?: string[];
  description: string;
  symbols: string[];
  timeframes: string[];
  path: string;
}

/** A strategy file read and checked: the parsed config when valid, the schema errors otherwise. */
export type StrategyInspection =
  | { name: string; path: string; valid: true; config: StrategyConfig }
  | { name: string; path: string; valid: false; errors: string[] };

export interface SavedStrategy {
  name: string;
  path: string;
}

export interface SavedAssessment {
  /** `strategies/{name}/assessment.json`: always the newest. */
  path: string;
  /** `strategies/{name}/assessment-<timestamp>.json`: one per assessment, never overwritten. */
  historyPath: string;
}

export const MAX_STRATEGY_NAME = 64;
/** Larger files are refused unread: a strategy is a few kB, and YAML parsing of megabytes blocks the event loop. */
export const MAX_STRATEGY_FILE_BYTES = 1_000_000;
/** How many `_2`, `_3`, … suffixes saveNew tries before giving up. */
const MAX_SUFFIX = 10_000;
const FILE_NAME = /^([A-Za-z0-9_-]{1,64})\.yaml$/;

/** Link is unsupported on this filesystem: fall back to an exclusive open. */
const NO_LINK = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * The strategies directory (`KTRDR_STRATEGIES_DIR`): `{name}.yaml` files in the ktrdr v3 shape,
 * and `{name}/assessment.json` beside them. Every name is checked against the safe alphabet and
 * every path is resolved and checked to stay inside the directory (belt and braces: the regex
 * alone would do today, the containment check keeps it true if the alphabet ever widens).
 */
export class StrategyStore {
  readonly dir: string;

  constructor(strategiesDir: string) {
    this.dir = resolve(strategiesDir);
  }

  /** `{dir}/{name}.yaml`; throws StrategyNameError for a name that could not be stored. */
  pathOf(name: string): string {
    return this.inside(`${name}.yaml`, name);
  }

  async exists(name: string): Promise<boolean> {
    if (!isValidStrategyName(name)) return false;
    return stat(this.pathOf(name)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  /** Every `*.yaml` in the directory, by name; unreadable or invalid files are listed with their errors. */
  async list(): Promise<StrategySummary[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: StrategySummary[] = [];
    for (const file of names.sort()) {
      const m = FILE_NAME.exec(file);
      if (!m) continue;
      const name = m[1]!;
      const path = this.pathOf(name);
      const text = await this.readText(name, path).catch((e: Error) => e);
      if (text instanceof Error) {
        if (text instanceof StrategyNotFoundError) continue; // removed since readdir
        out.push({ name, valid: false, errors: [text.message], description: '', symbols: [], timeframes: [], path });
        continue;
      }
      const checked = this.check(name, path, text);
      out.push(
        checked.valid
          ? {
              name,
              valid: true,
              description: checked.config.description,
              symbols: [...checked.config.training_data.symbols],
              timeframes: [...checked.config.training_data.timeframes],
              path,
            }
          : { name, valid: false, errors: checked.errors, ...looseSummary(text), path },
      );
    }
    return out;
  }

  /** Reads and validates one strategy without throwing on schema errors (for `strategies show`). */
  async inspect(name: string): Promise<StrategyInspection> {
    const path = this.pathOf(name);
    return this.check(name, path, await this.readText(name, path));
  }

  /**
   * The validated config of `{name}.yaml`. Throws StrategyNameError (hostile name),
   * StrategyNotFoundError, or StrategyInvalidError naming the file and each bad path.
   */
  async read(name: string): Promise<StrategyConfig> {
    const checked = await this.inspect(name);
    if (!checked.valid) throw new StrategyInvalidError(name, checked.path, checked.errors);
    return checked.config;
  }

  /**
   * Saves a new strategy under a safe, unused name derived from `proposedName` and returns it.
   * The name is sanitised to `[A-Za-z0-9_-]` and bounded to 64 characters; if taken, `_2`, `_3`, …
   * is appended. The file appears complete and exclusively: it is written to a temporary file and
   * hard-linked to its final name, which fails with EEXIST if that name exists (the same guarantee
   * as `open(path, 'wx')`, without readers ever seeing a half-written file). So two concurrent saves
   * never claim the same name and nothing is overwritten. The saved `name:` is the final name.
   * Throws StrategyInvalidError if the config does not pass the schema.
   */
  async saveNew(proposedName: string, config: StrategyConfig | StrategyInput): Promise<SavedStrategy> {
    const base = sanitizeStrategyName(proposedName).slice(0, MAX_STRATEGY_NAME);
    const parsed = parseStrategy({ ...config, name: base });
    if (!parsed.ok) throw new StrategyInvalidError(base, this.pathOf(base), parsed.errors);
    await mkdir(this.dir, { recursive: true });
    for (let n = 1; n <= MAX_SUFFIX; n++) {
      const suffix = n === 1 ? '' : `_${n}`;
      const name = `${base.slice(0, MAX_STRATEGY_NAME - suffix.length)}${suffix}`;
      const path = this.pathOf(name);
      const text = strategyToYaml({ ...parsed.config, name });
      if (await this.createExclusive(path, text)) return { name, path };
    }
    throw new Error(`no free strategy name left for "${base}" after ${MAX_SUFFIX} attempts in ${this.dir}`);
  }

  /**
   * Writes `{name}/assessment.json` (the latest) and `{name}/assessment-<timestamp>.json` (history),
   * each atomically (temporary file + rename), with the metrics the assessment judged.
   */
  async saveAssessment(name: string, assessment: Assessment, metrics: Readonly<Record<string, unknown>>): Promise<SavedAssessment> {
    const folder = this.inside(name, name);
    await mkdir(folder, { recursive: true });
    const savedAt = new Date();
    const body = `${JSON.stringify({ strategy_name: name, saved_at: savedAt.toISOString(), assessment, metrics }, null, 2)}\n`;
    // Colons are not allowed in Windows file names: a compact ISO-like stamp, plus a random tail for same-ms saves.
    const stamp = savedAt.toISOString().replace(/[-:]/g, '').replace('.', '');
    const historyPath = join(folder, `assessment-${stamp}-${randomBytes(2).toString('hex')}.json`);
    const path = join(folder, 'assessment.json');
    await writeAtomic(historyPath, body);
    await writeAtomic(path, body);
    return { path, historyPath };
  }

  /** The latest saved assessment file's content, or null when none was saved. */
  async readAssessment(name: string): Promise<unknown> {
    const path = join(this.inside(name, name), 'assessment.json');
    try {
      return JSON.parse(await readFile(path, 'utf8')) as unknown;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  private inside(relative: string, name: string): string {
    if (!isValidStrategyName(name)) throw new StrategyNameError(name);
    const path = resolve(this.dir, relative);
    if (!path.startsWith(this.dir + sep)) throw new StrategyNameError(name);
    return path;
  }

  private async readText(name: string, path: string): Promise<string> {
    let size: number;
    try {
      const s = await stat(path);
      if (!s.isFile()) throw new StrategyNotFoundError(name);
      size = s.size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new StrategyNotFoundError(name);
      throw e;
    }
    if (size > MAX_STRATEGY_FILE_BYTES) throw new StrategyInvalidError(name, path, [`file is ${size} bytes; the limit is ${MAX_STRATEGY_FILE_BYTES}`]);
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new StrategyNotFoundError(name);
      throw e;
    }
  }

  private check(name: string, path: string, text: string): StrategyInspection {
    const parsed = parseStrategyYaml(text);
    if (!parsed.ok) return { name, path, valid: false, errors: parsed.errors };
    // The file name is the strategy's identity (trigger --strategy, assessments): the two must agree.
    if (parsed.config.name !== name) return { name, path, valid: false, errors: [`name: expected "${name}" (the file name), found "${parsed.config.name}"`] };
    return { name, path, valid: true, config: parsed.config };
  }

  /** True if `path` was created with `text`; false if the name is taken. */
  private async createExclusive(path: string, text: string): Promise<boolean> {
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

/** What can be shown of a file that fails the schema: description, symbols, timeframes if present. */
function looseSummary(text: string): Pick<StrategySummary, 'description' | 'symbols' | 'timeframes'> {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 50 });
  } catch {
    return { description: '', symbols: [], timeframes: [] };
  }
  const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const d = rec(doc);
  const td = rec(d['training_data']);
  return { description: typeof d['description'] === 'string' ? d['description'] : '', symbols: strings(td['symbols']), timeframes: strings(td['timeframes']) };
}
