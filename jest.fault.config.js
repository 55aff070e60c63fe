// The restart/fault, load and slow tier (*.fault-spec.ts, *.slow-spec.ts): real processes, kills,
// Redis restarts, sustained load, and the campaign learning measurements. `npm test` runs it after the main tier.
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['**/src/**/*.fault-spec.ts', '**/src/**/*.slow-spec.ts'],
  testTimeout: 120000,
  maxWorkers: 1,
};
