// The restart/fault and load tier (*.fault-spec.ts): real processes, kills, Redis restarts and
// sustained load. Slower than the default tier, so `npm test` leaves it out; .ci/run runs it after.
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['**/src/**/*.fault-spec.ts'],
  testTimeout: 120000,
  maxWorkers: 1,
};
