import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../shared/repo-root.js';

/** The built `ktrdr` binary, run as a user runs it (needs `npm run build` first). */
const KTRDR_BIN = join(repoRoot(__dirname), 'apps/cli/bin/run.js');

export interface CliRun {
  /** Exit code; null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** KTRDR_API_URL. */
  apiUrl?: string;
  /** Added to the environment, after everything else. */
  env?: Record<string, string>;
  /** Start from PATH alone rather than this process's environment (tests of the config file and of KTRDR_* variables). */
  isolatedEnv?: boolean;
  /** Sends SIGINT once stdout or stderr contains this text (the user's Ctrl+C). */
  interruptWhen?: string | RegExp;
  timeoutMs?: number;
}

/**
 * Runs `ktrdr <args>` in its own process and collects its output and exit code. Debug output and
 * forced colours from the test's own environment are dropped, and `--follow` polls every 100 ms so
 * tests that watch a cycle do not wait on the default interval. Rejects (after killing it) when the
 * process outlives `timeoutMs`.
 */
export function runKtrdr(args: string[], opts: CliRunOptions = {}): Promise<CliRun> {
  const base: NodeJS.ProcessEnv = opts.isolatedEnv ? { PATH: process.env['PATH'] } : { ...process.env };
  delete base['KTRDR_DEBUG'];
  delete base['FORCE_COLOR'];
  const env: NodeJS.ProcessEnv = { ...base, KTRDR_FOLLOW_INTERVAL_MS: '100', ...(opts.apiUrl ? { KTRDR_API_URL: opts.apiUrl } : {}), ...opts.env };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KTRDR_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    const maybeInterrupt = (): void => {
      if (interrupted || !opts.interruptWhen) return;
      const all = stdout + stderr;
      if (typeof opts.interruptWhen === 'string' ? all.includes(opts.interruptWhen) : opts.interruptWhen.test(all)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      maybeInterrupt();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      maybeInterrupt();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ktrdr ${args.join(' ')} timed out\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
