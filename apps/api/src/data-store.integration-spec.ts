import { ErrorCode } from '@ktrdr/errors';
import { CsvInvalidError, MarketDataRepository, NoMarketDataError, StoredDataError, sp500CsvPath, type Bars, type MarketDataBlobs } from '@ktrdr/market-data';
import { BlobStore } from '@ktrdr/operations';
import { Redis } from 'ioredis';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The market-data repository on the real blob store, as the API and the workers build it. Here,
 * not in libs/market-data: that lib is read by the compute libs, and a spec importing the store
 * would put Redis among their (lint-checked) dependencies.
 */

const prefix = `it_md_${process.pid}_${Date.now()}`;
const GOOD =
  'timestamp,open,high,low,close,volume\n2021-01-04T00:00:00Z,10,11,9,10.5,100\n2021-01-04T01:00:00Z,10.5,11,10,10.8,120\n2021-01-04T02:00:00Z,10.8,11.2,10.6,11,90\n';
const WIDE = { start: '1990-01-01', end: '2040-12-31' };

let redis: Redis;
let dir: string;
/** Each test its own key prefix, so a keyspace comparison sees only its own keys. */
let n = 0;
let p: string;
const keysUnder = async (): Promise<string[]> => (await redis.keys(`${p}:*`)).sort();
const storeRepo = (sub: string, blobs: MarketDataBlobs = new BlobStore(redis, p)): MarketDataRepository =>
  new MarketDataRepository({ dataDir: join(dir, sub), blobs });

/** Every column equal value for value (Float64Array.toEqual walks element by element; this says which column differs). */
function expectSameBars(a: Bars, b: Bars): void {
  expect([a.symbol, a.timeframe, a.time.length]).toEqual([b.symbol, b.timeframe, b.time.length]);
  for (const c of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) {
    expect({
      column: c,
      same: Buffer.from(a[c].buffer, a[c].byteOffset, a[c].byteLength).equals(Buffer.from(b[c].buffer, b[c].byteOffset, b[c].byteLength)),
    }).toEqual({
      column: c,
      same: true,
    });
  }
}

beforeAll(() => {
  redis = new Redis(process.env['REDIS_URL']!);
});
beforeEach(async () => {
  p = `${prefix}:t${++n}`;
  dir = await mkdtemp(join(tmpdir(), 'ktrdr-mds-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe('market data in the blob store (real Redis)', () => {
  it('an import is stored once as typed columns under data:<SYMBOL>:<timeframe>, and another repository on an empty directory reads it', async () => {
    const api = storeRepo('api');
    const res = await api.importCsv('MYCO', '1h', GOOD);
    expect(res).toEqual({
      symbol: 'MYCO',
      timeframe: '1h',
      bars: 3,
      start: '2021-01-04T00:00:00.000Z',
      end: '2021-01-04T02:00:00.000Z',
      name: 'data:MYCO:1h',
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      replaced: false,
    });
    // Nothing on disk: the directory is no longer where imports go.
    await expect(readdir(join(dir, 'api'))).rejects.toThrow(/ENOENT/);
    const blobs = new BlobStore(redis, p);
    expect(await blobs.getName('data', 'MYCO:1h')).toBe(res.hash);
    expect(await blobs.stat(res.hash!)).toMatchObject({
      kind: 'bars',
      refs: 1,
      ttl: null,
      meta: { symbol: 'MYCO', timeframe: '1h', bars: 3, start: res.start, end: res.end },
    });
    expect(await blobs.owners(res.hash!)).toEqual(['data:MYCO:1h']);

    const worker = storeRepo('worker-elsewhere');
    const bars = await worker.load('MYCO', '1h', { start: '2021-01-01', end: '2021-01-31' });
    expect(Array.from(bars.close)).toEqual([10.5, 10.8, 11]);
    expect(Array.from(bars.time).map((t) => new Date(t).toISOString())).toEqual([
      '2021-01-04T00:00:00.000Z',
      '2021-01-04T01:00:00.000Z',
      '2021-01-04T02:00:00.000Z',
    ]);
    const window = await worker.load('MYCO', '1h', { start: '2021-01-04T01:00:00Z', end: '2021-01-04T01:00:00Z' });
    expect(Array.from(window.open)).toEqual([10.5]);
  });

  it('list shows a stored import with its span and bar count ahead of the files, the sample and the synthetic series', async () => {
    const repo = storeRepo('data');
    const big = await readFile(sp500CsvPath(), 'utf8');
    await repo.importCsv('SPX_COPY', '1d', big);
    await repo.importCsv('MYCO', '1h', GOOD);
    const list = await storeRepo('other').list();
    expect(list.slice(0, 2)).toEqual([
      expect.objectContaining({
        symbol: 'MYCO',
        timeframe: '1h',
        source: 'store',
        bars: 3,
        start: '2021-01-04T00:00:00.000Z',
        end: '2021-01-04T02:00:00.000Z',
        name: 'data:MYCO:1h',
      }),
      expect.objectContaining({
        symbol: 'SPX_COPY',
        timeframe: '1d',
        source: 'store',
        bars: 5105,
        start: '2000-01-03T00:00:00.000Z',
        end: '2020-04-17T00:00:00.000Z',
      }),
    ]);
    expect(list.slice(2).map((d) => `${d.symbol} ${d.timeframe} ${d.source}`)).toEqual([
      'SP500 1d builtin',
      'SYNTH_* 1h synthetic',
      'SYNTH_* 4h synthetic',
      'SYNTH_* 1d synthetic',
    ]);
    expect(list.every((d) => !d.error)).toBe(true);
  });

  it('load returns bars identical to the CSV path, value for value', async () => {
    const csv = await readFile(sp500CsvPath(), 'utf8');
    const fromFiles = new MarketDataRepository({ dataDir: join(dir, 'files') });
    await fromFiles.importCsv('SPX_COPY', '1d', csv);
    await storeRepo('api').importCsv('SPX_COPY', '1d', csv);
    const reader = storeRepo('empty');
    expectSameBars(await reader.load('SPX_COPY', '1d', WIDE), await fromFiles.load('SPX_COPY', '1d', WIDE));
    const window = { start: '2008-09-01', end: '2009-03-31' };
    expectSameBars(await reader.load('SPX_COPY', '1d', window), await fromFiles.load('SPX_COPY', '1d', window));
    // And the same as the built-in sample the file came from.
    const sample = await reader.load('SP500', '1d', WIDE);
    expect(Array.from((await reader.load('SPX_COPY', '1d', WIDE)).close)).toEqual(Array.from(sample.close));
  });

  it('a refused import (bad rows, bad symbol or timeframe) writes no key at all', async () => {
    const repo = storeRepo('data');
    await repo.importCsv('ABC', '1h', GOOD);
    const before = await keysUnder();
    expect(before.length).toBeGreaterThan(0);
    const bad = `${GOOD}2021-01-04T01:30:00Z,10,11,9,10.5,100\n2021-01-04T05:00:00Z,10,9,11,10.5,100\n`;
    const e = await repo.importCsv('ABC', '1h', bad).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CsvInvalidError);
    await expect(repo.importCsv('NEWCO', '1h', 'timestamp,open\n2021-01-04,1\n')).rejects.toMatchObject({ code: ErrorCode.CsvInvalid });
    await expect(repo.importCsv('../etc', '1h', GOOD)).rejects.toMatchObject({ code: ErrorCode.ValidationFailed });
    await expect(repo.importCsv('ABC', '2h', GOOD)).rejects.toMatchObject({ code: ErrorCode.ValidationFailed });
    expect(await keysUnder()).toEqual(before);
    // The earlier import is still what is served.
    expect((await repo.load('ABC', '1h', WIDE)).time.length).toBe(3);
  });

  it('a re-import replaces the name; the old blob loses its reference and gets the TTL; every reader sees the new bars', async () => {
    const blobs = new BlobStore(redis, p, { ttlSeconds: 600 });
    const api = storeRepo('api', blobs);
    const worker = storeRepo('worker', blobs);
    const first = await api.importCsv('ABC', '1h', GOOD);
    expect((await worker.load('ABC', '1h', WIDE)).time.length).toBe(3);
    const second = await api.importCsv('ABC', '1h', GOOD.split('\n').slice(0, 3).join('\n'));
    expect(second).toMatchObject({ bars: 2, replaced: true });
    expect(second.hash).not.toBe(first.hash);
    // The worker cached the first blob by its hash; the name now points elsewhere, so it reads the new one.
    expect((await worker.load('ABC', '1h', WIDE)).time.length).toBe(2);
    const old = await blobs.stat(first.hash!);
    expect(old).toMatchObject({ refs: 0 });
    expect(old!.ttl).toBeGreaterThan(590);
    expect(await blobs.stat(second.hash!)).toMatchObject({ refs: 1, ttl: null });
    // The same content again: nothing new stored, still replaced (the name existed), still one reference.
    const again = await api.importCsv('ABC', '1h', GOOD.split('\n').slice(0, 3).join('\n'));
    expect(again).toMatchObject({ hash: second.hash, replaced: true });
    expect(await blobs.stat(second.hash!)).toMatchObject({ refs: 1, ttl: null });
  });

  it('a put cut off before its publish leaves nothing readable: no name, no blob, only a staging key that expires', async () => {
    const writerRedis = new Redis(process.env['REDIS_URL']!, { maxRetriesPerRequest: 0 });
    try {
      // Small chunks so the import takes several batches; the connection dies after the first one,
      // as the API's would if the process were killed there (it can neither publish nor clean up).
      const real = new BlobStore(writerRedis, p, { chunkBytes: 1024, batchBytes: 4096, stagingTtlSeconds: 30 });
      let batches = 0;
      const dying: MarketDataBlobs = {
        ...bind(real),
        put: (bytes, meta) =>
          real.put(bytes, meta, {
            onProgress: () => {
              batches += 1;
              if (batches === 1) writerRedis.disconnect();
            },
          }),
      };
      const csv = await readFile(sp500CsvPath(), 'utf8');
      await expect(storeRepo('api', dying).importCsv('SPX_COPY', '1d', csv)).rejects.toThrow();
      expect(batches).toBe(1);

      const reader = storeRepo('empty');
      await expect(reader.load('SPX_COPY', '1d', WIDE)).rejects.toBeInstanceOf(NoMarketDataError);
      expect((await reader.list()).some((d) => d.symbol === 'SPX_COPY')).toBe(false);
      const keys = await keysUnder();
      expect(keys.every((k) => k.includes(':blob-stage:'))).toBe(true);
      for (const k of keys) expect(await redis.ttl(k)).toBeGreaterThan(0);
    } finally {
      writerRedis.disconnect();
    }
  });

  it('decoded bars are cached by hash: a second load fetches no blob', async () => {
    const real = new BlobStore(redis, p);
    const gets: string[] = [];
    const counting: MarketDataBlobs = { ...bind(real), get: (hash) => (gets.push(hash), real.get(hash)) };
    const { hash } = await storeRepo('api').importCsv('ABC', '1h', GOOD);
    const worker = storeRepo('worker', counting);
    await worker.load('ABC', '1h', WIDE);
    await worker.load('ABC', '1h', { start: '2021-01-04', end: '2021-01-04' });
    expect(gets).toEqual([hash]);
  });

  it('CSV files in the directory: read as before until imported; importDirectory stores the readable ones once, never over an import', async () => {
    const data = join(dir, 'data');
    await mkdir(data, { recursive: true });
    await writeFile(join(data, 'FILECO_1h.csv'), GOOD);
    await writeFile(join(data, 'BROKEN_1d.csv'), 'date,open,high,low,close,volume\n2020-01-01,1,2,3,1,1\n');
    await writeFile(join(data, 'ABC_1h.csv'), GOOD);
    const repo = storeRepo('data');
    // The API imported ABC with other bars first: the file does not overwrite it.
    await repo.importCsv('ABC', '1h', GOOD.split('\n').slice(0, 2).join('\n'));

    const beforeImport = await repo.list();
    expect(beforeImport.find((d) => d.symbol === 'FILECO')).toMatchObject({ source: 'csv', bars: 3, path: join(data, 'FILECO_1h.csv') });
    expect(beforeImport.filter((d) => d.symbol === 'ABC')).toEqual([expect.objectContaining({ source: 'store', bars: 1 })]);
    expect((await repo.load('FILECO', '1h', WIDE)).time.length).toBe(3);

    const done = await repo.importDirectory();
    expect(done.imported).toEqual([
      expect.objectContaining({ symbol: 'FILECO', timeframe: '1h', bars: 3, name: 'data:FILECO:1h', path: join(data, 'FILECO_1h.csv') }),
    ]);
    expect(done.skipped).toEqual([join(data, 'ABC_1h.csv')]);
    expect(done.failed).toEqual([{ path: join(data, 'BROKEN_1d.csv'), error: expect.stringContaining('line 2') }]);
    // Idempotent: a second start imports nothing.
    expect((await repo.importDirectory()).imported).toEqual([]);

    const elsewhere = storeRepo('empty');
    expect((await elsewhere.load('FILECO', '1h', WIDE)).time.length).toBe(3);
    expect((await elsewhere.load('ABC', '1h', WIDE)).time.length).toBe(1);
    const list = await repo.list();
    expect(list.filter((d) => d.symbol === 'FILECO')).toEqual([expect.objectContaining({ source: 'store', bars: 3 })]);
    expect(list.find((d) => d.symbol === 'BROKEN')).toMatchObject({ source: 'csv', bars: 0, error: expect.stringContaining('line 2') });
  });

  it('a stored import shadows the built-in sample; symbols with ^ and a leading - are names like any other', async () => {
    const repo = storeRepo('data');
    await repo.importCsv('SP500', '1d', 'date,open,high,low,close,volume\n2030-01-02,1,2,0.5,1.5,10\n');
    await repo.importCsv('^GSPC', '1d', 'date,open,high,low,close,volume\n2030-01-02,1,2,0.5,1.5,10\n');
    await repo.importCsv('-X', '1d', 'date,open,high,low,close,volume\n2030-01-02,1,2,0.5,1.5,10\n');
    const list = await storeRepo('other').list();
    expect(list.filter((d) => d.symbol === 'SP500' && d.timeframe === '1d')).toEqual([expect.objectContaining({ source: 'store', bars: 1 })]);
    expect(list.filter((d) => d.source === 'store').map((d) => d.name)).toEqual(['data:-X:1d', 'data:SP500:1d', 'data:^GSPC:1d']);
    expect((await storeRepo('other').load('^GSPC', '1d', WIDE)).time.length).toBe(1);
  });

  it('a name whose blob is gone fails load and list with a message naming the pair, not as missing data', async () => {
    const blobs = new BlobStore(redis, p);
    const { hash } = await storeRepo('api', blobs).importCsv('ABC', '1h', GOOD);
    await redis.del(blobs.blobKey(hash!));
    const repo = storeRepo('other');
    const e = await repo.load('ABC', '1h', WIDE).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StoredDataError);
    expect((e as Error).message).toMatch(
      /^stored market data data:ABC:1h \(blob [0-9a-f]{12}…\) cannot be read: the blob is missing from the store; import it again$/,
    );
    expect((await repo.list()).find((d) => d.symbol === 'ABC')).toMatchObject({ source: 'store', bars: 0, error: expect.stringContaining('missing') });
  });
});

/** The store's methods bound to it, so a test double can replace one and keep the rest. */
function bind(store: BlobStore): MarketDataBlobs {
  return {
    put: (b, m) => store.put(b, m),
    get: (h) => store.get(h),
    stat: (h) => store.stat(h),
    getName: (ns, name) => store.getName(ns, name),
    setName: (ns, name, h) => store.setName(ns, name, h),
    setNameIfAbsent: (ns, name, h) => store.setNameIfAbsent(ns, name, h),
    listNames: (ns) => store.listNames(ns),
  };
}
