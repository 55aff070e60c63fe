// One jest run covers every tier: unit (*.spec.ts), integration against a real Redis
// (*.integration-spec.ts), end-to-end against real processes (*.e2e-spec.ts) and the access tier
// (*.security-spec.ts: every spelling of every route against the real API, with and without the token).
// Sources are transformed with SWC; the apps' built output (npm run build) is what e2e tests spawn.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools'],
  testMatch: ['**/src/**/*.spec.ts', '**/src/**/*.integration-spec.ts', '**/src/**/*.e2e-spec.ts', '**/src/**/*.security-spec.ts', '**/tools/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    // trading-signals ships ESM only: its .js files go through SWC too (see transformIgnorePatterns).
    '^.+\\.(ts|js)$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!trading-signals/)'],
  moduleNameMapper: {
    '^@ktrdr/(api-contract|errors|operations|agent-domain|queues|runtime|market-data|features|training|backtest|llm|strategies)$':
      '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  globalSetup: '<rootDir>/tools/testing/redis.global-setup.js',
  globalTeardown: '<rootDir>/tools/testing/redis.global-teardown.js',
  reporters: ['default', '<rootDir>/tools/testing/summary.reporter.js'],
  testTimeout: 60000,
  maxWorkers: 2,
};
