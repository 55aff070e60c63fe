import type { BlobStore } from '@ktrdr/operations';
import { createHash } from 'node:crypto';

/** A stored assessment's display paths: where the directory copy is (or would be) written. */
export interface SavedAssessment {
  /** `strategies/{name}/assessment.json`: always the newest. */
  path: string;
  /** `strategies/{name}/assessment-<timestamp>.json`: one per assessment, never overwritten. */
  historyPath: string;
}

/**
 * Where strategy texts and their latest assessments are kept: the directory (strategy-files.backend.ts)
 * or the blob store in Redis (strategy-blobs.backend.ts). StrategyStore does the naming, validating
 * and summarising once, above either; a backend only stores and returns text.
 */
export interface StrategyBackend {
  /** Every stored strategy name that is a valid name, sorted. */
  names(): Promise<string[]>;
  has(name: string): Promise<boolean>;
  /** The stored text, null when the name is not stored. May throw StrategyInvalidError (a file too large to read). */
  text(name: string): Promise<string | null>;
  /** Stores the text under the name unless the name is taken; true when this call stored it. Never overwrites. */
  create(name: string, text: string): Promise<boolean>;
  /** Removes the strategy when the name still holds the content `hash` (a discarded design); anything else is left alone. */
  remove(name: string, hash: string): Promise<void>;
  /** Stores the latest assessment (JSON text) of a strategy. */
  saveAssessment(name: string, body: string, paths: SavedAssessment): Promise<void>;
  assessment(name: string): Promise<string | null>;
}

/** What StrategyStore needs of the blob store (libs/operations' BlobStore satisfies it). */
export type StrategyBlobStore = Pick<BlobStore, 'put' | 'get' | 'setName' | 'setNameIfAbsent' | 'getName' | 'listNames' | 'deleteName'>;

/** The blob store's content address of a text: what a name points at once the text is stored. */
export const contentHash = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
