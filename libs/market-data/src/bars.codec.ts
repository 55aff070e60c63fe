import { TIMEFRAMES, type Timeframe } from '@ktrdr/agent-domain';
import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import type { Bars } from './bars.types.js';

/**
 * Bars as compact typed columns, the form they are stored in (a blob) and handed between phases:
 * a year of hourly bars (6,288 on a 24×5 session) is 302 KB here against 402 KB of the normalised CSV,
 * and decoding is six typed-array views instead of parsing 6,288 lines.
 *
 * Layout, little-endian:
 *   0  magic "KBAR" (4 bytes)
 *   4  version u16 (1)
 *   6  flags u16 (0; reserved for a later narrower or delta-coded encoding)
 *   8  count u32 (bars)
 *  12  symbol length u16, timeframe length u16 (bytes of UTF-8; 0 = not stored)
 *  16  symbol, timeframe, zero padding to a multiple of 8
 *   …  six Float64 columns of `count` values each: time, open, high, low, close, volume
 *
 * Every column is Float64, prices included: the prices an import parsed (decimal text such as
 * 1234.56) are doubles, and Float32 would round most of them (1234.56 → 1234.5600586), so features,
 * labels and backtests on stored bars would differ from the same bars read from the CSV. Exact
 * round trips are worth the 2× in size (a year of hourly bars is 300 KB, not 150 KB). Time is epoch
 * milliseconds, which Float64 holds exactly.
 * The header is padded so the columns start 8-byte aligned: decodeBars then returns views on the
 * buffer itself, without copying.
 */

export const BARS_MAGIC = 'KBAR';
export const BARS_CODEC_VERSION = 1;
const HEADER_BYTES = 16;
const COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
const MAX_LABEL_BYTES = 0xffff;
/** Typed arrays use the platform's byte order; the format is little-endian, so views are only taken on LE hosts. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** What is wrong with a buffer handed to decodeBars (or bars handed to encodeBars). */
export type BarsCodecProblem = 'magic' | 'version' | 'flags' | 'truncated' | 'trailing' | 'identity' | 'columns';

/** A buffer that is not encoded bars, or bars that cannot be encoded; `problem` says which check failed. */
export class BarsCodecError extends KtrdrError {
  constructor(
    readonly problem: BarsCodecProblem,
    message: string,
  ) {
    // Internal: the codec only reads what this project wrote, so a bad buffer is a corrupt store, not a bad request.
    super(ErrorCode.Internal, `invalid encoded bars: ${message}`, { problem });
  }
}

export interface EncodeBarsOptions {
  /** Store symbol and timeframe in the header (default true); without, the decoder must be told them. */
  identity?: boolean;
}

export interface DecodeBarsOptions {
  /** Used when the header stores no symbol (an encoding with identity: false). */
  symbol?: string;
  /** Used when the header stores no timeframe. */
  timeframe?: Timeframe;
  /** Copy the columns out of the buffer instead of viewing it (when the buffer is reused or mutated). */
  copy?: boolean;
}

const align8 = (n: number): number => (n + 7) & ~7;

/** The encoded bars (one allocation: header and columns), for a blob. Throws BarsCodecError when the columns differ in length. */
export function encodeBars(bars: Bars, options: EncodeBarsOptions = {}): Uint8Array {
  const count = bars.time.length;
  for (const c of COLUMNS) {
    if (bars[c].length !== count) throw new BarsCodecError('columns', `column ${c} has ${bars[c].length} values, time has ${count}`);
  }
  const withIdentity = options.identity ?? true;
  const symbol = withIdentity ? Buffer.from(bars.symbol, 'utf8') : Buffer.alloc(0);
  const timeframe = withIdentity ? Buffer.from(bars.timeframe, 'utf8') : Buffer.alloc(0);
  if (symbol.byteLength > MAX_LABEL_BYTES) throw new BarsCodecError('identity', `symbol is ${symbol.byteLength} bytes (at most ${MAX_LABEL_BYTES})`);
  const dataStart = align8(HEADER_BYTES + symbol.byteLength + timeframe.byteLength);
  const out = new Uint8Array(dataStart + COLUMNS.length * count * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = BARS_MAGIC.charCodeAt(i);
  view.setUint16(4, BARS_CODEC_VERSION, true);
  view.setUint16(6, 0, true);
  view.setUint32(8, count, true);
  view.setUint16(12, symbol.byteLength, true);
  view.setUint16(14, timeframe.byteLength, true);
  out.set(symbol, HEADER_BYTES);
  out.set(timeframe, HEADER_BYTES + symbol.byteLength);
  COLUMNS.forEach((c, k) => {
    const at = dataStart + k * count * 8;
    if (LITTLE_ENDIAN) new Float64Array(out.buffer, at, count).set(bars[c]);
    else for (let i = 0; i < count; i++) view.setFloat64(at + i * 8, bars[c][i]!, true);
  });
  return out;
}

/**
 * Bars from encodeBars' output. The columns are views on `bytes` when it is 8-byte aligned on a
 * little-endian host (one copy of the columns otherwise, or with `copy`). Throws BarsCodecError
 * naming the problem: wrong magic, unknown version or flags, truncated, trailing bytes, or no
 * symbol/timeframe in the header or the options.
 */
export function decodeBars(bytes: Uint8Array, options: DecodeBarsOptions = {}): Bars {
  if (bytes.byteLength < HEADER_BYTES) throw new BarsCodecError('truncated', `${bytes.byteLength} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  const magic = String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!);
  if (magic !== BARS_MAGIC) throw new BarsCodecError('magic', `starts with ${JSON.stringify(magic)}, expected "${BARS_MAGIC}"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== BARS_CODEC_VERSION) throw new BarsCodecError('version', `version ${version}, this reader knows ${BARS_CODEC_VERSION}`);
  const flags = view.getUint16(6, true);
  if (flags !== 0) throw new BarsCodecError('flags', `flags 0x${flags.toString(16)}, this reader knows none`);
  const count = view.getUint32(8, true);
  const symbolBytes = view.getUint16(12, true);
  const timeframeBytes = view.getUint16(14, true);
  const dataStart = align8(HEADER_BYTES + symbolBytes + timeframeBytes);
  const expected = dataStart + COLUMNS.length * count * 8;
  if (bytes.byteLength < expected) {
    throw new BarsCodecError('truncated', `${bytes.byteLength} bytes, ${count} bars need ${expected} (${expected - bytes.byteLength} missing)`);
  }
  if (bytes.byteLength > expected) throw new BarsCodecError('trailing', `${bytes.byteLength - expected} bytes after the last of ${count} bars`);

  const text = (from: number, length: number): string => Buffer.from(bytes.buffer, bytes.byteOffset + from, length).toString('utf8');
  const symbol = symbolBytes ? text(HEADER_BYTES, symbolBytes) : options.symbol;
  const timeframe = timeframeBytes ? text(HEADER_BYTES + symbolBytes, timeframeBytes) : options.timeframe;
  if (symbol === undefined || timeframe === undefined) {
    throw new BarsCodecError('identity', `the header stores no ${symbol === undefined ? 'symbol' : 'timeframe'} and none was given`);
  }
  if (!(TIMEFRAMES as readonly string[]).includes(timeframe))
    throw new BarsCodecError('identity', `unknown timeframe ${JSON.stringify(timeframe.slice(0, 16))}`);

  const viewable = LITTLE_ENDIAN && !options.copy && (bytes.byteOffset + dataStart) % 8 === 0;
  const column = (k: number): Float64Array => {
    const at = dataStart + k * count * 8;
    if (viewable) return new Float64Array(bytes.buffer, bytes.byteOffset + at, count);
    const out = new Float64Array(count);
    if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes.subarray(at, at + count * 8));
    else for (let i = 0; i < count; i++) out[i] = view.getFloat64(at + i * 8, true);
    return out;
  };
  return {
    symbol,
    timeframe: timeframe as Timeframe,
    time: column(0),
    open: column(1),
    high: column(2),
    low: column(3),
    close: column(4),
    volume: column(5),
  };
}
