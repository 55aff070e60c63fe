export * from './error-codes.js';
export * from './ktrdr.error.js';
export * from './cycle.error.js';
export * from './llm.error.js';
export * from './config.report.js';
