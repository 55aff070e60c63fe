import { readFileSync } from 'node:fs';
import { BARS_MAGIC, BarsCodecError, decodeBars, encodeBars } from './bars.codec';
import type { Bars } from './bars.types';
import { sliceBars, windowRange } from './date.window';
import { parseOhlcvCsv } from './ohlcv-csv.parser';
import { BUILTIN_SP500, sp500CsvPath } from './sp500.source';
import { generateSyntheticSeries } from './synthetic.generator';

const COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

/** Bit-for-bit equality of every column (toEqual would call -0 and 0 equal, and is slow on long arrays). */
function expectSameBars(actual: Bars, expected: Bars): void {
  expect({ symbol: actual.symbol, timeframe: actual.timeframe }).toEqual({ symbol: expected.symbol, timeframe: expected.timeframe });
  for (const c of COLUMNS) {
    const a = Buffer.from(actual[c].buffer, actual[c].byteOffset, actual[c].byteLength);
    const e = Buffer.from(expected[c].buffer, expected[c].byteOffset, expected[c].byteLength);
    expect({ column: c, length: actual[c].length, same: a.equals(e) }).toEqual({ column: c, length: expected[c].length, same: true });
  }
}

function codecError(run: () => unknown): BarsCodecError {
  try {
    run();
  } catch (e) {
    if (e instanceof BarsCodecError) return e;
    throw e;
  }
  throw new Error('expected a BarsCodecError');
}

const sp500 = (): Bars => parseOhlcvCsv(readFileSync(sp500CsvPath(), 'utf8'), { ...BUILTIN_SP500, source: sp500CsvPath() });
/** Generated once: the whole synthetic series takes a few hundred ms (sliceBars copies, so each test gets its own). */
let series: Bars | null = null;
const hourlyYear = (): Bars =>
  sliceBars((series ??= generateSyntheticSeries('SYNTH_CODEC', '1h').bars), windowRange({ start: '2020-01-01', end: '2020-12-31' }));

describe('bars codec', () => {
  it('round-trips the built-in S&P 500 sample exactly, as views on the encoded buffer', () => {
    const bars = sp500();
    expect(bars.time.length).toBe(5105);
    const bytes = encodeBars(bars);
    // 16-byte header + "SP500" + "1d" padded to 24, then 6 columns of 8-byte values.
    expect(bytes.byteLength).toBe(24 + 6 * 8 * 5105);
    expect(Buffer.from(bytes.subarray(0, 4)).toString('latin1')).toBe(BARS_MAGIC);
    const back = decodeBars(bytes);
    expectSameBars(back, bars);
    // No copy: every column views the encoded buffer.
    for (const c of COLUMNS) expect(back[c].buffer).toBe(bytes.buffer);
  });

  it('round-trips a synthetic hourly year exactly, and odd doubles bit for bit', () => {
    const year = hourlyYear();
    expect(year.time.length).toBe(24 * 262); // 2020 has 262 weekdays
    expectSameBars(decodeBars(encodeBars(year)), year);

    const odd = [0, -0, Number.MIN_VALUE, -Number.MAX_VALUE, Infinity, NaN, 0.1 + 0.2, 1234.56, 2 ** 53 + 2];
    const column = () => Float64Array.from(odd);
    const weird: Bars = { symbol: 'ÆØÅ_€', timeframe: '1w', time: column(), open: column(), high: column(), low: column(), close: column(), volume: column() };
    const back = decodeBars(encodeBars(weird));
    expectSameBars(back, weird);
    expect(Object.is(back.open[1], -0)).toBe(true);

    const empty: Bars = {
      ...weird,
      time: new Float64Array(0),
      open: new Float64Array(0),
      high: new Float64Array(0),
      low: new Float64Array(0),
      close: new Float64Array(0),
      volume: new Float64Array(0),
    };
    expectSameBars(decodeBars(encodeBars(empty)), empty);
  });

  it('copies the columns when the buffer is unaligned or a copy is asked for, still exactly', () => {
    const year = hourlyYear();
    const bytes = encodeBars(year);
    // The same bytes at offset 3 of a larger buffer (as a Buffer sliced out of a socket read may be).
    const host = new Uint8Array(bytes.byteLength + 3);
    host.set(bytes, 3);
    const unaligned = decodeBars(host.subarray(3));
    expectSameBars(unaligned, year);
    expect(unaligned.close.buffer).not.toBe(host.buffer);

    const copied = decodeBars(bytes, { copy: true });
    expectSameBars(copied, year);
    copied.close[0] = -1;
    expect(decodeBars(bytes).close[0]).toBe(year.close[0]);
  });

  it('encodes without identity when asked; decoding then needs symbol and timeframe from the caller', () => {
    const year = hourlyYear();
    const bare = encodeBars(year, { identity: false });
    expect(bare.byteLength).toBe(16 + 6 * 8 * year.time.length);
    expectSameBars(decodeBars(bare, { symbol: year.symbol, timeframe: '1h' }), year);
    const err = codecError(() => decodeBars(bare, { timeframe: '1h' }));
    expect(err).toMatchObject({ problem: 'identity', code: 'INTERNAL', details: { problem: 'identity' } });
    expect(err.message).toBe('invalid encoded bars: the header stores no symbol and none was given');
    // The header wins over the options when it has them.
    expect(decodeBars(encodeBars(year), { symbol: 'OTHER', timeframe: '1d' })).toMatchObject({ symbol: 'SYNTH_CODEC', timeframe: '1h' });
  });

  it('names what is wrong with a buffer that is not encoded bars', () => {
    const bytes = encodeBars(hourlyYear());
    const n = 24 * 262;
    const expected = 32 + 48 * n; // 16 + "SYNTH_CODEC" + "1h" = 29, padded to 32

    const truncated = codecError(() => decodeBars(bytes.subarray(0, bytes.byteLength - 5)));
    expect(truncated.problem).toBe('truncated');
    expect(truncated.message).toBe(`invalid encoded bars: ${expected - 5} bytes, ${n} bars need ${expected} (5 missing)`);
    expect(codecError(() => decodeBars(bytes.subarray(0, 10))).message).toBe('invalid encoded bars: 10 bytes, shorter than the 16-byte header');

    const wrongMagic = Uint8Array.from(bytes);
    wrongMagic.set([0x50, 0x4b, 0x03, 0x04]); // a zip file
    const magic = codecError(() => decodeBars(wrongMagic));
    expect(magic.problem).toBe('magic');
    expect(magic.message).toBe('invalid encoded bars: starts with "PK\\u0003\\u0004", expected "KBAR"');
    expect(codecError(() => decodeBars(Buffer.from('timestamp,open,high,low,close,volume\n'))).message).toMatch(/starts with "time", expected "KBAR"/);

    const v2 = Uint8Array.from(bytes);
    new DataView(v2.buffer).setUint16(4, 2, true);
    expect(codecError(() => decodeBars(v2))).toMatchObject({ problem: 'version', message: 'invalid encoded bars: version 2, this reader knows 1' });

    const flagged = Uint8Array.from(bytes);
    new DataView(flagged.buffer).setUint16(6, 1, true);
    expect(codecError(() => decodeBars(flagged)).problem).toBe('flags');

    const longer = new Uint8Array(bytes.byteLength + 8);
    longer.set(bytes);
    expect(codecError(() => decodeBars(longer))).toMatchObject({ problem: 'trailing', message: `invalid encoded bars: 8 bytes after the last of ${n} bars` });

    const badTimeframe = Uint8Array.from(bytes);
    badTimeframe.set(Buffer.from('9y'), 16 + 'SYNTH_CODEC'.length);
    expect(codecError(() => decodeBars(badTimeframe))).toMatchObject({ problem: 'identity', message: 'invalid encoded bars: unknown timeframe "9y"' });
  });

  it('refuses to encode columns of different lengths', () => {
    const year = hourlyYear();
    const err = codecError(() => encodeBars({ ...year, volume: year.volume.subarray(1) }));
    expect(err).toMatchObject({ problem: 'columns' });
    expect(err.message).toBe(`invalid encoded bars: column volume has ${year.time.length - 1} values, time has ${year.time.length}`);
  });
});
