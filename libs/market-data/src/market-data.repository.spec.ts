import { CancelledError, ErrorCode } from '@ktrdr/errors';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvInvalidError, NoMarketDataError } from './market-data.error';
import { MarketDataRepository } from './market-data.repository';

const iso = (ms: number | undefined): string => new Date(ms!).toISOString();
const GOOD =
  'timestamp,open,high,low,close,volume\n2021-01-04T00:00:00Z,10,11,9,10.5,100\n2021-01-04T01:00:00Z,10.5,11,10,10.8,120\n2021-01-04T02:00:00Z,10.8,11.2,10.6,11,90\n';

let dir: string;
let repo: MarketDataRepository;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ktrdr-md-'));
  repo = new MarketDataRepository({ dataDir: join(dir, 'data') });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('built-in S&P 500 sample', () => {
  it('loads 5,105 real daily bars from 2000-01-03 to 2020-04-17', async () => {
    const bars = await repo.load('SP500', '1d', { start: '1990-01-01', end: '2030-12-31' });
    expect(bars.time.length).toBe(5105);
    expect(iso(bars.time[0])).toBe('2000-01-03T00:00:00.000Z');
    expect(iso(bars.time[bars.time.length - 1])).toBe('2020-04-17T00:00:00.000Z');
    expect(bars.open[0]).toBeCloseTo(1469.25, 6);
    expect(bars.close[bars.time.length - 1]).toBeCloseTo(2874.560059, 6);
    expect(bars.volume[0]).toBe(931800000);
  });

  it('filters to the window, both ends inclusive (a bare end date covers its day)', async () => {
    const bars = await repo.load('SP500', '1d', { start: '2010-01-01', end: '2010-12-31' });
    expect(bars.time.length).toBe(252);
    expect(iso(bars.time[0])).toBe('2010-01-04T00:00:00.000Z');
    expect(iso(bars.time[bars.time.length - 1])).toBe('2010-12-31T00:00:00.000Z');
    const one = await repo.load('SP500', '1d', { start: '2010-01-04', end: '2010-01-04' });
    expect(one.time.length).toBe(1);
    const exclusiveOf = await repo.load('SP500', '1d', { start: '2010-01-04T00:00:01Z', end: '2010-01-06T00:00:00Z' });
    expect(Array.from(exclusiveOf.time).map(iso)).toEqual(['2010-01-05T00:00:00.000Z', '2010-01-06T00:00:00.000Z']);
  });
});

describe('missing data', () => {
  it('names symbol, timeframe and window when no source has the pair', async () => {
    const e = await rejection(repo.load('SP500', '1h', { start: '2021-01-01', end: '2021-06-30' }));
    expect(e).toBeInstanceOf(NoMarketDataError);
    expect(e.code).toBe(ErrorCode.NoMarketData);
    expect(e.message).toBe('no market data for SP500 1h between 2021-01-01 and 2021-06-30');
  });

  it('raises the same error for a window that holds zero bars', async () => {
    const e = await rejection(repo.load('SP500', '1d', { start: '2021-01-01', end: '2021-06-30' }));
    expect(e.message).toBe('no market data for SP500 1d between 2021-01-01 and 2021-06-30');
    expect(e.details?.['reason']).toContain('2020-04-17');
    const weekend = await rejection(repo.load('SYNTH_X', '1d', { start: '2024-01-06', end: '2024-01-07' }));
    expect(weekend.message).toBe('no market data for SYNTH_X 1d between 2024-01-06 and 2024-01-07');
    const before = await rejection(repo.load('SYNTH_X', '1h', { start: '2010-01-01', end: '2014-12-31' }));
    expect(before).toBeInstanceOf(NoMarketDataError);
    expect((await rejection(repo.load('AAPL', '1d', { start: '2020-01-01', end: '2020-02-01' }))).code).toBe(ErrorCode.NoMarketData);
    expect((await rejection(repo.load('SYNTH_X', '5m', { start: '2020-01-01', end: '2020-02-01' }))).code).toBe(ErrorCode.NoMarketData);
  });

  it('refuses bad symbols, timeframes and windows as validation errors naming the field', async () => {
    const e = await rejection(repo.load('../etc', 'x1' as never, { start: 'soon', end: '2020-01-01' }));
    expect(e.code).toBe(ErrorCode.ValidationFailed);
    expect((e.details?.['errors'] as { field: string }[]).map((x) => x.field)).toEqual(['symbol', 'timeframe']);
    const w = await rejection(repo.load('SP500', '1d', { start: '2020-02-01', end: '2020-01-01' }));
    expect(w.code).toBe(ErrorCode.ValidationFailed);
    expect(w.message).toContain('end');
  });

  it('stops with CancelledError when the signal has fired', async () => {
    const ac = new AbortController();
    ac.abort('Parent cancelled');
    const e = await rejection(repo.load('SYNTH_X', '1h', { start: '2020-01-01', end: '2020-02-01' }, ac.signal));
    expect(e).toBeInstanceOf(CancelledError);
    expect(e.message).toBe('Parent cancelled');
  });
});

describe('synthetic symbols through the repository', () => {
  it('gives the same bars for the same symbol in any repository and on overlapping windows', async () => {
    const a = await repo.load('SYNTH_ABC', '1h', { start: '2020-03-01', end: '2020-03-31' });
    const other = new MarketDataRepository({ dataDir: join(dir, 'elsewhere') });
    const b = await other.load('SYNTH_ABC', '1h', { start: '2020-03-16', end: '2020-04-30' });
    const from = b.time[0]!;
    const i = a.time.indexOf(from);
    expect(i).toBeGreaterThan(0);
    const overlap = a.time.length - i;
    expect(overlap).toBeGreaterThan(100);
    expect(Array.from(a.close.subarray(i))).toEqual(Array.from(b.close.subarray(0, overlap)));
    expect(Array.from(a.high.subarray(i))).toEqual(Array.from(b.high.subarray(0, overlap)));
    expect(Array.from(a.volume.subarray(i))).toEqual(Array.from(b.volume.subarray(0, overlap)));
  });
});

describe('CSV import', () => {
  it('stores a valid CSV atomically and serves it first, ahead of the built-in sources', async () => {
    const res = await repo.importCsv('SP500', '1h', GOOD);
    expect(res).toEqual({
      symbol: 'SP500',
      timeframe: '1h',
      bars: 3,
      start: '2021-01-04T00:00:00.000Z',
      end: '2021-01-04T02:00:00.000Z',
      path: join(dir, 'data', 'SP500_1h.csv'),
      replaced: false,
    });
    const bars = await repo.load('SP500', '1h', { start: '2021-01-01', end: '2021-06-30' });
    expect(Array.from(bars.close)).toEqual([10.5, 10.8, 11]);
    expect(await readdir(join(dir, 'data'))).toEqual(['SP500_1h.csv']);
    const list = await repo.list();
    expect(list[0]).toMatchObject({ symbol: 'SP500', timeframe: '1h', source: 'csv', bars: 3 });
    expect(list.find((d) => d.source === 'builtin')).toMatchObject({ symbol: 'SP500', timeframe: '1d', bars: 5105 });
    expect(list.filter((d) => d.source === 'synthetic').map((d) => `${d.symbol} ${d.timeframe}`)).toEqual(['SYNTH_* 1h', 'SYNTH_* 4h', 'SYNTH_* 1d']);
  });

  it('replaces an earlier import, and the next load sees the new file', async () => {
    await repo.importCsv('ABC', '1h', GOOD);
    await repo.load('ABC', '1h', { start: '2021-01-01', end: '2021-01-31' });
    const res = await repo.importCsv('ABC', '1h', GOOD.split('\n').slice(0, 3).join('\n'));
    expect(res).toMatchObject({ bars: 2, replaced: true });
    expect((await repo.load('ABC', '1h', { start: '2021-01-01', end: '2021-01-31' })).time.length).toBe(2);
  });

  it('an imported SP500 1d shadows the built-in one in list and load', async () => {
    await repo.importCsv('SP500', '1d', 'date,open,high,low,close,volume\n2030-01-02,1,2,0.5,1.5,10\n');
    const list = await repo.list();
    expect(list.filter((d) => d.symbol === 'SP500' && d.timeframe === '1d')).toEqual([expect.objectContaining({ source: 'csv', bars: 1 })]);
    expect((await repo.load('SP500', '1d', { start: '2000-01-01', end: '2040-01-01' })).time.length).toBe(1);
  });

  it('rejects bad rows with their line numbers and leaves the stored file untouched', async () => {
    await repo.importCsv('ABC', '1h', GOOD);
    const before = await readFile(join(dir, 'data', 'ABC_1h.csv'), 'utf8');
    const bad = `${GOOD}2021-01-04T01:30:00Z,10,11,9,10.5,100\n2021-01-04T05:00:00Z,10,9,11,10.5,100\n`;
    const e = await rejection(repo.importCsv('ABC', '1h', bad));
    expect(e).toBeInstanceOf(CsvInvalidError);
    expect((e as CsvInvalidError).problems.map((p) => p.line)).toEqual([5, 6]);
    expect(e.message).toMatch(/^invalid CSV: line 5: .*; line 6: high 9 < low 11$/);
    expect(await readFile(join(dir, 'data', 'ABC_1h.csv'), 'utf8')).toBe(before);
    expect(await readdir(join(dir, 'data'))).toEqual(['ABC_1h.csv']);
  });

  it('never leaves a partial or temporary file when the final rename fails', async () => {
    // A directory squatting on the target name makes rename() fail after the temp file is written.
    await mkdir(join(dir, 'data', 'ABC_1h.csv'), { recursive: true });
    await expect(repo.importCsv('ABC', '1h', GOOD)).rejects.toThrow();
    expect(await readdir(join(dir, 'data'))).toEqual(['ABC_1h.csv']);
    expect(await readdir(join(dir, 'data', 'ABC_1h.csv'))).toEqual([]);
  });

  it('refuses hostile symbols and unknown timeframes before touching the disk', async () => {
    for (const [symbol, tf] of [
      ['../../etc/passwd', '1h'],
      ['a/b', '1h'],
      ['', '1h'],
      ['X'.repeat(33), '1h'],
      ['ABC', '2h'],
    ]) {
      const e = await rejection(repo.importCsv(symbol!, tf!, GOOD));
      expect(e.code).toBe(ErrorCode.ValidationFailed);
    }
    await expect(readdir(join(dir, 'data'))).rejects.toThrow(/ENOENT/);
  });

  it('lists a broken CSV in the data directory with its error, and load names the file', async () => {
    await mkdir(join(dir, 'data'), { recursive: true });
    const path = join(dir, 'data', 'BROKEN_1d.csv');
    await writeFile(path, 'date,open,high,low,close,volume\n2020-01-01,1,2,3,1,1\n');
    const listed = (await repo.list()).find((d) => d.symbol === 'BROKEN');
    expect(listed).toMatchObject({ source: 'csv', bars: 0, path });
    expect(listed?.error).toContain('line 2');
    const e = await rejection(repo.load('BROKEN', '1d', { start: '2020-01-01', end: '2020-12-31' }));
    expect(e.code).toBe(ErrorCode.CsvInvalid);
    expect(e.message).toContain(path);
  });
});
