export * from './operation.types.js';
export * from './status-machine.js';
export * from './operation-id.js';
export * from './operation.errors.js';
export * from './operations.store.js';
export * from './cancel.channel.js';
export { RedisKeys } from './redis-keys.js';
