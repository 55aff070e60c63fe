/**
 * End to end: `ktrdr data …`, `ktrdr strategies …` and `ktrdr health` (the real built binary) against
 * the real built API with its own strategies and data directories. No worker: these commands only
 * touch files and the store.
 * Needs `npx tsc -b apps/api apps/cli` first.
 */
import { runKtrdr } from '../../../tools/testing/cli.runner';
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { eventually, repoRoot, startStack, type Stack } from '../../../tools/testing/stack.harness';
import { formatBytes } from './lib/output.format';

let stack: Stack;
let dir: string;

const ktrdr = (args: string[]) => runKtrdr(args, { apiUrl: stack.apiUrl });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ktrdr-cli-data-'));
  await copyFile(join(repoRoot(__dirname), 'strategies', 'v3_minimal.yaml'), join(dir, 'v3_minimal.yaml'));
  await writeFile(join(dir, 'good.csv'), 'Date,Open,High,Low,Close,Volume\n2021-01-04,10,11,9,10.5,100\n2021-01-05,10.5,11,10,10.8,120\n');
  await writeFile(
    join(dir, 'bad.csv'),
    'date,open,high,low,close,volume\n2021-01-04,10,11,9,10.5,100\n2021-01-03,10,11,9,10.5,100\n2021-01-06,10,9,11,10.5,100\n',
  );
  stack = await startStack({ workers: [], apiEnv: { KTRDR_STRATEGIES_DIR: dir, KTRDR_DATA_DIR: join(dir, 'data') } });
});
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('ktrdr data', () => {
  it('import prints every bad row with its line number, exits 1 and stores nothing', async () => {
    const res = await ktrdr(['data', 'import', join(dir, 'bad.csv'), '--symbol', 'BADCO', '--timeframe', '1d']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('has 2 bad rows (nothing was stored)');
    expect(res.stderr).toMatch(/ {2}line 3: timestamp .* is not after line 2's/);
    expect(res.stderr).toContain('  line 4: high 9 < low 11');
    await expect(readdir(join(dir, 'data'))).rejects.toThrow(/ENOENT/);
  });

  it('import of a valid file reports the bars, and data list shows it (also as JSON)', async () => {
    const res = await ktrdr(['data', 'import', join(dir, 'good.csv'), '-s', 'MYCO', '-t', '1d']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Imported 2 bars of MYCO 1d from');
    const list = await ktrdr(['data', 'list']);
    expect(res.stdout).toContain('Stored: data:MYCO:1d (blob ');
    expect(list.stdout).toMatch(/^MYCO\s+1d\s+store\s+2021-01-04\s+2021-01-05\s+2$/m);
    expect(list.stdout).toMatch(/^SP500\s+1d\s+builtin\s+2000-01-03\s+2020-04-17\s+5105$/m);
    const json = JSON.parse((await ktrdr(['data', 'list', '--json'])).stdout) as Array<{ symbol: string }>;
    expect(json.map((d) => d.symbol)).toEqual(expect.arrayContaining(['MYCO', 'SP500', 'SYNTH_*']));
  });

  it('a missing file is one clear line and a non-zero exit', async () => {
    const res = await ktrdr(['data', 'import', join(dir, 'nope.csv'), '-s', 'X', '-t', '1d']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('no such file');
  });
});

describe('ktrdr strategies', () => {
  it('list and show', async () => {
    const list = await ktrdr(['strategies', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^v3_minimal\s+valid\s+SP500\s+1d\s+/m);
    const show = await ktrdr(['strategies', 'show', 'v3_minimal']);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('Strategy: v3_minimal');
    expect(show.stdout).toContain('  rsi_14: rsi(period=14)');
    const json = JSON.parse((await ktrdr(['strategies', 'show', 'v3_minimal', '--json'])).stdout) as { name: string; decisions: { position_mode: string } };
    expect(json).toMatchObject({ name: 'v3_minimal', decisions: { position_mode: 'long_only' } });
  });

  it('show of an unknown strategy exits 1 with the API message', async () => {
    const res = await ktrdr(['strategies', 'show', 'nope']);
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe('Error: Strategy not found: nope');
  });
});

/**
 * The blob store's usage counted here from its index (`hash → "<size> <kind>"`; nothing expires during
 * the test): the CLI's tests may not use libs/operations, and the API's own spec compares health with BlobStore.usage().
 */
async function storedUsage(): Promise<{ blobs: number; bytes: number; by_kind: Record<string, { blobs: number; bytes: number }> }> {
  const usage = { blobs: 0, bytes: 0, by_kind: {} as Record<string, { blobs: number; bytes: number }> };
  for (const entry of Object.values(await stack.redis.hgetall(`${stack.prefix}:{ops}:blobs:idx`))) {
    const [size, kind] = entry.split(' ') as [string, string];
    const k = (usage.by_kind[kind] ??= { blobs: 0, bytes: 0 });
    usage.blobs += 1;
    usage.bytes += Number(size);
    k.blobs += 1;
    k.bytes += Number(size);
  }
  return usage;
}

describe('ktrdr health', () => {
  it('prints a Store line counting what the blob store holds (imported bars, the strategy), and --json carries the same store', async () => {
    expect((await ktrdr(['data', 'import', join(dir, 'good.csv'), '-s', 'HLTHCO', '-t', '1d'])).code).toBe(0);
    const usage = await storedUsage();
    const bars = usage.by_kind['bars']!;
    const strategy = usage.by_kind['strategy']!;
    expect(bars.blobs).toBeGreaterThan(0);
    expect(strategy.blobs).toBeGreaterThan(0);

    // The API counts the store once for a couple of seconds of health checks: wait until --json agrees with the index.
    const json = await eventually(
      async () => {
        const out = JSON.parse((await ktrdr(['health', '--json'])).stdout) as Record<string, unknown>;
        return isDeepStrictEqual(out['store'], usage) ? out : undefined;
      },
      'ktrdr health to count the import',
      10_000,
      100,
    );
    expect(json).not.toHaveProperty('success');
    expect(json).toMatchObject({ status: 'healthy', redis: { connected: true, used_memory_bytes: expect.any(Number) } });
    expect(json['store']).toEqual((await stack.request<{ store: unknown }>('GET', '/health')).body.store);

    const res = await ktrdr(['health']);
    expect(res.code).toBe(0);
    const lines = res.stdout.split('\n');
    expect(lines[0]).toBe('Status: HEALTHY');
    expect(lines[1]).toMatch(/^Redis: connected \(PING [\d.]+ ms, [\d.]+ [KMG]iB used\)$/);
    const store = lines.find((l) => l.startsWith('Store: '));
    expect(store).toContain(`Store: ${usage.blobs} blobs, ${formatBytes(usage.bytes)} (`);
    expect(store).toContain(`bars ${bars.blobs} · ${formatBytes(bars.bytes)}`);
    expect(store).toContain(`strategy ${strategy.blobs} · ${formatBytes(strategy.bytes)}`);
    expect(res.stdout).toMatch(/^research\s+0\s+0\s+0\s+0\s+0$/m);
  });
});
