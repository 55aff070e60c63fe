import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { OVERCOMMIT_NOTE } from '../shared/redis.server.js';
import { eventually, freePort, repoRoot } from '../testing/stack.harness.js';

/**
 * The dev launcher (`npm start`) as a user runs it: the built tools/dist/launcher/launch.js, with
 * REDIS_URL unset so it spawns its own redis-server (on a free port, in a temp data dir), its own
 * API (free port) and a worker. Ctrl+C (SIGINT) must leave no process behind.
 */

const root = repoRoot();
const launcherJs = join(root, 'tools/dist/launcher/launch.js');
const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
const withRedis = hasRedisServer ? it : it.skip;

interface LauncherRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** pid per child name, from the launcher's `[launcher] started <name> (pid N)` lines. */
  pids: () => Record<string, number>;
}

const runs: LauncherRun[] = [];
let tmp: string;

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ktrdr-launcher-'));
});

afterEach(async () => {
  // Never leak: whatever a failed test left running is killed here.
  for (const run of runs.splice(0)) {
    if (run.child.exitCode === null && run.child.signalCode === null) {
      run.child.kill('SIGKILL');
      await run.exited;
    }
    for (const pid of Object.values(run.pids())) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  rmSync(tmp, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function startLauncher(env: Record<string, string>, args: string[] = []): LauncherRun {
  if (!existsSync(launcherJs)) throw new Error(`${launcherJs} is missing: run \`npm run build\` first`);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', KTRDR_STUB_DELAY_MS: '3000', ...env };
  if (!('REDIS_URL' in env)) delete childEnv['REDIS_URL']; // the global setup sets it; the launcher must start its own
  // cwd is a scratch dir: the launcher must find the repository from its own location.
  const child = spawn(process.execPath, [launcherJs, ...args], { cwd: tmp, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const pids = (): Record<string, number> =>
    Object.fromEntries([...out.matchAll(/\[launcher\] started (\w+) \(pid (\d+)\)/g)].map((m) => [m[1]!, Number(m[2])]));
  const run = { child, output: () => out, exited, pids };
  runs.push(run);
  return run;
}

async function waitForOutput(run: LauncherRun, text: string, timeoutMs = 45_000): Promise<void> {
  let exited = false;
  void run.exited.then(() => (exited = true));
  await eventually(
    () => {
      if (run.output().includes(text)) return true;
      if (exited) throw new Error(`launcher exited before printing "${text}":\n${run.output()}`);
      return undefined;
    },
    () => `"${text}":\n${run.output()}`,
    timeoutMs,
    100,
  );
}

async function stackEnv(): Promise<Record<string, string> & { KTRDR_API_PORT: string; KTRDR_LAUNCH_REDIS_PORT: string }> {
  return {
    KTRDR_LAUNCH_REDIS_PORT: String(await freePort()),
    KTRDR_LAUNCH_REDIS_DIR: join(tmp, 'redis'),
    KTRDR_API_PORT: String(await freePort()),
    KTRDR_API_HOST: '127.0.0.1',
    KTRDR_KEY_PREFIX: `launch${process.pid}`,
    ANTHROPIC_API_KEY: '', // offline designer and assessor, whatever the machine has
  };
}

async function health(port: string): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/api/v1/health`)).status;
}

describe('dev launcher (npm start)', () => {
  withRedis('starts redis, the API and a worker; SIGINT stops all of them and exits 0', async () => {
    const env = await stackEnv();
    const run = startLauncher(env);
    await waitForOutput(run, 'Press Ctrl+C to stop.');

    expect(await health(env.KTRDR_API_PORT)).toBe(200);
    const pids = run.pids();
    expect(Object.keys(pids).sort()).toEqual(['api', 'redis', 'worker']);
    for (const pid of Object.values(pids)) expect(alive(pid)).toBe(true);
    expect(run.output()).toContain(`Redis:  redis://127.0.0.1:${env.KTRDR_LAUNCH_REDIS_PORT} (started here`);
    expect(run.output()).toContain(`/api/docs`);
    // Real research is the default: no stub phases unless asked for.
    expect(run.output()).toContain('Mode:   real research, offline designer and assessor');
    expect(existsSync(join(tmp, 'redis', 'appendonlydir'))).toBe(true); // AOF on, in the launcher's data dir
    // redis-server's memory-overcommit warning (hosts with vm.overcommit_memory=0) becomes one explained line.
    expect(run.output()).not.toContain('WARNING Memory overcommit');
    const sysctl = '/proc/sys/vm/overcommit_memory'; // Linux only; redis-server warns only there
    const overcommitOff = existsSync(sysctl) && readFileSync(sysctl, 'utf8').trim() === '0';
    expect(run.output().includes(`[redis] ${OVERCOMMIT_NOTE}`)).toBe(overcommitOff);

    run.child.kill('SIGINT');
    const exit = await run.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    for (const [name, pid] of Object.entries(pids)) expect({ name, alive: alive(pid) }).toEqual({ name, alive: false });
    await expect(health(env.KTRDR_API_PORT)).rejects.toThrow();
  });

  withRedis('says in one sentence that the worker health port is taken, not as a JSON log line', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const run = startLauncher({ ...(await stackEnv()), KTRDR_WORKER_HEALTH_PORT: String(port) });
      await waitForOutput(run, `Port ${port} is taken (another worker?)`);
      expect(run.output()).toContain(
        `[worker] Port ${port} is taken (another worker?): this worker runs without GET /health and /metrics; set KTRDR_WORKER_HEALTH_PORT=0 or another port`,
      );
      expect(run.output()).not.toContain('worker health port not served');
      expect(run.output()).not.toContain('EADDRINUSE');
      run.child.kill('SIGINT');
      expect((await run.exited).code).toBe(0);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  withRedis('when a child dies, stops the rest, names it and exits 1', async () => {
    const env = await stackEnv();
    const run = startLauncher(env);
    await waitForOutput(run, 'Press Ctrl+C to stop.');
    const pids = run.pids();

    process.kill(pids['worker']!, 'SIGKILL');
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    expect(run.output()).toMatch(new RegExp(`worker \\(pid ${pids['worker']}\\) exited unexpectedly \\(signal SIGKILL\\)`));
    for (const [name, pid] of Object.entries(pids)) expect({ name, alive: alive(pid) }).toEqual({ name, alive: false });
  });

  it('without redis-server on PATH and no REDIS_URL, prints the install hint and exits 1', async () => {
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    const run = startLauncher({ ...(await stackEnv()), PATH: bin });
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    expect(run.output()).toContain(
      'redis-server not found. Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis) or set REDIS_URL to a running Redis.',
    );
    expect(run.pids()).toEqual({});
  });

  it('with a REDIS_URL that does not answer, says so and exits 1 without starting anything', async () => {
    const port = await freePort();
    const run = startLauncher({ ...(await stackEnv()), REDIS_URL: `redis://127.0.0.1:${port}` });
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    expect(run.output()).toContain(`REDIS_URL=redis://127.0.0.1:${port} does not answer`);
    expect(run.pids()).toEqual({});
  });

  it('rejects bad launcher settings, listing each', async () => {
    const run = startLauncher({ KTRDR_LAUNCH_REDIS_PORT: 'x', KTRDR_API_PORT: '70000' }, ['--bogus']);
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    expect(run.output()).toContain('KTRDR_LAUNCH_REDIS_PORT: expected a port number');
    expect(run.output()).toContain('KTRDR_API_PORT: expected a port number');
    expect(run.output()).toContain('--bogus: unknown argument (supported: --demo)');
  });

  it('checks every process before starting any: a bad API variable and a bad worker variable are both listed', async () => {
    const run = startLauncher({ ...(await stackEnv()), KTRDR_MAX_CONCURRENT_CYCLES: '0', KTRDR_PHASE_CONCURRENCY: 'lots' });
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    // The same form from each process: `<process>: Invalid configuration:` then `  - VAR: why (got "value")`.
    expect(run.output()).toContain('api: Invalid configuration:\n  - KTRDR_MAX_CONCURRENT_CYCLES: must be at least 1 (got "0")\n');
    // The cycle capacity is a setting of both (a campaign's driver reads it in the worker).
    expect(run.output()).toContain(
      'research-worker: Invalid configuration:\n  - KTRDR_MAX_CONCURRENT_CYCLES: must be at least 1 (got "0")\n  - KTRDR_PHASE_CONCURRENCY: expected a number (got "lots")\n',
    );
    expect(run.output()).toContain('nothing was started');
    expect(run.pids()).toEqual({});
  });
});
