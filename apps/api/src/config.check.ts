/**
 * `node apps/api/dist/config.check.js`: validates the API's configuration exactly as main.ts does at
 * boot (variables, then the listen policy) and exits — 0 when it would start, 1 with the same report
 * on stderr when it would not. The launcher runs it for every process before starting any, so a bad
 * API variable never hides a bad worker variable (apps may not import each other, so the launcher
 * cannot call loadApiConfig itself). Only the config modules load here: no Nest, no Redis.
 */
import { configReport } from '@ktrdr/errors';
import { ConfigError } from '@ktrdr/runtime';
import { loadApiConfig } from './api.config.js';
import { listenRefusal } from './auth.policy.js';

function check(): number {
  try {
    const config = loadApiConfig();
    const refusal = listenRefusal(config.host, config.auth);
    if (refusal === null) return 0;
    process.stderr.write(`api: ${refusal}\n`);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${configReport('api', e.configProblems)}\n`);
  }
  return 1;
}

process.exitCode = check();
