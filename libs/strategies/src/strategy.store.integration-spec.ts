import { parseStrategyYaml, type StrategyConfig } from '@ktrdr/agent-domain';
import { ErrorCode } from '@ktrdr/errors';
import { BlobStore } from '@ktrdr/operations';
import { Redis } from 'ioredis';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentHash, type StrategyBlobStore } from './strategy.backend';
import { ASSESSMENT_NAMESPACE, STRATEGY_NAMESPACE } from './strategy-blobs.backend';
import { StrategyExistsError, StrategyInvalidError, StrategyNotFoundError } from './strategy.errors';
import { StrategyStore } from './strategy.store';

/**
 * StrategyStore over the blob store on a real Redis: each test is "a deployment" (its own key
 * prefix) with one or more "processes" (a StrategyStore each, on its own directory), so what one
 * saves must reach the others through Redis alone.
 */
const MINIMAL_YAML = join(__dirname, '..', '..', '..', 'strategies', 'v3_minimal.yaml');
const prefix = `it_strat_${process.pid}_${Date.now()}`;

let redis: Redis;
let root: string;
let minimal: string;
let config: StrategyConfig;
let n = 0;
let blobs: BlobStore;

const named = (name: string, text = minimal): string => text.replace(/^name: .*$/m, `name: ${name}`);
const filesIn = async (dir: string): Promise<string[]> => (await readdir(dir).catch(() => [] as string[])).sort();

/** Another process of the same deployment: its own empty directory, the same Redis prefix. */
async function processOf(options: { writeThrough?: boolean; dir?: string; blobs?: StrategyBlobStore; warn?: (f: Record<string, unknown>, m: string) => void } = {}) {
  const dir = options.dir ?? (await mkdtemp(join(root, 'proc-')));
  return {
    dir,
    store: new StrategyStore(dir, {
      blobs: options.blobs ?? blobs,
      ...(options.writeThrough === undefined ? {} : { writeThrough: options.writeThrough }),
      ...(options.warn ? { warn: options.warn } : {}),
    }),
  };
}

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  redis = new Redis(process.env['REDIS_URL']!);
  minimal = await readFile(MINIMAL_YAML, 'utf8');
  const parsed = parseStrategyYaml(minimal);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  config = parsed.config;
});
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ktrdr-strat-it-'));
  blobs = new BlobStore(redis, `${prefix}:t${++n}`, { ttlSeconds: 3600 });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe('StrategyStore on the blob store', () => {
  it('saves, reads, lists, inspects and checks existence through Redis, with a write-through copy in the directory', async () => {
    const { dir, store } = await processOf();
    expect(store.storeOfRecord).toBe('redis');
    const saved = await store.saveNew('RSI mean-reversion', { ...config, description: 'through redis' });
    expect(saved).toEqual({ name: 'RSI_mean-reversion', path: join(dir, 'RSI_mean-reversion.yaml'), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });

    // The blob is the YAML text as saved, under strategy:<name>, referenced by its name (so it never expires).
    expect(await blobs.getName(STRATEGY_NAMESPACE, saved.name)).toBe(saved.hash);
    const text = (await blobs.get(saved.hash))!.toString('utf8');
    expect(contentHash(text)).toBe(saved.hash);
    expect(parseStrategyYaml(text)).toMatchObject({ ok: true, config: { name: saved.name, description: 'through redis' } });
    expect(await blobs.stat(saved.hash)).toMatchObject({ kind: 'strategy', refs: 1, ttl: null, meta: { name: saved.name } });
    expect(await blobs.owners(saved.hash)).toEqual([`strategy:${saved.name}`]);
    expect(await readFile(saved.path, 'utf8')).toBe(text);

    expect(await store.read(saved.name)).toEqual({ ...config, name: saved.name, description: 'through redis' });
    expect(await store.inspect(saved.name)).toMatchObject({ name: saved.name, valid: true, path: saved.path });
    expect(await store.exists(saved.name)).toBe(true);
    expect(await store.exists('nothing_here')).toBe(false);
    expect(await store.list()).toEqual([
      { name: saved.name, valid: true, description: 'through redis', symbols: ['SP500'], timeframes: ['1d'], path: saved.path },
    ]);
    expect(await rejection(store.read('nothing_here'))).toBeInstanceOf(StrategyNotFoundError);

    const bare = await processOf({ writeThrough: false });
    await bare.store.saveNew('no_copy', config);
    expect(await filesIn(bare.dir)).toEqual([]);
    expect(await bare.store.exists('no_copy')).toBe(true);
  });

  it('a second process on an empty directory reads everything the first saved, and writes nothing there by reading', async () => {
    const first = await processOf();
    const a = await first.store.saveNew('alpha', { ...config, description: 'a' });
    const imported = await first.store.importYaml(`# kept as written\n${named('beta')}`);
    await first.store.saveAssessment('alpha', { verdict: 'promising', strengths: ['s'], weaknesses: ['w'], suggestions: ['x'] }, { sharpe_ratio: 1.1 });

    const second = await processOf();
    expect(await second.store.read('alpha')).toMatchObject({ name: 'alpha', description: 'a' });
    expect((await second.store.list()).map((s) => [s.name, s.valid])).toEqual([
      ['alpha', true],
      ['beta', true],
    ]);
    expect((await second.store.source('beta')).text).toBe(`# kept as written\n${named('beta')}`);
    expect(await second.store.inspect('alpha')).toMatchObject({ valid: true, path: join(second.dir, 'alpha.yaml') });
    expect(await second.store.readAssessment('alpha')).toMatchObject({ strategy_name: 'alpha', assessment: { verdict: 'promising' }, metrics: { sharpe_ratio: 1.1 } });
    expect(await filesIn(second.dir)).toEqual([]);
    expect(imported.hash).not.toBe(a.hash);

    // Nothing depends on the first process's directory either: with it gone, the strategies remain.
    await rm(first.dir, { recursive: true, force: true });
    expect(await first.store.read('alpha')).toMatchObject({ name: 'alpha' });
    expect(await (await processOf()).store.exists('beta')).toBe(true);
  });

  it('gives 20 concurrent saves of one name from two processes 20 distinct names, none overwritten', async () => {
    const [p1, p2] = [await processOf(), await processOf()];
    const saved = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? p1 : p2).store.saveNew('race', { ...config, description: `writer ${i}` }).then((s) => ({ ...s, i }))),
    );
    const names = saved.map((s) => s.name);
    expect(new Set(names).size).toBe(20);
    expect([...names].sort()).toEqual(['race', ...Array.from({ length: 19 }, (_, i) => `race_${i + 2}`)].sort());
    // Each name holds its own writer's strategy, read from either process.
    for (const s of saved) expect((await p1.store.read(s.name)).description).toBe(`writer ${s.i}`);
    expect((await blobs.listNames(STRATEGY_NAMESPACE)).length).toBe(20);
  });

  it('lets exactly one of two concurrent imports of one name with different content have it; the other is told it exists', async () => {
    const [p1, p2] = [await processOf(), await processOf()];
    const texts = [named('contested'), named('contested').replace(/^description: .*$/m, 'description: the other one')];
    expect(texts[0]).not.toBe(texts[1]);
    const outcomes = await Promise.allSettled([p1.store.importYaml(texts[0]!), p2.store.importYaml(texts[1]!)]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(StrategyExistsError);
    expect((lost[0]!.reason as StrategyExistsError).code).toBe(ErrorCode.StrategyExists);
    const stored = (await p2.store.source('contested')).text;
    expect(stored).toBe(texts[outcomes.findIndex((o) => o.status === 'fulfilled')]);
    // Importing the stored text again is harmless.
    expect(await p1.store.importYaml(stored)).toMatchObject({ name: 'contested', created: false });
  });

  it('imports the directory at start, invalid files included with their errors, and only names the store lacks', async () => {
    const dir = join(root, 'shipped');
    await mkdir(join(dir, 'judged'), { recursive: true });
    await writeFile(join(dir, 'v3_minimal.yaml'), minimal);
    await writeFile(join(dir, 'judged.yaml'), named('judged'));
    await writeFile(join(dir, 'judged', 'assessment.json'), '{"strategy_name":"judged","assessment":{"verdict":"poor"}}\n');
    await writeFile(join(dir, 'broken.yaml'), 'name: broken\ndescription: half done\ntraining_data: { symbols: [SYNTH_A], timeframes: [1h] }\n');
    await writeFile(join(dir, 'notyaml.yaml'), 'name: [unclosed');
    await writeFile(join(dir, 'copy.yaml'), minimal);
    await writeFile(join(dir, 'huge.yaml'), `name: huge\n#${'x'.repeat(1_000_001)}\n`);
    await writeFile(join(dir, 'README.md'), '# not a strategy');
    const warnings: [Record<string, unknown>, string][] = [];
    const starting = await processOf({ dir, warn: (f, m) => warnings.push([f, m]) });

    const list = await starting.store.list();
    expect(list.map((s) => [s.name, s.valid])).toEqual([
      ['broken', false],
      ['copy', false],
      ['judged', true],
      ['notyaml', false],
      ['v3_minimal', true],
    ]);
    expect(list[0]).toMatchObject({ description: 'half done', symbols: ['SYNTH_A'], errors: expect.arrayContaining([expect.stringMatching(/^indicators: /)]) });
    expect(list[1]!.errors).toEqual(['name: expected "copy" (the file name), found "v3_minimal"']);
    expect(list[3]!.errors![0]).toMatch(/^not valid YAML/);
    expect(await starting.store.importDirectory()).toEqual({
      imported: ['broken', 'copy', 'judged', 'notyaml', 'v3_minimal'],
      assessments: ['judged'],
      differing: [],
      skipped: [{ name: 'huge', reason: expect.stringContaining('the limit is 1000000') }],
    });
    expect(warnings).toEqual([[{ dir, skipped: [expect.objectContaining({ name: 'huge' })] }, 'strategy files not imported']]);

    // Another process with an empty directory sees the imported ones, invalid included, with their errors.
    const other = await processOf();
    expect((await other.store.list()).map((s) => s.name)).toEqual(['broken', 'copy', 'judged', 'notyaml', 'v3_minimal']);
    const invalid = await rejection(other.store.read('broken'));
    expect(invalid).toBeInstanceOf(StrategyInvalidError);
    expect(invalid.message).toContain('Strategy broken is invalid');
    expect(await other.store.readAssessment('judged')).toEqual({ strategy_name: 'judged', assessment: { verdict: 'poor' } });

    // A later start imports nothing the store has: a file edited since keeps the stored version, and says so.
    await writeFile(join(dir, 'v3_minimal.yaml'), minimal.replace(/^description: .*$/m, 'description: edited on disk'));
    await writeFile(join(dir, 'newcomer.yaml'), named('newcomer'));
    const restarted = await processOf({ dir, warn: (f, m) => warnings.push([f, m]) });
    expect(await restarted.store.importDirectory()).toMatchObject({ imported: ['newcomer'], assessments: [], differing: ['v3_minimal'] });
    expect((await restarted.store.read('v3_minimal')).description).toBe(config.description);
    expect(warnings.map(([, m]) => m)).toContain(
      'strategy files differ from the stored strategies of the same name; the stored ones are used (import a changed strategy under a new name)',
    );
    // saveNew steps around every imported name.
    expect((await other.store.saveNew('v3_minimal', config)).name).toBe('v3_minimal_2');
  });

  it('round-trips assessments: the newest replaces the previous one, whose blob loses its reference', async () => {
    const p1 = await processOf();
    await p1.store.saveNew('judged', config);
    const assessment = { verdict: 'promising' as const, strengths: ['a'], weaknesses: ['b'], suggestions: ['c'] };
    const first = await p1.store.saveAssessment('judged', assessment, { sharpe_ratio: 1.2 });
    const firstHash = (await blobs.getName(ASSESSMENT_NAMESPACE, 'judged'))!;
    expect(await blobs.stat(firstHash)).toMatchObject({ kind: 'assessment', refs: 1, meta: { strategy: 'judged' } });
    await p1.store.saveAssessment('judged', { ...assessment, verdict: 'poor' }, { sharpe_ratio: -0.4 });
    const p2 = await processOf();
    expect(await p2.store.readAssessment('judged')).toMatchObject({ strategy_name: 'judged', assessment: { verdict: 'poor' }, metrics: { sharpe_ratio: -0.4 } });
    expect(await p2.store.readAssessment('never_judged')).toBeNull();
    const stale = await blobs.stat(firstHash);
    expect(stale).toMatchObject({ refs: 0 });
    expect(stale!.ttl).toBeGreaterThan(0);
    // The write-through copies: the latest and one history file per assessment.
    expect(JSON.parse(await readFile(first.path, 'utf8'))).toMatchObject({ assessment: { verdict: 'poor' } });
    expect((await filesIn(join(p1.dir, 'judged'))).filter((f) => f.startsWith('assessment-'))).toHaveLength(2);
  });

  it('discard removes the name, the copy and the reference of a design that did not complete, for every process', async () => {
    const p1 = await processOf();
    const p2 = await processOf();
    const saved = await p1.store.saveNew('doomed', config);
    expect(await p2.store.exists('doomed')).toBe(true);
    await p1.store.discard(saved);
    expect(await p2.store.exists('doomed')).toBe(false);
    expect(await p1.store.exists('doomed')).toBe(false);
    expect(await rejection(p2.store.read('doomed'))).toBeInstanceOf(StrategyNotFoundError);
    expect(await blobs.getName(STRATEGY_NAMESPACE, 'doomed')).toBeNull();
    expect(await filesIn(p1.dir)).toEqual([]);
    // Unreferenced, the blob expires with the store's TTL.
    const stat = await blobs.stat(saved.hash);
    expect(stat).toMatchObject({ refs: 0 });
    expect(stat!.ttl).toBeGreaterThan(0);
    // The freed name can be saved again; discarding the old save again leaves the new one alone.
    const again = await p2.store.saveNew('doomed', { ...config, description: 'second try' });
    expect(again.name).toBe('doomed');
    await p1.store.discard(saved);
    expect((await p1.store.read('doomed')).description).toBe('second try');
  });

  it('retries the directory import after a failure instead of remembering it, and runs it once after that', async () => {
    const dir = join(root, 'flaky');
    await mkdir(dir);
    await writeFile(join(dir, 'v3_minimal.yaml'), minimal);
    let failures = 1;
    let listings = 0;
    const flaky: StrategyBlobStore = Object.assign(Object.create(blobs) as BlobStore, {
      listNames: async (namespace: string) => {
        listings++;
        if (failures-- > 0) throw new Error('Redis is unreachable: connection refused');
        return blobs.listNames(namespace);
      },
    });
    const { store } = await processOf({ dir, blobs: flaky });
    await expect(store.read('v3_minimal')).rejects.toThrow('connection refused');
    expect((await store.read('v3_minimal')).name).toBe('v3_minimal');
    const after = listings;
    await store.read('v3_minimal');
    await store.exists('v3_minimal');
    expect(listings).toBe(after);
  });
});
