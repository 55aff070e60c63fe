// Flat ESLint config for the whole workspace. `npx eslint .` at the root and every project's
// `nx run <project>:lint` (eslint {projectRoot}) read this one file.
//
// Syntax-only typescript-eslint (no type information), so a full run stays fast on 2 CI cores.
// Module boundaries (CONVENTIONS.md item 1) are enforced by @nx/enforce-module-boundaries from the
// tags in each project.json; see the depConstraints below.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import { createProjectGraphAsync } from '@nx/devkit';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// @nx/enforce-module-boundaries reads the project graph that Nx caches in .nx/workspace-data and
// silently skips itself when there is none (a fresh CI checkout running plain `eslint .`). It would
// also read stale tags after a project.json edit. So refresh the graph once per ESLint process:
// offline, incremental from file hashes, ~0.1 s in-process. (Plugin isolation would spawn a worker
// process per built-in plugin, ~1 s; this workspace registers no third-party Nx plugins.)
// Inside an Nx task (`nx run-many -t lint`) Nx has just written that cache, so skip the refresh.
if (!process.env.NX_TASK_TARGET_PROJECT) {
  process.env.NX_DAEMON ??= 'false';
  process.env.NX_NO_CLOUD ??= 'true';
  process.env.NX_ISOLATE_PLUGINS ??= 'false';
  await createProjectGraphAsync({ exitOnError: false });
}

const TS_FILES = ['**/*.ts', '**/*.mts', '**/*.cts', '**/*.tsx'];
const TEST_FILES = ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts', '**/*.fault-spec.ts', '**/*.security-spec.ts', '**/*.slow-spec.ts'];

/** Dependency rules between projects, by the two tag axes (scope:* and type:*). */
const depConstraints = [
  // --- type axis: apps on top, domain at the bottom next to util ---
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:data-access', 'type:compute', 'type:util'] },
  {
    sourceTag: 'type:domain',
    onlyDependOnLibsWithTags: ['type:util'],
    // The domain stays pure: no framework, no queue, no Redis client.
    bannedExternalImports: ['@nestjs/*', 'bullmq', 'ioredis'],
  },
  { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:domain', 'type:data-access', 'type:util'] },
  // Heavy maths (indicators, training, backtest): pure computation over domain types, no Redis or queues.
  {
    sourceTag: 'type:compute',
    onlyDependOnLibsWithTags: ['type:domain', 'type:compute', 'type:util', 'type:data-access'],
    bannedExternalImports: ['@nestjs/*', 'bullmq', 'ioredis'],
  },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },

  // --- scope axis: apps never import each other; everyone may use shared libs ---
  { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:api', 'scope:shared'] },
  { sourceTag: 'scope:worker', onlyDependOnLibsWithTags: ['scope:worker', 'scope:shared'] },
  {
    // The CLI talks to the API over HTTP only: shared util/domain libs, nothing that pulls a Redis or
    // queue client (checkNestedExternalImports makes the ban cover the libs it imports, too).
    sourceTag: 'scope:cli',
    onlyDependOnLibsWithTags: ['scope:cli', 'scope:shared'],
    notDependOnLibsWithTags: ['type:data-access'],
    bannedExternalImports: ['ioredis', 'bullmq', '@nestjs/*'],
  },
  // Benchmarks measure the compute libs directly, so tools may use worker-scoped libs.
  { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:tools', 'scope:worker', 'scope:shared'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  // The web view talks to the API over HTTP only and bundles nothing from the workspace: it may
  // read the shared contract's types (type-only imports, enforced for apps/web below).
  { sourceTag: 'scope:web', onlyDependOnLibsWithTags: ['scope:web', 'scope:shared'] },
];

/** Options of @nx/enforce-module-boundaries; `allow` lists import specifiers exempt from every check. */
function boundaryOptions(allow = []) {
  return { enforceBuildableLibDependency: false, checkNestedExternalImports: true, allow, depConstraints };
}

export default defineConfig(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '.nx/**', '**/*.d.ts', '**/jest.config.{js,cjs,mjs,ts}'],
  },

  // --- TypeScript sources ---
  {
    files: TS_FILES,
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Assigned after a closure that reads it (e.g. `() => worker!` handed to the thing creating worker).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@nx/enforce-module-boundaries': ['error', boundaryOptions()],
    },
  },

  // --- Queue contract (CONVENTIONS 2-3): queue options come from libs/queues; the API only produces, through
  // @ktrdr/queues' QueueProducer over the queues it registers with BullModule (BullModule, InjectQueue,
  // getQueueToken); processors (bullmq Worker, @nestjs/bullmq's processor API) live only in the research worker ---
  {
    files: ['apps/api/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'bullmq', message: 'The API produces jobs through @ktrdr/queues only.', allowTypeImports: true },
            {
              name: '@nestjs/bullmq',
              importNames: ['Processor', 'WorkerHost', 'OnWorkerEvent', 'QueueEventsHost', 'OnQueueEvent'],
              message: 'Processors belong in apps/research-worker; the API may only register and inject queues (BullModule, InjectQueue, getQueueToken).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/research-worker/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'bullmq',
              importNames: ['Queue', 'FlowProducer'],
              message: 'Enqueue through QueueProducer from @ktrdr/queues (one typed queue contract).',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },

  // --- Tests: loose typing is fine in fixtures and assertions ---
  {
    files: TEST_FILES,
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Integration and e2e specs drive the real processes through the shared harness in tools/testing.
      '@nx/enforce-module-boundaries': ['error', boundaryOptions(['^(\\.\\./)+tools/testing/'])],
    },
  },

  // --- tools/testing/wait is a project of its own (nothing imported, so lib specs can use it without a
  // cycle); the harness files beside it re-export it. Outside them and spec files, a relative import
  // into it stays an error: production code never polls or pauses through the test helpers ---
  {
    files: ['tools/testing/*.ts'],
    ignores: TEST_FILES,
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaryOptions(['^\\./wait/wait(\\.js)?$'])],
    },
  },

  // --- The web view (apps/web): browser code, bundled by Vite; its e2e spec runs under jest in Node ---
  {
    files: ['apps/web/src/**/*.ts', 'apps/web/src/**/*.tsx'],
    ignores: TEST_FILES,
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@ktrdr/*'],
              allowTypeImports: true,
              message: 'The web view bundles nothing from the workspace: import the contract with `import type` only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/web/vite.config.mts'],
    languageOptions: { globals: { ...globals.node } },
  },

  // --- Hand-written CommonJS scripts (bin/run.js, jest global setup/teardown/reporter) ---
  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2022, sourceType: 'commonjs', globals: { ...globals.node } },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
  },
);
