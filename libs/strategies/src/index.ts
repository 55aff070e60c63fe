export * from './strategy.errors.js';
export * from './strategy.store.js';
