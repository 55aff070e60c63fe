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
import { parse as parseYaml } from 'yaml';
import { contentHash, type SavedAssessment, type StrategyBackend, type StrategyBlobStore } from './strategy.backend.js';
import { StrategyBlobs, type DirectoryImport, type StrategyWarn } from './strategy-blobs.backend.js';
import { MAX_STRATEGY_FILE_BYTES, StrategyFiles } from './strategy-files.backend.js';
import { StrategyExistsError, StrategyInvalidError, StrategyNotFoundError } from './strategy.errors.js';

export { MAX_STRATEGY_FILE_BYTES } from './strategy-files.backend.js';
export type { SavedAssessment } from './strategy.backend.js';

/** One row of `ktrdr strategies list`. Invalid strategies are listed too, with their errors. */
export interface StrategySummary {
  name: string;
  valid: boolean;
  errors?: string[];
  description: string;
  symbols: string[];
  timeframes: string[];
  path: string;
}

/** A strategy read and checked: the parsed config when valid, the schema errors otherwise. */
export type StrategyInspection =
  | { name: string; path: string; valid: true; config: StrategyConfig }
  | { name: string; path: string; valid: false; errors: string[] };

export interface SavedStrategy {
  name: string;
  /** `{dir}/{name}.yaml`: the file in directory mode, the display path (and write-through copy) with a blob store. */
  path: string;
  /** SHA-256 of the stored text: its blob's address. */
  hash: string;
}

/** An import's outcome: `created` false when the same text was already stored under the name (importing twice is harmless). */
export interface ImportedStrategy extends SavedStrategy {
  created: boolean;
}

/** A strategy's stored text as it was saved or imported (comments and all), for an export. */
export interface StrategySource {
  name: string;
  path: string;
  text: string;
}

export interface StrategyStoreOptions {
  /**
   * The store of record: strategies and assessments live in Redis and the directory is imported
   * at start, then only written through. Without it the directory is the store (unit tests, tools
   * that read the shipped files).
   */
  blobs?: StrategyBlobStore;
  /** With a blob store: also write saved strategies and assessments to the directory (default true). */
  writeThrough?: boolean;
  /** Where the store says what it could not do by itself (files that differ, could not be imported or written). */
  warn?: StrategyWarn;
}

export const MAX_STRATEGY_NAME = 64;
/** How many `_2`, `_3`, … suffixes saveNew tries before giving up. */
const MAX_SUFFIX = 10_000;

/**
 * Strategies by name, validated with the trainer's schema: in the blob store when one is given
 * (every process on any host reads the same ones), in the strategies directory
 * (`KTRDR_STRATEGIES_DIR`) otherwise. Either way a stored name is never overwritten, and the name
 * is the strategy's identity: the `name:` field of its text must agree with it.
 */
export class StrategyStore {
  readonly dir: string;
  /** What holds the strategies: `redis` (the blob store) or `directory`. */
  readonly storeOfRecord: 'redis' | 'directory';
  private readonly files: StrategyFiles;
  private readonly backend: StrategyBackend;

  constructor(strategiesDir: string, options: StrategyStoreOptions = {}) {
    this.files = new StrategyFiles(strategiesDir);
    this.dir = this.files.dir;
    this.storeOfRecord = options.blobs ? 'redis' : 'directory';
    this.backend = options.blobs
      ? new StrategyBlobs(options.blobs, this.files, { writeThrough: options.writeThrough ?? true, ...(options.warn ? { warn: options.warn } : {}) })
      : this.files;
  }

  /** `{dir}/{name}.yaml` (for display with a blob store); throws StrategyNameError for a name that could not be stored. */
  pathOf(name: string): string {
    return this.files.pathOf(name);
  }

  /**
   * Imports the directory into the blob store now (otherwise the first call does it); with no blob
   * store there is nothing to import. Runs once per store: later calls answer the first's outcome.
   */
  async importDirectory(): Promise<DirectoryImport> {
    return this.backend instanceof StrategyBlobs ? this.backend.ready() : { imported: [], assessments: [], differing: [], skipped: [] };
  }

  async exists(name: string): Promise<boolean> {
    if (!isValidStrategyName(name)) return false;
    return this.backend.has(name);
  }

  /** Every stored strategy, by name; unreadable or invalid ones are listed with their errors. */
  async list(): Promise<StrategySummary[]> {
    const names = await this.backend.names();
    const rows = await Promise.all(names.map((name) => this.summary(name)));
    return rows.filter((r): r is StrategySummary => r !== null);
  }

  /** Reads and validates one strategy without throwing on schema errors (for `strategies show`). */
  async inspect(name: string): Promise<StrategyInspection> {
    const { path, text } = await this.source(name);
    return this.check(name, path, text);
  }

  /**
   * The validated config of a strategy. Throws StrategyNameError (hostile name),
   * StrategyNotFoundError, or StrategyInvalidError naming the strategy and each bad path.
   */
  async read(name: string): Promise<StrategyConfig> {
    const checked = await this.inspect(name);
    if (!checked.valid) throw new StrategyInvalidError(name, checked.path, checked.errors);
    return checked.config;
  }

  /** The stored text, unvalidated (an export writes it back to a file as it was). Throws StrategyNameError, StrategyNotFoundError. */
  async source(name: string): Promise<StrategySource> {
    const path = this.pathOf(name);
    const text = await this.backend.text(name);
    if (text === null) throw new StrategyNotFoundError(name);
    return { name, path, text };
  }

  /**
   * Saves a new strategy under a safe, unused name derived from `proposedName` and returns it.
   * The name is sanitised to `[A-Za-z0-9_-]` and bounded to 64 characters; if taken, `_2`, `_3`, …
   * is appended. Each name is claimed create-only (an exclusive hard link on disk, setNameIfAbsent
   * in the blob store), so two concurrent saves never claim the same name and nothing is
   * overwritten. The saved `name:` is the final name. Throws StrategyInvalidError if the config
   * does not pass the schema.
   */
  async saveNew(proposedName: string, config: StrategyConfig | StrategyInput): Promise<SavedStrategy> {
    const base = sanitizeStrategyName(proposedName).slice(0, MAX_STRATEGY_NAME);
    const parsed = parseStrategy({ ...config, name: base });
    if (!parsed.ok) throw new StrategyInvalidError(base, this.pathOf(base), parsed.errors);
    // Names known to be taken are skipped without a write (in the blob store each attempt would
    // leave an unreferenced blob behind until its TTL); a name taken since is refused by the claim.
    let taken = new Set(await this.backend.names());
    for (let n = 1; n <= MAX_SUFFIX; n++) {
      const suffix = n === 1 ? '' : `_${n}`;
      const name = `${base.slice(0, MAX_STRATEGY_NAME - suffix.length)}${suffix}`;
      if (taken.has(name)) continue;
      const text = strategyToYaml({ ...parsed.config, name });
      if (await this.backend.create(name, text)) return { name, path: this.pathOf(name), hash: contentHash(text) };
      // Lost a race: other writers may have taken the next names as well.
      taken = new Set(await this.backend.names());
    }
    throw new Error(`no free strategy name left for "${base}" after ${MAX_SUFFIX} attempts in ${this.dir}`);
  }

  /**
   * Imports a strategy text (YAML, or JSON, which is YAML too) under its own `name:`, stored as
   * given. Refused unless it passes the schema (StrategyInvalidError); a name already stored with
   * other content is StrategyExistsError (never replaced), with the same content a no-op
   * (`created: false`).
   */
  async importYaml(text: string): Promise<ImportedStrategy> {
    const parsed = parseStrategyYaml(text);
    if (!parsed.ok) {
      const name = looseName(text);
      throw new StrategyInvalidError(name ?? '(unnamed)', name && isValidStrategyName(name) ? this.pathOf(name) : this.dir, parsed.errors);
    }
    const bytes = Buffer.byteLength(text, 'utf8');
    const name = parsed.config.name;
    if (bytes > MAX_STRATEGY_FILE_BYTES) throw new StrategyInvalidError(name, this.pathOf(name), [`text is ${bytes} bytes; the limit is ${MAX_STRATEGY_FILE_BYTES}`]);
    const path = this.pathOf(name);
    const hash = contentHash(text);
    if (await this.backend.create(name, text)) return { name, path, hash, created: true };
    const stored = await this.backend.text(name);
    if (stored !== null && contentHash(stored) === hash) return { name, path, hash, created: false };
    throw new StrategyExistsError(name);
  }

  /** importYaml for a config given as an object: validated, then stored as saveNew writes it (defaults filled in). */
  async importConfig(input: unknown): Promise<ImportedStrategy> {
    const parsed = parseStrategy(input);
    if (!parsed.ok) {
      const raw = input && typeof input === 'object' ? (input as Record<string, unknown>)['name'] : undefined;
      const name = typeof raw === 'string' ? raw : null;
      throw new StrategyInvalidError(name ?? '(unnamed)', name && isValidStrategyName(name) ? this.pathOf(name) : this.dir, parsed.errors);
    }
    return this.importYaml(strategyToYaml(parsed.config));
  }

  /**
   * Removes a strategy saveNew saved whose phase did not complete (the design child was cancelled
   * or failed after saving): its name and, on disk, its file — only while they still hold what was saved.
   */
  async discard(saved: Pick<SavedStrategy, 'name' | 'hash'>): Promise<void> {
    this.pathOf(saved.name);
    await this.backend.remove(saved.name, saved.hash);
  }

  /**
   * Stores the latest assessment of a strategy with the metrics it judged (in the blob store
   * under `assessment:<name>`; on disk as `{name}/assessment.json` plus a timestamped history copy,
   * each written atomically). Answers the directory paths.
   */
  async saveAssessment(name: string, assessment: Assessment, metrics: Readonly<Record<string, unknown>>): Promise<SavedAssessment> {
    const savedAt = new Date();
    const paths = this.files.assessmentPaths(name, savedAt);
    const body = `${JSON.stringify({ strategy_name: name, saved_at: savedAt.toISOString(), assessment, metrics }, null, 2)}\n`;
    await this.backend.saveAssessment(name, body, paths);
    return paths;
  }

  /** The latest saved assessment, or null when none was saved. */
  async readAssessment(name: string): Promise<unknown> {
    this.files.folderOf(name);
    const body = await this.backend.assessment(name);
    return body === null ? null : (JSON.parse(body) as unknown);
  }

  private async summary(name: string): Promise<StrategySummary | null> {
    const path = this.pathOf(name);
    let text: string | null;
    try {
      text = await this.backend.text(name);
    } catch (e) {
      return { name, valid: false, errors: [(e as Error).message], description: '', symbols: [], timeframes: [], path };
    }
    if (text === null) return null; // removed since it was listed
    const checked = this.check(name, path, text);
    return checked.valid
      ? {
          name,
          valid: true,
          description: checked.config.description,
          symbols: [...checked.config.training_data.symbols],
          timeframes: [...checked.config.training_data.timeframes],
          path,
        }
      : { name, valid: false, errors: checked.errors, ...looseSummary(text), path };
  }

  private check(name: string, path: string, text: string): StrategyInspection {
    const parsed = parseStrategyYaml(text);
    if (!parsed.ok) return { name, path, valid: false, errors: parsed.errors };
    // The stored name is the strategy's identity (trigger --strategy, assessments): the two must agree.
    if (parsed.config.name !== name) return { name, path, valid: false, errors: [`name: expected "${name}" (the file name), found "${parsed.config.name}"`] };
    return { name, path, valid: true, config: parsed.config };
  }
}

function looseDoc(text: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 50 });
  } catch {
    return {};
  }
  return doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : {};
}

/** The `name:` of a text that fails the schema, when it has one. */
function looseName(text: string): string | null {
  const name = looseDoc(text)['name'];
  return typeof name === 'string' ? name : null;
}

/** What can be shown of a text that fails the schema: description, symbols, timeframes if present. */
function looseSummary(text: string): Pick<StrategySummary, 'description' | 'symbols' | 'timeframes'> {
  const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const d = looseDoc(text);
  const td = rec(d['training_data']);
  return { description: typeof d['description'] === 'string' ? d['description'] : '', symbols: strings(td['symbols']), timeframes: strings(td['timeframes']) };
}
