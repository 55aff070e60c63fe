import type { Bars, DateWindow } from './bars.types.js';
import { MarketDataInputError } from './market-data.error.js';

const DAY_MS = 86_400_000;
const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * An ISO date or date-time as epoch ms. A date-time without a zone is UTC — never the machine's
 * local zone, so the API, every worker and every test read the same instant. Null when unparseable.
 */
export function parseIsoTime(text: string): number | null {
  const s = text.trim();
  if (BARE_DATE.test(s)) {
    const ms = Date.parse(`${s}T00:00:00Z`);
    return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== s ? null : ms;
  }
  const m = DATE_TIME.exec(s);
  if (!m) return null;
  const zone = m[3] ? (m[3].toUpperCase() === 'Z' ? 'Z' : m[3].length === 5 ? `${m[3].slice(0, 3)}:${m[3].slice(3)}` : m[3]) : 'Z';
  const time = m[2]!.length === 5 ? `${m[2]}:00` : m[2]!;
  const ms = Date.parse(`${m[1]}T${time}${zone}`);
  return Number.isNaN(ms) ? null : ms;
}

/** A window as a half-open epoch-ms range `[from, to)`; a bare end date covers its whole day. */
export interface TimeRange {
  from: number;
  to: number;
}

export function windowRange(window: DateWindow): TimeRange {
  const errors: { field: string; message: string }[] = [];
  const from = parseIsoTime(window.start);
  const endMs = parseIsoTime(window.end);
  if (from === null) errors.push({ field: 'start', message: `not an ISO date or date-time: "${window.start}"` });
  if (endMs === null) errors.push({ field: 'end', message: `not an ISO date or date-time: "${window.end}"` });
  if (from === null || endMs === null) throw new MarketDataInputError(errors);
  // Inclusive end: a bare date means up to the end of that day, a date-time includes that instant.
  const to = BARE_DATE.test(window.end.trim()) ? endMs + DAY_MS : endMs + 1;
  if (to <= from) throw new MarketDataInputError([{ field: 'end', message: `must not be before start (${window.start} > ${window.end})` }]);
  return { from, to };
}

/** First index i with time[i] >= t (binary search: times are strictly increasing). */
export function lowerBound(time: Float64Array, t: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The bars whose open time lies in the range, copied: callers may mutate them without touching a cached series. */
export function sliceBars(bars: Bars, range: TimeRange): Bars {
  const a = lowerBound(bars.time, range.from);
  const b = lowerBound(bars.time, range.to);
  return {
    symbol: bars.symbol,
    timeframe: bars.timeframe,
    time: bars.time.slice(a, b),
    open: bars.open.slice(a, b),
    high: bars.high.slice(a, b),
    low: bars.low.slice(a, b),
    close: bars.close.slice(a, b),
    volume: bars.volume.slice(a, b),
  };
}

export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}
