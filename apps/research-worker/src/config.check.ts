/**
 * `node apps/research-worker/dist/config.check.js`: validates the worker's configuration exactly as
 * main.ts does at boot and exits — 0 when it would start, 1 with the same report on stderr when it
 * would not. The launcher runs it for every process before starting any (see apps/api's twin).
 */
import { configReport } from '@ktrdr/errors';
import { ConfigError } from '@ktrdr/runtime';
import { loadWorkerConfig } from './worker.config.js';

function check(): number {
  try {
    loadWorkerConfig();
    return 0;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${configReport('research-worker', e.configProblems)}\n`);
    return 1;
  }
}

process.exitCode = check();
