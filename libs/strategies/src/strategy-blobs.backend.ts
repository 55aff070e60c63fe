import { isValidStrategyName } from '@ktrdr/agent-domain';
import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import { contentHash, type SavedAssessment, type StrategyBackend, type StrategyBlobStore } from './strategy.backend.js';
import type { StrategyFiles } from './strategy-files.backend.js';

/** Blob store namespaces: `strategy:<name>` → the YAML text, `assessment:<name>` → the latest assessment (JSON). */
export const STRATEGY_NAMESPACE = 'strategy';
export const ASSESSMENT_NAMESPACE = 'assessment';
/** The blobs' kinds (usage() counts them per kind). */
export const STRATEGY_BLOB_KIND = 'strategy';
export const ASSESSMENT_BLOB_KIND = 'assessment';

/** Texts kept in memory by content address: a blob never changes, so an entry is never stale (only evicted). */
const TEXT_CACHE_ENTRIES = 512;

/** What the import of the directory at start did. */
export interface DirectoryImport {
  /** Strategies the store did not have, now stored (valid or not: an invalid one stays listable with its errors). */
  imported: string[];
  assessments: string[];
  /** Files whose name the store already holds with other content: the store's copy is the one every process reads. */
  differing: string[];
  /** Files that could not be read (too large, unreadable), with why. */
  skipped: { name: string; reason: string }[];
}

export type StrategyWarn = (fields: Record<string, unknown>, message: string) => void;

/**
 * Strategies in the blob store: each a blob (kind `strategy`, its YAML text) under the name
 * `strategy:<name>`, each latest assessment a blob (kind `assessment`) under `assessment:<name>`,
 * so every process on any host reads the same strategies from Redis. The directory is imported
 * once, before the first call (what is absent from the store), and is otherwise a write-through
 * copy: nothing is ever read back from it after that import.
 */
export class StrategyBlobs implements StrategyBackend {
  private importing: Promise<DirectoryImport> | null = null;
  private readonly texts = new Map<string, string>();

  constructor(
    private readonly blobs: StrategyBlobStore,
    private readonly files: StrategyFiles,
    private readonly options: { writeThrough: boolean; warn?: StrategyWarn },
  ) {}

  /**
   * The directory's import, run once per process (the first call of any method waits for it). A
   * failed import (Redis unreachable) is not remembered: the next call tries again.
   */
  ready(): Promise<DirectoryImport> {
    this.importing ??= this.importDirectory().catch((e: unknown) => {
      this.importing = null;
      throw e;
    });
    return this.importing;
  }

  async names(): Promise<string[]> {
    await this.ready();
    return (await this.blobs.listNames(STRATEGY_NAMESPACE)).map((n) => n.name).filter(isValidStrategyName);
  }

  async has(name: string): Promise<boolean> {
    await this.ready();
    return (await this.blobs.getName(STRATEGY_NAMESPACE, name)) !== null;
  }

  async text(name: string): Promise<string | null> {
    await this.ready();
    return this.textOf(STRATEGY_NAMESPACE, name);
  }

  /**
   * Puts the text, then claims the name create-only (setNameIfAbsent): of two writers of one name
   * exactly one gets it and neither overwrites the other. A loser's blob has no reference and
   * expires with the store's TTL.
   */
  async create(name: string, text: string): Promise<boolean> {
    await this.ready();
    if (!(await this.claim(name, text)).set) return false;
    // A convenience copy for people browsing the directory; the strategy is already stored, so a
    // read-only or full directory must not fail the save.
    if (this.options.writeThrough) await this.files.create(name, text).catch((e: unknown) => this.cacheFailed(name, e));
    return true;
  }

  /**
   * The copy first, then the name: a name deleted before its file would let that file be imported
   * again by a process starting in between. The name goes only while it still points at this
   * content (names are create-only, so it can only differ after a delete and a new save).
   */
  async remove(name: string, hash: string): Promise<void> {
    await this.ready();
    await this.files.remove(name, hash).catch(() => undefined);
    if ((await this.blobs.getName(STRATEGY_NAMESPACE, name)) === hash) await this.blobs.deleteName(STRATEGY_NAMESPACE, name);
  }

  /** The newest assessment replaces the previous one under the name (the old blob loses its reference and expires). */
  async saveAssessment(name: string, body: string, paths: SavedAssessment): Promise<void> {
    await this.ready();
    const { hash } = await this.blobs.put(Buffer.from(body, 'utf8'), { kind: ASSESSMENT_BLOB_KIND, strategy: name });
    await this.blobs.setName(ASSESSMENT_NAMESPACE, name, hash);
    this.remember(hash, body);
    if (this.options.writeThrough) await this.files.saveAssessment(name, body, paths).catch((e: unknown) => this.cacheFailed(name, e));
  }

  async assessment(name: string): Promise<string | null> {
    await this.ready();
    return this.textOf(ASSESSMENT_NAMESPACE, name);
  }

  /**
   * Every `*.yaml` (valid or not) and `{name}/assessment.json` whose name the store does not have
   * is stored under it, create-only: processes starting together import the same files harmlessly.
   */
  private async importDirectory(): Promise<DirectoryImport> {
    const out: DirectoryImport = { imported: [], assessments: [], differing: [], skipped: [] };
    const stored = new Map((await this.blobs.listNames(STRATEGY_NAMESPACE)).map((n) => [n.name, n.hash] as const));
    for (const name of await this.files.names()) {
      let text: string | null;
      try {
        text = await this.files.text(name);
      } catch (e) {
        out.skipped.push({ name, reason: (e as Error).message });
        continue;
      }
      if (text === null) continue; // removed since it was listed
      const hash = stored.get(name) ?? (await this.claim(name, text)).hash;
      if (hash !== contentHash(text)) out.differing.push(name);
      else if (!stored.has(name)) out.imported.push(name);
    }
    const assessed = new Set((await this.blobs.listNames(ASSESSMENT_NAMESPACE)).map((n) => n.name));
    for (const name of await this.files.assessmentNames()) {
      if (assessed.has(name)) continue;
      const body = await this.files.assessment(name).catch(() => null);
      if (body === null) continue;
      const { hash } = await this.blobs.put(Buffer.from(body, 'utf8'), { kind: ASSESSMENT_BLOB_KIND, strategy: name });
      if ((await this.blobs.setNameIfAbsent(ASSESSMENT_NAMESPACE, name, hash)).set) out.assessments.push(name);
    }
    const dir = this.files.dir;
    if (out.differing.length) {
      this.options.warn?.(
        { dir, strategies: out.differing },
        'strategy files differ from the stored strategies of the same name; the stored ones are used (import a changed strategy under a new name)',
      );
    }
    if (out.skipped.length) this.options.warn?.({ dir, skipped: out.skipped }, 'strategy files not imported');
    return out;
  }

  private async claim(name: string, text: string): Promise<{ set: boolean; hash: string }> {
    const { hash } = await this.blobs.put(Buffer.from(text, 'utf8'), { kind: STRATEGY_BLOB_KIND, name });
    const claimed = await this.blobs.setNameIfAbsent(STRATEGY_NAMESPACE, name, hash);
    if (claimed.set) this.remember(hash, text);
    return claimed;
  }

  private async textOf(namespace: string, name: string): Promise<string | null> {
    const hash = await this.blobs.getName(namespace, name);
    if (hash === null) return null;
    const cached = this.texts.get(hash);
    if (cached !== undefined) return cached;
    const bytes = await this.blobs.get(hash);
    // A named blob has a reference and never expires; missing, it was evicted (a maxmemory policy other than noeviction) or deleted by hand.
    if (bytes === null) {
      throw new KtrdrError(ErrorCode.Internal, `The stored ${namespace} ${name} has lost its content (blob ${hash.slice(0, 12)}… is gone from Redis)`, {
        [namespace]: name,
        hash,
      });
    }
    const text = bytes.toString('utf8');
    this.remember(hash, text);
    return text;
  }

  private remember(hash: string, text: string): void {
    if (this.texts.size >= TEXT_CACHE_ENTRIES) this.texts.delete(this.texts.keys().next().value!);
    this.texts.set(hash, text);
  }

  private cacheFailed(name: string, e: unknown): void {
    this.options.warn?.({ dir: this.files.dir, strategy: name, err: (e as Error).message }, 'strategy stored; its copy in the directory was not written');
  }
}
