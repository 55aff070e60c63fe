import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The ktrdr repository root: the nearest package.json named "ktrdr" above `from`. */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  while (dir !== dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'ktrdr') return dir;
    dir = dirname(dir);
  }
  throw new Error(`ktrdr repository root not found above ${from}`);
}
