/**
 * How the user runs this CLI, so hints print a command they can paste: `ktrdr …` when the
 * `ktrdr` on their PATH is this very script (a global install or `npm link`), `npx ktrdr …` otherwise
 * (inside the repository: through npx, `npm exec`, or `node apps/cli/bin/run.js`).
 */
import { realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface InvocationFacts {
  env: NodeJS.ProcessEnv;
  /** The script node is running (`process.argv[1]`). */
  script: string | undefined;
  /** Resolves a path through its symlinks; null when it does not exist. */
  realpath?: (path: string) => string | null;
}

function realpathOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** `ktrdr` or `npx ktrdr`: the prefix every hint uses. */
export function detectCommandName({ env, script, realpath = realpathOrNull }: InvocationFacts): string {
  // npx / npm exec put the project's node_modules/.bin first on PATH, so a PATH lookup would
  // find the local binary and wrongly conclude "installed"; npm tells us it is running an exec.
  if (env['npm_command'] === 'exec' || !script) return 'npx ktrdr';
  const running = realpath(script);
  if (running === null) return 'npx ktrdr';
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    // npm scripts (`npm test`, `npm start`) put a project's node_modules/.bin on PATH too; a binary
    // there is the repository's own, not one the user can type in their terminal.
    if (!dir || /[\\/]node_modules[\\/]\.bin[\\/]?$/.test(dir)) continue;
    const onPath = realpath(join(dir, 'ktrdr'));
    if (onPath !== null) return onPath === running ? 'ktrdr' : 'npx ktrdr';
  }
  return 'npx ktrdr';
}

let cached: string | null = null;

/** `ktrdr agent cancel` or `npx ktrdr agent cancel`, as this process was invoked. */
export function ktrdrCommand(rest: string): string {
  cached ??= detectCommandName({ env: process.env, script: process.argv[1] });
  return `${cached} ${rest}`;
}
