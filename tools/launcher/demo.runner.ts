import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LauncherConfig } from './launcher.config.js';
import { say } from './process.supervisor.js';
import { LaunchError } from './redis.launcher.js';

/**
 * `npm start -- --demo`: one research cycle end to end through the real CLI, exactly as a user
 * would type it, then the operations list. Resolves with the CLI's exit code, except that a cycle
 * which ended failed (a gate's verdict, a phase's error) counts as a demo that ran.
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
    // A cycle refused by a quality gate (or failed in a phase) still ran end to end: that is a
    // research outcome, and most first ideas get one. Anything else (API down, Ctrl+C) is a failure.
    const researchOutcome = trigger !== 0 && (await this.lastCycleEnded());
    if (trigger !== 0 && !researchOutcome) return trigger;
    const list = await this.cli(bin, ['operations', 'list']);
    if (researchOutcome) {
      say('\n[launcher] The cycle ran end to end and was refused, with its reason and numbers above: most ideas fail a gate.');
      say('[launcher] To watch every phase regardless of the gates: npx ktrdr agent trigger --strategy v3_minimal --bypass-gates --follow');
    }
    return list;
  }

  private async lastCycleEnded(): Promise<boolean> {
    try {
      const res = await fetch(`${this.config.apiProbeUrl}/api/v1/agent/status`, { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as { status?: string; last_cycle?: { outcome?: string } | null };
      return body.status === 'idle' && (body.last_cycle?.outcome === 'failed' || body.last_cycle?.outcome === 'cancelled');
    } catch {
      return false;
    }
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
