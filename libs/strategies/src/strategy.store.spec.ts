import { parseStrategyYaml, type StrategyConfig } from '@ktrdr/agent-domain';
import { ErrorCode } from '@ktrdr/errors';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { StrategyExistsError, StrategyInvalidError, StrategyNameError, StrategyNotFoundError } from './strategy.errors';
import { contentHash } from './strategy.backend';
import { StrategyStore } from './strategy.store';

const MINIMAL_YAML = join(__dirname, '..', '..', '..', 'strategies', 'v3_minimal.yaml');

let root: string;
let dir: string;
let store: StrategyStore;
let config: StrategyConfig;

beforeAll(async () => {
  const parsed = parseStrategyYaml(await readFile(MINIMAL_YAML, 'utf8'));
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  config = parsed.config;
});
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ktrdr-strat-'));
  dir = join(root, 'strategies');
  store = new StrategyStore(dir);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('StrategyStore.saveNew', () => {
  it('saves under the sanitised name with a matching name: field, and reads it back', async () => {
    const saved = await store.saveNew('RSI mean-reversion v2!', config);
    expect(saved).toEqual({ name: 'RSI_mean-reversion_v2', path: join(dir, 'RSI_mean-reversion_v2.yaml'), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const text = await readFile(saved.path, 'utf8');
    expect(saved.hash).toBe(contentHash(text));
    const doc = parseYaml(text) as { name: string };
    expect(doc.name).toBe('RSI_mean-reversion_v2');
    expect(await store.read(saved.name)).toEqual({ ...config, name: saved.name });
    expect(await store.exists(saved.name)).toBe(true);
  });

  it.each([
    ['../../etc/passwd', 'etc_passwd'],
    ['/absolute/path', 'absolute_path'],
    ['..', 'strategy'],
    ['', 'strategy'],
    ['策略 über', 'ber'],
    ['策略', 'strategy'],
    ['a\u0000b', 'a_b'],
  ])('keeps the hostile name %j inside the directory (as %s)', async (proposed, expected) => {
    const saved = await store.saveNew(proposed, config);
    expect(saved.name).toBe(expected);
    expect(dirname(saved.path)).toBe(dir);
    expect(await readdir(root)).toEqual(['strategies']);
  });

  it('bounds a 10 kB name to 64 characters, suffixes included', async () => {
    const long = 'x'.repeat(10_000);
    const a = await store.saveNew(long, config);
    const b = await store.saveNew(long, config);
    expect(a.name).toBe('x'.repeat(64));
    expect(b.name).toBe(`${'x'.repeat(62)}_2`);
    expect(await store.read(b.name)).toMatchObject({ name: b.name });
  });

  it('never overwrites: an existing name gets _2, _3, …', async () => {
    const first = await store.saveNew('momentum', { ...config, description: 'first' });
    const second = await store.saveNew('momentum', { ...config, description: 'second' });
    const third = await store.saveNew('momentum', { ...config, description: 'third' });
    expect([first.name, second.name, third.name]).toEqual(['momentum', 'momentum_2', 'momentum_3']);
    expect((await store.read('momentum')).description).toBe('first');
    expect((await store.read('momentum_3')).description).toBe('third');
  });

  it('keeps names that differ only by case apart on this filesystem, whatever its case rules', async () => {
    const upper = await store.saveNew('Trend', { ...config, description: 'upper' });
    const lower = await store.saveNew('trend', { ...config, description: 'lower' });
    // Case-sensitive: Trend and trend; case-insensitive: the exclusive create refuses trend → trend_2.
    expect((await store.read(upper.name)).description).toBe('upper');
    expect((await store.read(lower.name)).description).toBe('lower');
    expect(upper.name).not.toBe(lower.name);
  });

  it('gives 20 concurrent saves of one name 20 distinct, complete files', async () => {
    const saved = await Promise.all(Array.from({ length: 20 }, (_, i) => store.saveNew('race', { ...config, description: `writer ${i}` })));
    const names = saved.map((s) => s.name);
    expect(new Set(names).size).toBe(20);
    expect(names.sort()).toEqual(['race', ...Array.from({ length: 19 }, (_, i) => `race_${i + 2}`)].sort());
    const descriptions = await Promise.all(names.map(async (n) => (await store.read(n)).description));
    expect(new Set(descriptions).size).toBe(20);
    // No temporary files left behind.
    expect((await readdir(dir)).filter((f) => !f.endsWith('.yaml'))).toEqual([]);
  });

  it('refuses a config that fails the schema, naming the bad paths, and writes nothing', async () => {
    const bad = { ...config, indicators: { rsi_14: { type: 'rsi', period: -3 } } } as unknown as StrategyConfig;
    const e = await rejection(store.saveNew('broken', bad));
    expect(e).toBeInstanceOf(StrategyInvalidError);
    expect(e.message).toContain('indicators.rsi_14.period');
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
  });
});

describe('StrategyStore.read / list', () => {
  it('answers Strategy not found: {name} for a missing file', async () => {
    const e = await rejection(store.read('nothing_here'));
    expect(e).toBeInstanceOf(StrategyNotFoundError);
    expect(e.code).toBe(ErrorCode.StrategyNotFound);
    expect(e.message).toBe('Strategy not found: nothing_here');
    expect(await store.exists('nothing_here')).toBe(false);
  });

  it.each(['../../etc/passwd', 'a/b', '', 'x'.repeat(65), 'v3.yaml', 'ümlaut'])('refuses the name %j without touching the disk', async (name) => {
    const e = await rejection(store.read(name));
    expect(e).toBeInstanceOf(StrategyNameError);
    expect(e.code).toBe(ErrorCode.ValidationFailed);
    expect(await store.exists(name)).toBe(false);
  });

  it('names the file and each bad path when a file fails validation', async () => {
    await store.saveNew('good', config);
    const text = (await readFile(join(dir, 'good.yaml'), 'utf8')).replace('name: good', 'name: bad').replace('period: 14', 'period: zero');
    await writeFile(join(dir, 'bad.yaml'), text);
    const e = await rejection(store.read('bad'));
    expect(e).toBeInstanceOf(StrategyInvalidError);
    expect(e.code).toBe(ErrorCode.StrategyInvalid);
    expect(e.message).toContain(join(dir, 'bad.yaml'));
    expect(e.message).toContain('indicators.rsi_14.period');
    expect(e.details).toMatchObject({ strategy: 'bad', path: join(dir, 'bad.yaml') });
  });

  it('requires the name: field to match the file name', async () => {
    await store.saveNew('original', config);
    await writeFile(join(dir, 'copy.yaml'), await readFile(join(dir, 'original.yaml'), 'utf8'));
    const e = await rejection(store.read('copy'));
    expect(e.message).toContain('name: expected "copy" (the file name), found "original"');
  });

  it('lists valid and invalid strategies with their summaries and ignores other files', async () => {
    await store.saveNew('alpha', { ...config, description: 'the alpha one' });
    await writeFile(join(dir, 'broken.yaml'), 'name: broken\ndescription: half done\ntraining_data: { symbols: [SYNTH_A], timeframes: [1h] }\n');
    await writeFile(join(dir, 'notyaml.yaml'), 'name: [unclosed');
    await writeFile(join(dir, 'README.md'), '# not a strategy');
    await writeFile(join(dir, 'bad name.yaml'), 'x: 1');
    const list = await store.list();
    expect(list.map((s) => s.name)).toEqual(['alpha', 'broken', 'notyaml']);
    expect(list[0]).toEqual({ name: 'alpha', valid: true, description: 'the alpha one', symbols: ['SP500'], timeframes: ['1d'], path: join(dir, 'alpha.yaml') });
    expect(list[1]).toMatchObject({ name: 'broken', valid: false, description: 'half done', symbols: ['SYNTH_A'], timeframes: ['1h'] });
    expect(list[1]!.errors).toEqual(expect.arrayContaining([expect.stringMatching(/^indicators: /)]));
    expect(list[2]!.errors![0]).toMatch(/^not valid YAML/);
  });

  it('lists nothing when the directory does not exist yet', async () => {
    expect(await store.list()).toEqual([]);
  });
});

describe('StrategyStore.saveAssessment', () => {
  const assessment = { verdict: 'promising' as const, strengths: ['a'], weaknesses: ['b'], suggestions: ['c'] };

  it('writes the latest assessment and a timestamped copy, atomically', async () => {
    await store.saveNew('judged', config);
    const first = await store.saveAssessment('judged', assessment, { sharpe_ratio: 1.2 });
    const second = await store.saveAssessment('judged', { ...assessment, verdict: 'poor' }, { sharpe_ratio: -0.4 });
    expect(first.path).toBe(join(dir, 'judged', 'assessment.json'));
    expect(first.historyPath).not.toBe(second.historyPath);
    const latest = JSON.parse(await readFile(first.path, 'utf8'));
    expect(latest).toMatchObject({ strategy_name: 'judged', assessment: { verdict: 'poor' }, metrics: { sharpe_ratio: -0.4 } });
    expect(JSON.parse(await readFile(first.historyPath, 'utf8'))).toMatchObject({ assessment: { verdict: 'promising' } });
    const files = (await readdir(join(dir, 'judged'))).sort();
    expect(files).toHaveLength(3);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(await store.readAssessment('judged')).toEqual(latest);
    expect(await store.readAssessment('never_judged')).toBeNull();
  });

  it('refuses a hostile name', async () => {
    await expect(store.saveAssessment('../outside', assessment, {})).rejects.toBeInstanceOf(StrategyNameError);
    await expect(readdir(root)).resolves.toEqual([]);
  });
});

describe('StrategyStore.importYaml / source / discard (directory mode)', () => {
  it('imports a text under its own name as given, comments and all, and exports it unchanged', async () => {
    const text = `# hand-written\n${(await readFile(MINIMAL_YAML, 'utf8')).replace(/^name: .*$/m, 'name: imported_one')}`;
    const imported = await store.importYaml(text);
    expect(imported).toEqual({ name: 'imported_one', path: join(dir, 'imported_one.yaml'), hash: contentHash(text), created: true });
    expect(await readFile(imported.path, 'utf8')).toBe(text);
    expect(await store.source('imported_one')).toEqual({ name: 'imported_one', path: imported.path, text });
    expect((await store.read('imported_one')).name).toBe('imported_one');
  });

  it('answers created: false for the same text again, and refuses other content under a stored name', async () => {
    const text = (await readFile(MINIMAL_YAML, 'utf8')).replace(/^name: .*$/m, 'name: twice');
    expect((await store.importYaml(text)).created).toBe(true);
    expect((await store.importYaml(text)).created).toBe(false);
    const e = await rejection(store.importYaml(text.replace(/^description: .*$/m, 'description: changed')));
    expect(e).toBeInstanceOf(StrategyExistsError);
    expect(e.code).toBe(ErrorCode.StrategyExists);
    expect(await readFile(join(dir, 'twice.yaml'), 'utf8')).toBe(text);
  });

  it('refuses an invalid text or config naming its errors, and stores nothing', async () => {
    const bad = await rejection(store.importYaml('name: half\ndescription: x\n'));
    expect(bad).toBeInstanceOf(StrategyInvalidError);
    expect(bad.message).toContain('Strategy half is invalid');
    expect(bad.message).toContain('training_data: required');
    const unnamed = await rejection(store.importConfig({ description: 'no name' }));
    expect(unnamed).toBeInstanceOf(StrategyInvalidError);
    expect(unnamed.message).toContain('name: required');
    expect(await rejection(store.importYaml('name: [unclosed'))).toBeInstanceOf(StrategyInvalidError);
    expect(await store.list()).toEqual([]);
  });

  it('imports a config object as saveNew writes it (defaults filled in)', async () => {
    const imported = await store.importConfig({ ...config, name: 'from_json' });
    expect(await store.read('from_json')).toEqual({ ...config, name: 'from_json' });
    expect(imported.hash).toBe(contentHash(await readFile(imported.path, 'utf8')));
  });

  it('discard removes what saveNew saved, and leaves a file edited since alone', async () => {
    const saved = await store.saveNew('doomed', config);
    await store.discard(saved);
    expect(await store.exists('doomed')).toBe(false);
    const kept = await store.saveNew('kept', config);
    await writeFile(kept.path, `${await readFile(kept.path, 'utf8')}# edited by hand\n`);
    await store.discard(kept);
    expect(await store.exists('kept')).toBe(true);
    await expect(store.discard({ name: '../x', hash: kept.hash })).rejects.toBeInstanceOf(StrategyNameError);
  });

  it('reads nothing from a store it did not import: importDirectory is a no-op without a blob store', async () => {
    expect(store.storeOfRecord).toBe('directory');
    expect(await store.importDirectory()).toEqual({ imported: [], assessments: [], differing: [], skipped: [] });
    await expect(store.source('nothing')).rejects.toBeInstanceOf(StrategyNotFoundError);
  });
});
