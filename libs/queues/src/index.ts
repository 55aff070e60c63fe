export * from './queue.contract.js';
export * from './queue.factory.js';
export * from './queue.producer.js';
