import { readFile, readdir, rm } from 'node:fs/promises';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sp500CsvPath } from '@ktrdr/market-data';
import { startGateProxy, type GateProxy } from '../../../tools/testing/proxy/gate.proxy';
import { researchScratch, type ResearchScratch } from '../../../tools/testing/research.fixtures';
import { startStack, type Stack } from '../../../tools/testing/stack.harness';
import { childrenOf, triggerCycle, waitTerminal } from '../../../tools/testing/stack.requests';

/**
 * Imported market data lives in Redis: the built API stores an import there, a worker started
 * afterwards on an empty working directory of its own trains on it, a refused import
 * writes no key, and an API killed with SIGKILL in the middle of an import leaves nothing a
 * reader could see. The API reaches Redis through a gate proxy (tools/testing/proxy) that can
 * freeze its connection at an exact point of an import, so each kill lands where it is meant to.
 */

type Envelope<T = unknown> = { success: boolean; data: T; error?: { code: string; message: string } };
interface Listed {
  symbol: string;
  timeframe: string;
  source: string;
  bars: number;
  start: string;
  end: string;
  name?: string;
  hash?: string;
}

/** A daily RSI strategy on a symbol no built-in source has: it can only be trained on the import. */
const IMPORTED_DAILY = `name: imported_daily
training_data: { symbols: [IMPORTCO], timeframes: [1d], date_range: { start: "2010-01-01", end: "2016-12-31" } }
indicators: { rsi_14: { type: rsi, period: 14 } }
fuzzy_sets: { rsi_14: { indicator: rsi_14, low: { type: triangular, parameters: [0, 25, 50] }, high: { type: triangular, parameters: [50, 75, 100] } } }
nn_inputs: [{ fuzzy_set: rsi_14 }]
model: { type: mlp, architecture: { hidden_layers: [8] }, training: { epochs: 3 } }
training:
  labels: { source: zigzag, zigzag_threshold: 0.03, label_lookahead: 10 }
  data_split: { train: 0.7, validation: 0.15, test: 0.15 }
evaluation: { folds: 2, seeds: 1 }
backtest: { date_range: { start: "2017-01-01", end: "2019-12-31" } }
`;

/**
 * Hourly bars, `n` of them (100,000 → a 6 MB CSV, a 4.8 MB blob of five ~1 MiB chunks): large
 * enough that the import's chunks are still on the wire when the gate freezes the connection.
 */
function hourlyCsv(n: number): string {
  const lines = ['timestamp,open,high,low,close,volume'];
  let price = 100;
  const t0 = Date.parse('2010-01-04T00:00:00Z');
  for (let i = 0; i < n; i++) {
    const open = price;
    price = Math.max(1, price * (1 + Math.sin(i * 0.7) * 0.004));
    const high = Math.max(open, price) + 0.05;
    const low = Math.min(open, price) - 0.05;
    lines.push(`${new Date(t0 + i * 3_600_000).toISOString()},${open},${high},${low},${price},${1000 + (i % 50)}`);
  }
  return `${lines.join('\n')}\n`;
}

let gate: GateProxy;
let stack: Stack;
let scratch: ResearchScratch;
let workerDir: string;

/** Every key under the stack's prefix, sorted. */
async function keyspace(): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await stack.redis.scan(cursor, 'MATCH', `${stack.prefix}:*`, 'COUNT', 1000);
    out.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return out.sort();
}
const blobKeys = async (): Promise<string[]> => (await keyspace()).filter((k) => /:blob(s|-stage)?:/.test(k));
const namesKey = (): string => `${stack.prefix}:{ops}:blobs:names:data`;
const listed = async (): Promise<Listed[]> => (await stack.request<Envelope<Listed[]>>('GET', '/data')).body.data;
const filesIn = (dir: string): Promise<string[]> => readdir(dir, { recursive: true }).catch(() => []);

beforeAll(async () => {
  const url = new URL(process.env['REDIS_URL']!);
  gate = await startGateProxy(url.hostname, Number(url.port || 6379));
  scratch = researchScratch([], { imported_daily: IMPORTED_DAILY });
  // A file dropped into the API's data directory before it starts: imported into the store at start.
  mkdirSync(scratch.env.KTRDR_DATA_DIR, { recursive: true });
  writeFileSync(
    join(scratch.env.KTRDR_DATA_DIR, 'DIRCO_1d.csv'),
    'date,open,high,low,close,volume\n2021-01-04,10,11,9,10.5,100\n2021-01-05,10.5,11,10,10.8,120\n',
  );
  // The API reaches Redis through the gate; the stack's own assertion connection goes straight to it.
  stack = await startStack({ workers: [], apiEnv: { ...scratch.env, REDIS_URL: gate.url } });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await gate?.close();
  await rm(scratch.root, { recursive: true, force: true });
  if (workerDir) await rm(workerDir, { recursive: true, force: true });
});

describe('imported market data in the store (built API, real Redis)', () => {
  it('a CSV left in the data directory is imported into the store when the API starts, and stays where it was', async () => {
    expect(await stack.redis.hget(namesKey(), 'DIRCO:1d')).toMatch(/^[0-9a-f]{64}$/);
    expect((await listed()).filter((d) => d.symbol === 'DIRCO')).toEqual([
      expect.objectContaining({ source: 'store', name: 'data:DIRCO:1d', bars: 2, start: '2021-01-04T00:00:00.000Z', end: '2021-01-05T00:00:00.000Z' }),
    ]);
    expect(await filesIn(scratch.env.KTRDR_DATA_DIR)).toEqual(['DIRCO_1d.csv']);
  });

  it('a refused import (422) leaves the keyspace exactly as it was', async () => {
    const before = await keyspace();
    const bad = await stack.request<Envelope>('POST', '/data/import', {
      symbol: 'BADCO',
      timeframe: '1d',
      csv: 'timestamp,open,high,low,close,volume\n2021-01-04,10,11,9,10.5,100\n2021-01-03,10,9,11,10.5,100\n',
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error?.code).toBe('CSV_INVALID');
    const name = await stack.request<Envelope>('POST', '/data/import', { symbol: '.hidden', timeframe: '1d', csv: 'x' });
    expect(name.status).toBe(422);
    expect(await keyspace()).toEqual(before);
    expect(await filesIn(scratch.env.KTRDR_DATA_DIR)).toEqual(['DIRCO_1d.csv']);
  });

  it('an import answered 201 is trained on by a worker started afterwards on another, empty working directory', async () => {
    const csv = await readFile(sp500CsvPath(), 'utf8');
    const res = await stack.request<Envelope<{ name: string; hash: string; bars: number; replaced: boolean }>>('POST', '/data/import', {
      symbol: 'IMPORTCO',
      timeframe: '1d',
      csv,
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ name: 'data:IMPORTCO:1d', bars: 5105, replaced: false });
    // Only in Redis: nothing is written into the API's data directory.
    expect(await filesIn(scratch.env.KTRDR_DATA_DIR)).toEqual(['DIRCO_1d.csv']);
    expect(await stack.redis.hget(namesKey(), 'IMPORTCO:1d')).toBe(res.body.data.hash);
    expect((await listed()).find((d) => d.symbol === 'IMPORTCO')).toEqual(
      expect.objectContaining({ source: 'store', bars: 5105, start: '2000-01-03T00:00:00.000Z', end: '2020-04-17T00:00:00.000Z', hash: res.body.data.hash }),
    );

    // A worker that never saw a file: its strategies, data and models directories are its own and
    // empty (as on another host); the strategy and the bars both come from Redis.
    workerDir = mkdtempSync(join(tmpdir(), 'ktrdr-far-worker-'));
    await stack.startWorker('all', {
      KTRDR_STUB_WORKERS: 'false',
      ANTHROPIC_API_KEY: '',
      KTRDR_STRATEGIES_DIR: join(workerDir, 'strategies'),
      KTRDR_DATA_DIR: join(workerDir, 'data'),
    });
    const id = await triggerCycle(stack, { strategy: 'imported_daily', bypass_gates: true });
    const cycle = await waitTerminal(stack, id, 120_000, 100);
    expect({ status: cycle.status, error: cycle.error_message }).toEqual({ status: 'completed', error: null });
    const [training, backtest] = await childrenOf(stack, id);
    expect(training).toMatchObject({ operation_type: 'training', status: 'completed', result_summary: expect.objectContaining({ symbols: ['IMPORTCO'] }) });
    expect(training!.result_summary!['stub']).toBeUndefined();
    expect(backtest).toMatchObject({ operation_type: 'backtesting', status: 'completed' });
    expect(backtest!.result_summary!['stub']).toBeUndefined();
    expect(await filesIn(join(workerDir, 'data'))).toEqual([]);
  }, 150_000);

  it('SIGKILL of the API while the blob is on the wire leaves no blob, no name and no staging key; the import then succeeds', async () => {
    const csv = hourlyCsv(100_000);
    const blobsBefore = await blobKeys();
    const namesBefore = await stack.redis.hgetall(namesKey());
    // Frozen 1.5 MiB into the staging batch: the first chunk has reached Redis, the rest and the EXPIRE not.
    const held = gate.holdAt('blob-stage:', 1.5 * 1024 * 1024);
    const request = stack.request('POST', '/data/import', { symbol: 'BIGCO', timeframe: '1h', csv }).then(
      (res) => `answered ${res.status}`,
      (e: Error) => e.message,
    );
    await held;
    await stack.restartApi(true);
    gate.cut();
    // The client saw its connection die, never an answer.
    expect(await request).toBe('fetch failed');

    // A batch cut off before its EXEC is dropped whole: not even a staging key remains to expire.
    expect(await blobKeys()).toEqual(blobsBefore);
    expect(await stack.redis.hgetall(namesKey())).toEqual(namesBefore);
    expect((await listed()).some((d) => d.symbol === 'BIGCO')).toBe(false);

    const again = await stack.request<Envelope<{ bars: number; replaced: boolean }>>('POST', '/data/import', { symbol: 'BIGCO', timeframe: '1h', csv });
    expect(again.status).toBe(201);
    expect(again.body.data).toMatchObject({ bars: 100_000, replaced: false });
    expect((await listed()).find((d) => d.symbol === 'BIGCO')).toMatchObject({ source: 'store', bars: 100_000 });
  }, 120_000);

  it('SIGKILL of the API between the publish and the name leaves only a complete, unreferenced blob that expires; nothing is listed', async () => {
    const csv = hourlyCsv(20_000);
    const blobsBefore = await blobKeys();
    const namesBefore = await stack.redis.hgetall(namesKey());
    // The name is set by the first command that names the `data` names hash: freeze the connection right there.
    const held = gate.holdAt('blobs:names:', 0);
    const request = stack.request('POST', '/data/import', { symbol: 'HALFCO', timeframe: '1h', csv }).then(
      (res) => `answered ${res.status}`,
      (e: Error) => e.message,
    );
    await held;
    await stack.restartApi(true);
    gate.cut();
    // The client saw its connection die, never an answer.
    expect(await request).toBe('fetch failed');

    expect(await stack.redis.hgetall(namesKey())).toEqual(namesBefore);
    expect((await listed()).some((d) => d.symbol === 'HALFCO')).toBe(false);
    // One new blob (and the usage index's entry for it), no staging key, no owner set.
    const added = (await blobKeys()).filter((k) => !blobsBefore.includes(k));
    expect(added).toEqual([expect.stringMatching(/:blob:[0-9a-f]{64}$/)]);
    const orphans = added;
    const [orphan] = orphans;
    expect(await stack.redis.hget(orphan!, 'refs')).toBe('0');
    // The unreferenced TTL (KTRDR_ARTIFACT_TTL_DAYS, 30 days by default): it goes by itself.
    const ttl = await stack.redis.ttl(orphan!);
    expect(ttl).toBeGreaterThan(29 * 86_400);
    expect(ttl).toBeLessThanOrEqual(30 * 86_400);

    // Importing it again finds the blob stored and names it: referenced, no longer expiring.
    const again = await stack.request<Envelope<{ hash: string }>>('POST', '/data/import', { symbol: 'HALFCO', timeframe: '1h', csv });
    expect(again.status).toBe(201);
    expect(orphan!.endsWith(again.body.data.hash)).toBe(true);
    expect(await stack.redis.hget(orphan!, 'refs')).toBe('1');
    expect(await stack.redis.ttl(orphan!)).toBe(-1);
  }, 120_000);
});
