// `npm test`'s jest tiers, one after the other: the main run (unit, integration, end-to-end, access)
// and the fault/load tier. Both run even when the first fails, and the closing line says which
// failed, so a failure in one never silently hides the other.
const { spawnSync } = require('node:child_process');

const TIERS = [
  { name: 'main tier (unit, integration, end-to-end, access)', args: [] },
  { name: 'fault and load tier', args: ['--config', 'jest.fault.config.js'] },
];

// `npm test -- <paths>` narrows both tiers; a tier with nothing under those paths is not a failure.
const extra = process.argv.slice(2);
const narrowed = extra.length ? ['--passWithNoTests', ...extra] : [];

const failed = [];
for (const tier of TIERS) {
  const run = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), ...tier.args, ...narrowed], { stdio: 'inherit' });
  if (run.status !== 0) failed.push(tier.name);
}
if (failed.length) {
  process.stderr.write(`\nnpm test: failed in the ${failed.join(' and the ')}\n`);
  process.exit(1);
}
