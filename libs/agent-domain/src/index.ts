export * from './phase.types.js';
export * from './progress.js';
export * from './gates.js';
export * from './cycle.machine.js';
export * from './phase.executor.js';
export * from './abortable.js';
export * from './stub.executors.js';
export * from './naming.js';
