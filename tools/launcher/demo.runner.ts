import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LauncherConfig } from './launcher.config.js';
import { say } from './process.supervisor.js';
import { LaunchError } from './redis.launcher.js';

/**
 * `npm start -- --demo`: one research cycle end to end through the real CLI, exactly as a user
 * would type it, then the operations list. Resolves with the CLI's exit code.
 */
export class DemoRunner {
  private current: ChildProcess | null = null;

  constructor(private readonly config: LauncherConfig) {}

  async run(): Promise<number> {
    const bin = join(this.config.root, 'apps/cli/bin/run.js');
    if (!existsSync(bin) || !existsSync(join(this.config.root, 'apps/cli/dist/commands.js'))) {
      throw new LaunchError('The CLI is not built (apps/cli/bin/run.js, apps/cli/dist); run `npm run build` first.');
    }
    const trigger = await this.cli(bin, ['agent', 'trigger', '--follow']);
    if (trigger !== 0) return trigger;
    return this.cli(bin, ['operations', 'list']);
  }

  /** Stops a CLI command still running (Ctrl+C during the demo). */
  stop(): void {
    this.current?.kill('SIGTERM');
  }

  private cli(bin: string, args: string[]): Promise<number> {
    say(`\n$ ktrdr ${args.join(' ')}`);
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], {
        cwd: this.config.root,
        env: { ...process.env, KTRDR_API_URL: this.config.apiProbeUrl },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      this.current = child;
      child.once('error', (e) => {
        say(`[launcher] could not run the CLI: ${e.message}`, process.stderr);
        resolve(1);
      });
      child.once('exit', (code, signal) => {
        this.current = null;
        resolve(code ?? (signal ? 1 : 0));
      });
    });
  }
}
