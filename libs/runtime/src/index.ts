export * from './env.config.js';
export * from './logger.js';
export * from './redis.connection.js';
export * from './redis.failures.js';
