export * from './strategy.errors.js';
export * from './strategy.store.js';
export { contentHash, type StrategyBlobStore } from './strategy.backend.js';
export {
  ASSESSMENT_BLOB_KIND,
  ASSESSMENT_NAMESPACE,
  STRATEGY_BLOB_KIND,
  STRATEGY_NAMESPACE,
  type DirectoryImport,
  type StrategyWarn,
} from './strategy-blobs.backend.js';
