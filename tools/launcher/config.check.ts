import { execFile } from 'node:child_process';
import type { LauncherConfig } from './launcher.config.js';
import { apiEnv, builtScript, childEnv, workerEnv } from './services.launcher.js';

/**
 * Before anything starts, every process's configuration is checked with the environment it would
 * get: each app's own `config.check.js` (its real loader, so the rules live once, in the app) runs
 * in parallel and its report is collected. Apps may not be imported by tools, hence the processes.
 * Resolves to the reports of the processes that would refuse to start (empty: all fine).
 */
export async function checkServiceConfigs(config: LauncherConfig): Promise<string[]> {
  // The Redis URL is not known yet (the launcher may start one): check with the one it would use.
  const env = childEnv(config, config.redisUrl ?? `redis://127.0.0.1:${config.redisPort}`);
  const checks = [
    { script: builtScript(config, 'apps/api/dist/config.check.js'), env: apiEnv(config, env) },
    { script: builtScript(config, 'apps/research-worker/dist/config.check.js'), env: workerEnv(config, env) },
  ];
  const reports = await Promise.all(checks.map((c) => runCheck(config.root, c.script, c.env)));
  return reports.filter((r): r is string => r !== null);
}

function runCheck(cwd: string, script: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script], { cwd, env, timeout: 30_000 }, (error, _stdout, stderr) => {
      if (!error) resolve(null);
      else resolve(stderr.trim() || `${script} exited with ${String(error.code ?? error.signal)}`);
    });
  });
}
