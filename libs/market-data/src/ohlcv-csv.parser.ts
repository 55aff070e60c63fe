import type { Timeframe } from '@ktrdr/agent-domain';
import type { Bars } from './bars.types.js';
import { parseIsoTime } from './date.window.js';
import { CsvInvalidError, MAX_CSV_PROBLEMS, type CsvProblem } from './market-data.error.js';

/**
 * OHLCV CSV reading and writing, one parser for imports, files in the data directory and the
 * built-in S&P 500 sample.
 *
 * Hand-rolled rather than a CSV library: the accepted format is numeric columns only (no quoted
 * commas or multi-line fields to support), no CSV parser is a dependency of this repo, and the
 * validation (line numbers for every kind of bad row) has to be written here either way.
 *
 * Header: a time column named `timestamp`, `date`, `time` or `datetime`, and `open, high, low,
 * close, volume` (any case, any order; extra columns such as `adjclose` are ignored).
 * Time values: ISO date (`2020-01-31`), ISO date-time (zone optional, UTC when absent), or epoch
 * seconds / milliseconds (a number below 1e11 is seconds).
 */

const TIME_COLUMNS = ['timestamp', 'date', 'time', 'datetime'] as const;
const PRICE_COLUMNS = ['open', 'high', 'low', 'close', 'volume'] as const;
type Column = (typeof PRICE_COLUMNS)[number];
const EPOCH = /^\d{1,16}(\.\d+)?$/;
const EPOCH_SECONDS_BELOW = 1e11;
/** The largest time a JavaScript Date holds (±100,000,000 days from 1970): beyond it `toISOString` throws. */
const MAX_DATE_MS = 8.64e15;

export interface ParseCsvOptions {
  symbol: string;
  timeframe: Timeframe;
  /** Named in the error message (a file path); omitted for uploaded text. */
  source?: string;
}

/** A timestamp cell as epoch ms, or null. */
export function parseTimestamp(cell: string): number | null {
  const s = cell.trim();
  if (EPOCH.test(s)) {
    const n = Number(s);
    if (!Number.isFinite(n)) return null;
    return n < EPOCH_SECONDS_BELOW ? Math.round(n * 1000) : Math.round(n);
  }
  return parseIsoTime(s);
}

function unquote(cell: string): string {
  const s = cell.trim();
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).trim() : s;
}

/** Splits text into lines keeping 1-based numbers; tolerates a BOM and CRLF. */
function lines(text: string): string[] {
  return (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r?\n/);
}

/**
 * Parses and validates a whole CSV. Throws CsvInvalidError listing up to MAX_CSV_PROBLEMS bad rows
 * by line number (with the total count); never returns partially valid bars.
 */
export function parseOhlcvCsv(text: string, options: ParseCsvOptions): Bars {
  const all = lines(text);
  const problems: CsvProblem[] = [];
  let total = 0;
  const problem = (line: number, message: string): void => {
    total += 1;
    if (problems.length < MAX_CSV_PROBLEMS) problems.push({ line, message });
  };
  const fail = (): never => {
    throw new CsvInvalidError(problems, total, options.source);
  };

  const headerIndex = all.findIndex((l) => l.trim() !== '');
  if (headerIndex < 0) {
    problem(0, 'the file is empty (expected a header line and data rows)');
    return fail();
  }
  const header = all[headerIndex]!.split(',').map((h) => unquote(h).toLowerCase());
  const timeCol = header.findIndex((h) => (TIME_COLUMNS as readonly string[]).includes(h));
  const cols = {} as Record<Column, number>;
  const missing: string[] = [];
  if (timeCol < 0) missing.push(TIME_COLUMNS.join('|'));
  for (const c of PRICE_COLUMNS) {
    cols[c] = header.indexOf(c);
    if (cols[c] < 0) missing.push(c);
  }
  if (missing.length) {
    problem(headerIndex + 1, `header must name columns ${missing.join(', ')} (found: ${header.join(', ')})`);
    return fail();
  }

  const n = all.length;
  const time = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  let count = 0;
  let prevTime = -Infinity;
  let prevLine = 0;

  for (let i = headerIndex + 1; i < n; i++) {
    const raw = all[i]!;
    if (raw.trim() === '') continue;
    const line = i + 1;
    const cells = raw.split(',');
    if (cells.length !== header.length) {
      problem(line, `expected ${header.length} columns, found ${cells.length}`);
      continue;
    }
    const t = parseTimestamp(unquote(cells[timeCol]!));
    if (t === null) {
      problem(line, `unparseable timestamp "${unquote(cells[timeCol]!).slice(0, 40)}" (expected ISO date/date-time or epoch seconds/ms)`);
      continue;
    }
    if (Math.abs(t) > MAX_DATE_MS) {
      problem(line, `timestamp "${unquote(cells[timeCol]!).slice(0, 40)}" is outside the representable date range (years -271821 to 275760)`);
      continue;
    }
    const values = {} as Record<Column, number>;
    const bad: string[] = [];
    for (const c of PRICE_COLUMNS) {
      const cell = unquote(cells[cols[c]]!);
      const v = cell === '' ? NaN : Number(cell);
      if (!Number.isFinite(v)) bad.push(`${c} "${cell.slice(0, 20)}"`);
      values[c] = v;
    }
    if (bad.length) {
      problem(line, `unparseable number: ${bad.join(', ')}`);
      continue;
    }
    const { open: o, high: h, low: l, close: c, volume: v } = values;
    const rowProblems: string[] = [];
    if (t <= prevTime) rowProblems.push(`timestamp ${new Date(t).toISOString()} is not after line ${prevLine}'s`);
    if (o <= 0 || h <= 0 || l <= 0 || c <= 0) rowProblems.push('prices must be positive');
    if (h < l) rowProblems.push(`high ${h} < low ${l}`);
    else if (h < Math.max(o, c) || l > Math.min(o, c)) rowProblems.push(`high/low (${h}/${l}) do not enclose open/close (${o}/${c})`);
    if (v < 0) rowProblems.push(`negative volume ${v}`);
    if (rowProblems.length) problem(line, rowProblems.join('; '));
    // Only a later time moves the clock on, so each out-of-order row is compared with the last good one.
    if (t > prevTime) {
      prevTime = t;
      prevLine = line;
    }
    if (rowProblems.length) continue;
    time[count] = t;
    open[count] = o;
    high[count] = h;
    low[count] = l;
    close[count] = c;
    volume[count] = v;
    count += 1;
  }

  if (total === 0 && count === 0) problem(headerIndex + 1, 'no data rows after the header');
  if (total > 0) return fail();
  return {
    symbol: options.symbol,
    timeframe: options.timeframe,
    time: time.slice(0, count),
    open: open.slice(0, count),
    high: high.slice(0, count),
    low: low.slice(0, count),
    close: close.slice(0, count),
    volume: volume.slice(0, count),
  };
}

/** The normalised file an import writes: ISO timestamps, the six columns, full precision. */
export function formatOhlcvCsv(bars: Bars): string {
  const out: string[] = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < bars.time.length; i++) {
    out.push(`${new Date(bars.time[i]!).toISOString()},${bars.open[i]},${bars.high[i]},${bars.low[i]},${bars.close[i]},${bars.volume[i]}`);
  }
  return `${out.join('\n')}\n`;
}
