import { SYMBOL, SYMBOL_RULE, TIMEFRAMES, throwIfAborted, type Timeframe } from '@ktrdr/agent-domain';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { decodeBars, encodeBars } from './bars.codec.js';
import type { Bars, DateWindow } from './bars.types.js';
import { isoOf, sliceBars, windowRange } from './date.window.js';
import { BARS_BLOB_KIND, DATA_NAMESPACE, dataBlobName, dataStoreName, parseDataBlobName, type MarketDataBlobs } from './market-data.blobs.js';
import { MarketDataInputError, NoMarketDataError, StoredDataError } from './market-data.error.js';
import { formatOhlcvCsv, parseOhlcvCsv } from './ohlcv-csv.parser.js';
import { BUILTIN_SP500, sp500CsvPath } from './sp500.source.js';
import {
  SYNTHETIC_END_MS,
  SYNTHETIC_ORIGIN_MS,
  SYNTHETIC_PREFIX,
  SYNTHETIC_TIMEFRAMES,
  generateSyntheticSeries,
  isSyntheticSymbol,
  isSyntheticTimeframe,
  syntheticBarCount,
  type SyntheticTimeframe,
} from './synthetic.generator.js';

/** `store`: imported into the blob store (Redis), readable by every process on any host. */
export type DataSource = 'store' | 'csv' | 'builtin' | 'synthetic';

/** One data set as `ktrdr data list` shows it. Times are ISO-8601 UTC (open time of the first/last bar). */
export interface DataSetInfo {
  symbol: string;
  timeframe: Timeframe;
  source: DataSource;
  start: string;
  end: string;
  bars: number;
  /** The file behind a csv or builtin entry. */
  path?: string;
  /** The store's name of a store entry (`data:<SYMBOL>:<timeframe>`) and the blob it points at. */
  name?: string;
  hash?: string;
  /** Set when a CSV in the data directory (or a stored blob) cannot be read; `load` of it fails with this message. */
  error?: string;
}

export interface ImportResult {
  symbol: string;
  timeframe: Timeframe;
  bars: number;
  start: string;
  end: string;
  /** Directory mode: the file written. */
  path?: string;
  /** Store mode: the name now pointing at the import (`data:<SYMBOL>:<timeframe>`) and its blob. */
  name?: string;
  hash?: string;
  /** True when a previous import of the same symbol/timeframe was replaced. */
  replaced: boolean;
}

/** What importDirectory did with each CSV of the data directory. */
export interface DirectoryImport {
  imported: ImportResult[];
  /** Files whose pair the store already has (the store's copy wins; re-import to replace it). */
  skipped: string[];
  /** Files that do not parse: left where they are, listed with their error as before. */
  failed: { path: string; error: string }[];
}

export interface MarketDataOptions {
  /**
   * Where CSVs live (`<SYMBOL>_<timeframe>.csv`); need not exist. Without `blobs` imports are
   * written here; with it the directory is only read (and imported by importDirectory).
   */
  dataDir: string;
  /**
   * The blob store (BlobStore on the process's Redis connection and key prefix): imports are
   * stored there as typed columns, so every process on any host reads them. Omitted: the
   * directory is the only store (unit tests, tools).
   */
  blobs?: MarketDataBlobs;
  /** Mixed into every synthetic symbol's seed; keep the default so a symbol is the same series everywhere. */
  syntheticSeed?: number;
  /** How many parsed/generated series stay in memory (each ≤ ~5 MB). */
  cacheSize?: number;
}

const FILE_NAME = new RegExp(`^(.+)_(${TIMEFRAMES.join('|')})\\.csv$`);

/** A small LRU over a Map (insertion order): hand-rolled, a dozen lines, no cache library is a dependency. */
class LruCache<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly capacity: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }
  delete(key: string): void {
    this.map.delete(key);
  }
}

function checkRequest(symbol: string, timeframe: string): asserts timeframe is Timeframe {
  const errors: { field: string; message: string }[] = [];
  if (!SYMBOL.test(symbol)) errors.push({ field: 'symbol', message: SYMBOL_RULE });
  if (!(TIMEFRAMES as readonly string[]).includes(timeframe)) errors.push({ field: 'timeframe', message: `expected one of ${TIMEFRAMES.join(', ')}` });
  if (errors.length) throw new MarketDataInputError(errors);
}

/**
 * Market data for every phase and the API. Sources, first match wins:
 * 1. the blob store, name `data:<SYMBOL>:<timeframe>` (imported with `ktrdr data import`), when
 *    the repository was given one;
 * 2. `<dataDir>/<SYMBOL>_<timeframe>.csv` (imports in directory mode, or files dropped there);
 * 3. built-in `SP500 1d` (vega-datasets, read from node_modules);
 * 4. synthetic `SYNTH_*` on 1h, 4h, 1d (seeded, regime-switching GBM).
 */
export class MarketDataRepository {
  readonly dataDir: string;
  private readonly blobs: MarketDataBlobs | undefined;
  private readonly seed: number;
  /**
   * Decoded blobs keyed by hash (content-addressed: a re-import is a new hash, so an entry never goes
   * stale), parsed files keyed by path + mtime + size (a re-import changes both), generated series.
   */
  private readonly cache: LruCache<Promise<Bars>>;

  constructor(options: MarketDataOptions | string) {
    const o = typeof options === 'string' ? { dataDir: options } : options;
    this.dataDir = resolve(o.dataDir);
    this.blobs = o.blobs;
    this.seed = o.syntheticSeed ?? 0;
    this.cache = new LruCache(o.cacheSize ?? 8);
  }

  /**
   * Every data set `load` can serve, in the order `load` picks them: stored imports, CSVs of the
   * data directory the store does not shadow, then the built-in sample and the synthetic patterns.
   */
  async list(): Promise<DataSetInfo[]> {
    const out: DataSetInfo[] = await this.storedSets();
    const stored = new Set(out.map((d) => `${d.symbol} ${d.timeframe}`));
    const csv = (await this.csvFiles()).filter((f) => !stored.has(`${f.symbol} ${f.timeframe}`));
    for (const f of csv) {
      try {
        const bars = await this.readCsv(f.path, f.symbol, f.timeframe);
        out.push({ symbol: f.symbol, timeframe: f.timeframe, source: 'csv', ...span(bars), path: f.path });
      } catch (e) {
        out.push({ symbol: f.symbol, timeframe: f.timeframe, source: 'csv', start: '', end: '', bars: 0, path: f.path, error: (e as Error).message });
      }
    }
    if (!out.some((d) => d.symbol === BUILTIN_SP500.symbol && d.timeframe === BUILTIN_SP500.timeframe)) {
      const bars = await this.readCsv(sp500CsvPath(), BUILTIN_SP500.symbol, BUILTIN_SP500.timeframe);
      out.push({ ...BUILTIN_SP500, source: 'builtin', ...span(bars), path: sp500CsvPath() });
    }
    for (const timeframe of SYNTHETIC_TIMEFRAMES) {
      const hours = timeframe === '1h' ? 1 : timeframe === '4h' ? 4 : 24;
      out.push({
        symbol: `${SYNTHETIC_PREFIX}*`,
        timeframe,
        source: 'synthetic',
        start: isoOf(firstWeekday(SYNTHETIC_ORIGIN_MS)),
        end: isoOf(lastWeekday(SYNTHETIC_END_MS) + (24 - hours) * 3_600_000),
        bars: syntheticBarCount(timeframe),
      });
    }
    return out;
  }

  /**
   * The bars of a symbol/timeframe whose open time lies in the window (start and end inclusive;
   * a bare end date covers its whole day). Throws NoMarketDataError when no source has the pair or
   * the window holds no bars, CsvInvalidError when the CSV behind it is broken, and
   * CancelledError when the signal fires.
   */
  async load(symbol: string, timeframe: Timeframe, window: DateWindow, signal?: AbortSignal): Promise<Bars> {
    checkRequest(symbol, timeframe);
    const range = windowRange(window);
    if (signal) throwIfAborted(signal);
    const series = await this.series(symbol, timeframe);
    if (signal) throwIfAborted(signal);
    if (!series) throw new NoMarketDataError(symbol, timeframe, window.start, window.end, 'no source has this symbol and timeframe');
    const bars = sliceBars(series, range);
    if (bars.time.length === 0) {
      const have = series.time.length ? `data covers ${isoOf(series.time[0]!)} … ${isoOf(series.time[series.time.length - 1]!)}` : 'the source is empty';
      throw new NoMarketDataError(symbol, timeframe, window.start, window.end, have);
    }
    return bars;
  }

  /**
   * Validates a CSV and stores it, all or nothing. With a blob store: as typed columns (one blob of
   * kind `bars`) named `data:<SYMBOL>:<timeframe>`, replacing the name's earlier target. Otherwise
   * as `<dataDir>/<SYMBOL>_<timeframe>.csv` (normalised: ISO timestamps, six columns), written to a
   * temporary file in the same directory and renamed over the target, so readers never see half a file.
   * A refused CSV (CsvInvalidError, MarketDataInputError) is refused before anything is written.
   */
  async importCsv(symbol: string, timeframe: string, text: string): Promise<ImportResult> {
    checkRequest(symbol, timeframe);
    const bars = parseOhlcvCsv(text, { symbol, timeframe });
    if (this.blobs) return (await this.storeBars(this.blobs, bars, 'replace'))!;
    const path = this.csvPath(symbol, timeframe);
    await mkdir(this.dataDir, { recursive: true });
    const replaced = await stat(path).then(
      () => true,
      () => false,
    );
    const tmp = join(this.dataDir, `.${symbol}_${timeframe}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await writeFile(tmp, formatOhlcvCsv(bars), { flag: 'wx' });
      await rename(tmp, path);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    return { symbol, timeframe, ...span(bars), path, replaced };
  }

  /**
   * Imports every readable CSV of the data directory whose pair the store does not have yet (the
   * convenience of dropping files there; an API start calls it). Create-only: an import through
   * the API, or another process importing the same file, is never overwritten. Unreadable files are
   * left alone and keep being listed with their error. Without a blob store it does nothing.
   */
  async importDirectory(): Promise<DirectoryImport> {
    const result: DirectoryImport = { imported: [], skipped: [], failed: [] };
    const blobs = this.blobs;
    if (!blobs) return result;
    for (const f of await this.csvFiles()) {
      if (await blobs.getName(DATA_NAMESPACE, dataBlobName(f.symbol, f.timeframe))) {
        result.skipped.push(f.path);
        continue;
      }
      let bars: Bars;
      try {
        bars = await this.readCsv(f.path, f.symbol, f.timeframe);
      } catch (e) {
        result.failed.push({ path: f.path, error: (e as Error).message });
        continue;
      }
      const done = await this.storeBars(blobs, bars, 'absent');
      if (done) result.imported.push({ ...done, path: f.path });
      else result.skipped.push(f.path);
    }
    return result;
  }

  /**
   * Puts the bars as one blob, then points the pair's name at it. In that order on purpose: the put
   * publishes the whole blob in one atomic step (or nothing), and the name is set only after it, so
   * a process killed at any point leaves either the previous import named or, at worst, a complete
   * unreferenced blob that expires after the store's TTL — never a name pointing at half a blob.
   * No owner on the put for the same reason: a reference taken before the name exists would keep a
   * blob alive that no name points at. Answers null when `absent` found the name already set.
   */
  private async storeBars(blobs: MarketDataBlobs, bars: Bars, mode: 'replace' | 'absent'): Promise<ImportResult | null> {
    const { symbol, timeframe } = bars;
    const s = span(bars);
    const { hash } = await blobs.put(encodeBars(bars), { kind: BARS_BLOB_KIND, symbol, timeframe, ...s });
    const name = dataBlobName(symbol, timeframe);
    let replaced: boolean;
    if (mode === 'replace') {
      // The name's earlier blob loses its reference here and expires after the TTL (unless re-used).
      replaced = (await blobs.setName(DATA_NAMESPACE, name, hash)) !== null;
    } else {
      if (!(await blobs.setNameIfAbsent(DATA_NAMESPACE, name, hash)).set) return null;
      replaced = false;
    }
    return { symbol, timeframe, ...s, name: dataStoreName(symbol, timeframe), hash, replaced };
  }

  /** The stored imports with their span and bar count, from each blob's metadata (no blob is fetched). */
  private async storedSets(): Promise<DataSetInfo[]> {
    const blobs = this.blobs;
    if (!blobs) return [];
    const names = (await blobs.listNames(DATA_NAMESPACE)).flatMap(({ name, hash }) => {
      const pair = parseDataBlobName(name);
      return pair ? [{ ...pair, hash }] : [];
    });
    return Promise.all(
      names.map(async ({ symbol, timeframe, hash }): Promise<DataSetInfo> => {
        const entry = { symbol, timeframe, source: 'store' as const, name: dataStoreName(symbol, timeframe), hash };
        try {
          const meta = (await blobs.stat(hash))?.meta;
          if (!meta) throw new StoredDataError(symbol, timeframe, hash, 'the blob is missing from the store');
          const { bars, start, end } = meta;
          if (typeof bars === 'number' && typeof start === 'string' && typeof end === 'string') return { ...entry, start, end, bars };
          // A blob stored without the span (by another writer): decode it once, as load would.
          return { ...entry, ...span(await this.storedSeries(blobs, symbol, timeframe, hash)) };
        } catch (e) {
          return { ...entry, start: '', end: '', bars: 0, error: (e as Error).message };
        }
      }),
    );
  }

  /** A stored blob decoded (views on the fetched buffer, no CSV parsing), cached by its hash. */
  private storedSeries(blobs: MarketDataBlobs, symbol: string, timeframe: Timeframe, hash: string): Promise<Bars> {
    return this.memo(`blob:${hash}`, async () => {
      const bytes = await blobs.get(hash);
      if (!bytes) throw new StoredDataError(symbol, timeframe, hash, 'the blob is missing from the store');
      const bars = decodeBars(bytes);
      if (bars.symbol !== symbol || bars.timeframe !== timeframe) {
        throw new StoredDataError(symbol, timeframe, hash, `the blob holds ${bars.symbol} ${bars.timeframe}`);
      }
      return bars;
    });
  }

  /** The file an import of this pair writes; refuses anything that would resolve outside the data directory. */
  csvPath(symbol: string, timeframe: Timeframe): string {
    const path = resolve(this.dataDir, `${symbol}_${timeframe}.csv`);
    if (!path.startsWith(this.dataDir + sep)) throw new MarketDataInputError([{ field: 'symbol', message: 'resolves outside the data directory' }]);
    return path;
  }

  /** The full series of the first source that has the pair, or null. */
  private async series(symbol: string, timeframe: Timeframe): Promise<Bars | null> {
    if (this.blobs) {
      // One HGET per load: a re-import elsewhere is seen at once, and its new hash misses the cache.
      const hash = await this.blobs.getName(DATA_NAMESPACE, dataBlobName(symbol, timeframe));
      if (hash) return this.storedSeries(this.blobs, symbol, timeframe, hash);
    }
    const path = this.csvPath(symbol, timeframe);
    const st = await stat(path).catch(() => null);
    if (st?.isFile()) return this.readCsv(path, symbol, timeframe, `${st.mtimeMs}:${st.size}`);
    if (symbol === BUILTIN_SP500.symbol && timeframe === BUILTIN_SP500.timeframe) return this.readCsv(sp500CsvPath(), symbol, timeframe);
    if (isSyntheticSymbol(symbol) && isSyntheticTimeframe(timeframe)) return this.synthetic(symbol, timeframe);
    return null;
  }

  private async readCsv(path: string, symbol: string, timeframe: Timeframe, version?: string): Promise<Bars> {
    const v = version ?? (await stat(path).then((s) => `${s.mtimeMs}:${s.size}`));
    return this.memo(`csv:${path}:${v}`, async () => parseOhlcvCsv(await readFile(path, 'utf8'), { symbol, timeframe, source: path }));
  }

  private synthetic(symbol: string, timeframe: SyntheticTimeframe): Promise<Bars> {
    return this.memo(`synthetic:${symbol}:${timeframe}`, async () => generateSyntheticSeries(symbol, timeframe, this.seed).bars);
  }

  /** Shares one in-flight read per key; a failed read is not cached, so a fixed file is picked up. */
  private memo(key: string, make: () => Promise<Bars>): Promise<Bars> {
    const hit = this.cache.get(key);
    if (hit) return hit;
    const p = make();
    this.cache.set(key, p);
    p.catch(() => this.cache.delete(key));
    return p;
  }

  private async csvFiles(): Promise<{ path: string; symbol: string; timeframe: Timeframe }[]> {
    let names: string[];
    try {
      names = await readdir(this.dataDir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: { path: string; symbol: string; timeframe: Timeframe }[] = [];
    for (const name of names.sort()) {
      const m = FILE_NAME.exec(name);
      if (!m || !SYMBOL.test(m[1]!)) continue;
      out.push({ path: join(this.dataDir, name), symbol: m[1]!, timeframe: m[2] as Timeframe });
    }
    return out;
  }
}

function span(bars: Bars): { start: string; end: string; bars: number } {
  const n = bars.time.length;
  return { start: n ? isoOf(bars.time[0]!) : '', end: n ? isoOf(bars.time[n - 1]!) : '', bars: n };
}

function firstWeekday(ms: number): number {
  let d = ms;
  while ([0, 6].includes(new Date(d).getUTCDay())) d += 86_400_000;
  return d;
}

/** The last weekday strictly before `endMs` (a day boundary). */
function lastWeekday(endMs: number): number {
  let d = endMs - 86_400_000;
  while ([0, 6].includes(new Date(d).getUTCDay())) d -= 86_400_000;
  return d;
}
