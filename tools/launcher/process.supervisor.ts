import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ChildSpec {
  /** Output prefix and the name used in messages: `[redis]`, `[api]`, `[worker]`. */
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Which output lines to pass through (all by default); listeners see every line. */
  show?: (line: string) => boolean;
  /** A shown line in other words (null: as it came), e.g. a JSON log line a person should read as a sentence. */
  rewrite?: (line: string) => string | null;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export function describeExit(e: ExitInfo): string {
  return e.signal ? `signal ${e.signal}` : `code ${e.code}`;
}

/** Writes a line to our stdout/stderr, ignoring a closed pipe (e.g. `npm start | head`). */
export function say(line: string, stream: NodeJS.WriteStream = process.stdout): void {
  try {
    stream.write(`${line}\n`);
  } catch {
    /* the reader went away; the processes still have to be stopped */
  }
}

export class SupervisedProcess {
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | null = null;
  private readonly lineListeners: ((line: string) => void)[] = [];

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    show: (line: string) => boolean,
    rewrite: (line: string) => string | null = () => null,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
      // A spawn failure (ENOENT, EACCES) emits 'error' and maybe no 'exit'.
      child.once('error', (err) => {
        say(`[${name}] ${err.message}`, process.stderr);
        if (child.pid === undefined) {
          this.exitInfo = { code: 127, signal: null };
          resolve(this.exitInfo);
        }
      });
    });
    const pipe = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream): void => {
      if (!stream) return;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        for (const l of this.lineListeners) l(line);
        if (show(line)) say(`[${name}] ${rewrite(line) ?? line}`, out);
      });
    };
    pipe(child.stdout, process.stdout);
    pipe(child.stderr, process.stderr);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  onLine(listener: (line: string) => void): void {
    this.lineListeners.push(listener);
  }

  /** SIGTERM, then SIGKILL if still alive after `graceMs`. Resolves once the process has exited. */
  async stop(graceMs: number): Promise<ExitInfo> {
    if (!this.running) return this.exited;
    this.signal('SIGTERM');
    const timer = setTimeout(() => {
      if (this.running) {
        say(`[launcher] ${this.name} did not stop within ${graceMs / 1000} s; killing it`, process.stderr);
        this.signal('SIGKILL');
      }
    }, graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Signals the child's whole process group (it is a group leader), so helpers it spawned go too. */
  signal(sig: NodeJS.Signals): void {
    const pid = this.child.pid;
    try {
      if (pid !== undefined) process.kill(-pid, sig);
      else this.child.kill(sig);
    } catch {
      try {
        this.child.kill(sig);
      } catch {
        /* already gone */
      }
    }
  }
}

export class SupervisorStoppingError extends Error {
  constructor(name: string) {
    super(`not starting ${name}: shutting down`);
  }
}

/**
 * Owns the long-running children. Each runs in its own process group (detached), so a Ctrl+C in
 * the terminal reaches only the launcher, which then stops them in order (the worker still needs
 * Redis while it shuts down). Any child exiting on its own, while we are not stopping, is reported
 * through `onUnexpectedExit`.
 */
export class ProcessSupervisor {
  private readonly children: SupervisedProcess[] = [];
  private stopping = false;
  private stopped: Promise<void> | undefined;

  constructor(private readonly onUnexpectedExit: (proc: SupervisedProcess, exit: ExitInfo) => void) {}

  get isStopping(): boolean {
    return this.stopping;
  }

  start(spec: ChildSpec): SupervisedProcess {
    if (this.stopping) throw new SupervisorStoppingError(spec.name);
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const proc = new SupervisedProcess(spec.name, child, spec.show ?? (() => true), spec.rewrite);
    this.children.push(proc);
    if (child.pid !== undefined) say(`[launcher] started ${spec.name} (pid ${child.pid})`);
    void proc.exited.then((exit) => {
      if (!this.stopping) this.onUnexpectedExit(proc, exit);
    });
    return proc;
  }

  /**
   * Stops children stage by stage (each stage a list of names, stopped together); anything not
   * named is stopped last. Safe to call more than once: later calls wait for the same result.
   */
  stopAll(stages: string[][], graceMs: number): Promise<void> {
    this.stopping = true;
    this.stopped ??= (async () => {
      const named = new Set(stages.flat());
      const rest = this.children.filter((c) => !named.has(c.name)).map((c) => c.name);
      for (const stage of [...stages, rest]) {
        const procs = this.children.filter((c) => stage.includes(c.name) && c.running);
        await Promise.all(procs.map((p) => p.stop(graceMs)));
      }
    })();
    return this.stopped;
  }

  /** Last resort (a second Ctrl+C): SIGKILL everything still running. */
  killAll(): void {
    this.stopping = true;
    for (const c of this.children) if (c.running) c.signal('SIGKILL');
  }

  list(): readonly SupervisedProcess[] {
    return this.children;
  }
}
