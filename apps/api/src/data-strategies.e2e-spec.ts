import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sp500CsvPath } from '@ktrdr/market-data';
import { repoRoot, startStack, type Stack } from '../../../tools/testing/stack.harness';

type Envelope<T = unknown> = { success: boolean; data: T; error?: { code: string; message: string; details?: Record<string, unknown> } };

let stack: Stack;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ktrdr-api-data-'));
  await copyFile(join(repoRoot(), 'strategies', 'v3_minimal.yaml'), join(dir, 'v3_minimal.yaml'));
  await writeFile(join(dir, 'half_done.yaml'), 'name: half_done\ndescription: not finished\n');
  // No worker: these routes only read and write files.
  stack = await startStack({ workers: [], apiEnv: { KTRDR_STRATEGIES_DIR: dir, KTRDR_DATA_DIR: join(dir, 'data'), KTRDR_IMPORT_BODY_LIMIT: '1mb' } });
});
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

const CSV = 'timestamp,open,high,low,close,volume\n2021-01-04,10,11,9,10.5,100\n2021-01-05,10.5,11,10,10.8,120\n';

/** What a refused import must not have left: a listed data set of that symbol, or any file in the data directory. */
async function tracesOf(match: (symbol: string) => boolean): Promise<string[]> {
  const listed = (await stack.request<Envelope<Array<{ symbol: string }>>>('GET', '/data')).body.data.map((d) => d.symbol);
  const files = await readdir(join(dir, 'data')).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? [] : Promise.reject(e)));
  return [...listed, ...files].filter(match);
}

describe('API: /data', () => {
  it('GET /data lists the built-in sample and the synthetic patterns', async () => {
    const res = await stack.request<Envelope<Array<Record<string, unknown>>>>('GET', '/data');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          symbol: 'SP500',
          timeframe: '1d',
          source: 'builtin',
          bars: 5105,
          start: '2000-01-03T00:00:00.000Z',
          end: '2020-04-17T00:00:00.000Z',
        }),
        expect.objectContaining({ symbol: 'SYNTH_*', timeframe: '1h', source: 'synthetic' }),
      ]),
    );
  });

  it('POST /data/import stores a valid CSV (201) and lists it', async () => {
    const res = await stack.request<Envelope<Record<string, unknown>>>('POST', '/data/import', { symbol: 'MYCO', timeframe: '1d', csv: CSV });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ symbol: 'MYCO', timeframe: '1d', bars: 2, start: '2021-01-04T00:00:00.000Z', end: '2021-01-05T00:00:00.000Z' });
    const list = await stack.request<Envelope<Array<Record<string, unknown>>>>('GET', '/data');
    // Stored in Redis (every worker reads it there), not written into the data directory.
    expect(list.body.data[0]).toMatchObject({ symbol: 'MYCO', source: 'store', name: 'data:MYCO:1d', bars: 2 });
    expect(await tracesOf((f) => f.startsWith('MYCO_'))).toEqual([]);
  });

  it('answers bad rows with 422 CSV_INVALID naming their lines, and writes nothing', async () => {
    const res = await stack.request<Envelope>('POST', '/data/import', {
      symbol: 'BADCO',
      timeframe: '1d',
      csv: `${CSV}2021-01-03,1,2,0.5,1,1\n2021-01-06,1,0.5,2,1,1\n`,
    });
    expect(res.status).toBe(422);
    expect(res.body.success).toBe(false);
    expect(res.body.error?.code).toBe('CSV_INVALID');
    expect(res.body.error?.message).toMatch(/^invalid CSV: line 4: .*; line 5: high 0.5 < low 2$/);
    expect(res.body.error?.details?.['problems']).toEqual([
      { line: 4, message: expect.stringContaining('not after line 3') },
      { line: 5, message: 'high 0.5 < low 2' },
    ]);
    expect(await tracesOf((f) => f.startsWith('BADCO'))).toEqual([]);
  });

  it('POST /data/import takes a whole file larger than the general body limit (the S&P 500 sample, ~300 kB)', async () => {
    const csv = await readFile(sp500CsvPath(), 'utf8');
    expect(csv.length).toBeGreaterThan(100 * 1024);
    const res = await stack.request<Envelope<{ bars: number }>>('POST', '/data/import', { symbol: 'SPX_COPY', timeframe: '1d', csv });
    expect(res.status).toBe(201);
    expect(res.body.data?.bars).toBe(5105);
    // Other routes keep the small limit.
    const other = await stack.request<Envelope>('POST', '/agent/trigger', { brief: 'x'.repeat(150 * 1024) });
    expect(other.status).toBe(413);
  });

  it('answers a timestamp a date cannot hold with 422 naming its line, not a 500', async () => {
    const res = await stack.request<Envelope>('POST', '/data/import', { symbol: 'FARCO', timeframe: '1d', csv: `${CSV}9999999999999999,10,11,9,10.5,100\n` });
    expect(res.status).toBe(422);
    expect(res.body.error?.code).toBe('CSV_INVALID');
    expect(res.body.error?.details?.['problems']).toEqual([{ line: 4, message: expect.stringContaining('outside the representable date range') }]);
    expect(await tracesOf((f) => f.includes('FARCO'))).toEqual([]);
  });

  it.each(['..', '.', '.hidden', '.MYCO'])('refuses the dot-name symbol %j like any bad name, and stores no dot-file', async (symbol) => {
    const res = await stack.request<Envelope>('POST', '/data/import', { symbol, timeframe: '1d', csv: CSV });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('not starting with a dot') });
    expect(await tracesOf((f) => f.startsWith('.'))).toEqual([]);
  });

  it.each([
    ['hostile symbol', { symbol: '../../etc/passwd', timeframe: '1d', csv: CSV }, 422, 'VALIDATION_FAILED'],
    ['unknown timeframe', { symbol: 'X', timeframe: '2h', csv: CSV }, 422, 'VALIDATION_FAILED'],
    ['missing csv', { symbol: 'X', timeframe: '1d' }, 422, 'VALIDATION_FAILED'],
    ['unknown field', { symbol: 'X', timeframe: '1d', csv: CSV, path: '/etc' }, 422, 'VALIDATION_FAILED'],
    ['a body over the import limit', { symbol: 'X', timeframe: '1d', csv: CSV.repeat(12000) }, 413, 'PAYLOAD_TOO_LARGE'],
  ])('POST /data/import with %s is refused', async (_n, body, status, code) => {
    const res = await stack.request<Envelope>('POST', '/data/import', body);
    expect(res.status).toBe(status);
    expect(res.body.error?.code).toBe(code);
  });
});

describe('API: /strategies', () => {
  it('GET /strategies lists valid and invalid files', async () => {
    const res = await stack.request<Envelope<Array<{ name: string; valid: boolean; errors?: string[] }>> & { total_count: number }>('GET', '/strategies');
    expect(res.status).toBe(200);
    expect(res.body.total_count).toBe(2);
    expect(res.body.data.map((s) => [s.name, s.valid])).toEqual([
      ['half_done', false],
      ['v3_minimal', true],
    ]);
    expect(res.body.data[0]!.errors).toEqual(expect.arrayContaining([expect.stringMatching(/^training_data: required$/)]));
  });

  it('GET /strategies/{name} returns the parsed config with defaults', async () => {
    const res = await stack.request<Envelope<Record<string, any>>>('GET', '/strategies/v3_minimal');
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ name: 'v3_minimal', training_data: { symbols: ['SP500'] }, decisions: { position_mode: 'long_only' } });
  });

  it.each(
    [
      ['/strategies/nope', 404, 'NOT_FOUND', 'Strategy not found: nope'],
      ['/strategies/half_done', 422, 'STRATEGY_INVALID', undefined],
      ['/strategies/..%2F..%2Fetc%2Fpasswd', 422, 'VALIDATION_FAILED', undefined],
      ['/strategies/' + 'x'.repeat(5000), 422, 'VALIDATION_FAILED', undefined],
    ].map(
      ([p, status, code, message]) =>
        [(p as string).length > 60 ? `${(p as string).slice(0, 30)}…(${(p as string).length} chars)` : p, status, code, message, p] as const,
    ),
  )('GET %s → %d', async (_label, status, code, message, path) => {
    const res = await stack.request<Envelope>('GET', path);
    expect(res.status).toBe(status);
    expect(res.body.error?.code).toBe(code);
    if (message) expect(res.body.error?.message).toBe(message);
  });

  it('trigger refuses an invalid strategy with 422 naming its first errors, and an unknown one as before', async () => {
    const invalid = await stack.request<Envelope>('POST', '/agent/trigger', { strategy: 'half_done' });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error?.code).toBe('STRATEGY_INVALID');
    expect(invalid.body.error?.message).toContain('Strategy half_done is invalid');
    expect(invalid.body.error?.message).toContain('training_data: required');
    const unknown = await stack.request<Envelope>('POST', '/agent/trigger', { strategy: 'nope' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'STRATEGY_NOT_FOUND', message: 'Strategy not found: nope' });
    const cycles = await stack.request<Envelope<unknown[]>>('GET', '/operations?operation_type=agent_research');
    expect(cycles.body.data).toEqual([]);
  });
});
