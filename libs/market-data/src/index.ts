export * from './bars.types.js';
