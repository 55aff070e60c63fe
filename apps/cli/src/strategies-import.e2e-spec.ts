/**
 * End to end: `ktrdr strategies import` and `export` (the real built binary) against the real built
 * API, whose strategies live in Redis. No worker: these commands only reach the store.
 */
import { runKtrdr } from '../../../tools/testing/cli.runner';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startStack, type Stack } from '../../../tools/testing/stack.harness';

let stack: Stack;
let dir: string;
let minimal: string;

const ktrdr = (args: string[]) => runKtrdr(args, { apiUrl: stack.apiUrl });
const named = (name: string): string => minimal.replace(/^name: .*$/m, `name: ${name}`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ktrdr-cli-strategies-'));
  minimal = await readFile(join(repoRoot(__dirname), 'strategies', 'v3_minimal.yaml'), 'utf8');
  await writeFile(join(dir, 'mine.yaml'), `# mine\n${named('mine')}`);
  await writeFile(join(dir, 'theirs.yaml'), named('theirs'));
  await writeFile(join(dir, 'half.yaml'), 'name: half\ndescription: not finished\n');
  stack = await startStack({ workers: [], apiEnv: { KTRDR_STRATEGIES_DIR: join(dir, 'api-strategies') } });
});
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('ktrdr strategies import / export', () => {
  it('imports every file it is given, says which were refused on stderr, and exits 1 when any was', async () => {
    const res = await ktrdr(['strategies', 'import', join(dir, 'mine.yaml'), join(dir, 'theirs.yaml'), join(dir, 'half.yaml'), join(dir, 'nope.yaml')]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain(`Imported mine from ${join(dir, 'mine.yaml')}`);
    expect(res.stdout).toContain(`Imported theirs from ${join(dir, 'theirs.yaml')}`);
    expect(res.stdout).toContain('2 imported, 0 already stored, 2 refused');
    expect(res.stderr).toContain(`Error: ${join(dir, 'half.yaml')}: Strategy half is invalid`);
    expect(res.stderr).toContain(`Error: ${join(dir, 'nope.yaml')}: cannot read ${join(dir, 'nope.yaml')}: no such file`);
    const list = await ktrdr(['strategies', 'list']);
    expect(list.stdout).toMatch(/^mine\s+valid/m);
    expect(list.stdout).toMatch(/^theirs\s+valid/m);
  });

  it('imports the same file again as already stored (exit 0), and refuses a changed one under the same name (--json)', async () => {
    const again = await ktrdr(['strategies', 'import', join(dir, 'mine.yaml')]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Already stored: mine');
    await writeFile(join(dir, 'changed.yaml'), named('mine').replace(/^description: .*$/m, 'description: changed'));
    const changed = await ktrdr(['strategies', 'import', join(dir, 'changed.yaml'), '--json']);
    expect(changed.code).toBe(1);
    expect(JSON.parse(changed.stdout)).toEqual([
      {
        file: join(dir, 'changed.yaml'),
        error: expect.objectContaining({ code: 'STRATEGY_EXISTS', status: 409, message: expect.stringContaining('already exists') }),
      },
    ]);
  });

  it('exports a stored strategy exactly as imported, keeps an existing file unless --force, and answers --json', async () => {
    const out = join(dir, 'exported');
    const res = await ktrdr(['strategies', 'export', 'mine', '--out', out]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`Exported mine to ${join(out, 'mine.yaml')}`);
    expect(await readFile(join(out, 'mine.yaml'), 'utf8')).toBe(`# mine\n${named('mine')}`);
    const kept = await ktrdr(['strategies', 'export', 'mine', '--out', out]);
    expect(kept.code).toBe(1);
    expect(kept.stderr).toContain(`${join(out, 'mine.yaml')} exists; --force overwrites it`);
    const forced = await ktrdr(['strategies', 'export', 'mine', '--out', out, '--force', '--json']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toEqual({
      name: 'mine',
      path: join(out, 'mine.yaml'),
      bytes: Buffer.byteLength(`# mine\n${named('mine')}`),
      valid: true,
    });
  });

  it('an unknown strategy is one clear line and exit 1', async () => {
    const res = await ktrdr(['strategies', 'export', 'nope', '--out', join(dir, 'exported')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('Strategy not found: nope');
  });
});
