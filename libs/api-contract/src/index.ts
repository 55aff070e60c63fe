export * from './vocabulary.js';
export * from './registry.js';
export * from './envelope.schema.js';
export * from './operations.schema.js';
export * from './agent.schema.js';
export * from './data.schema.js';
export * from './phase-results.schema.js';
export * from './cycle.schema.js';
