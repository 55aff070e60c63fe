import { ErrorCode } from '@ktrdr/errors';
import { CsvInvalidError } from './market-data.error';
import { formatOhlcvCsv, parseOhlcvCsv, parseTimestamp } from './ohlcv-csv.parser';

const opts = { symbol: 'TEST', timeframe: '1h' as const };

function problemsOf(text: string): CsvInvalidError {
  try {
    parseOhlcvCsv(text, opts);
  } catch (e) {
    if (e instanceof CsvInvalidError) return e;
    throw e;
  }
  throw new Error('expected the CSV to be rejected');
}

describe('OHLCV CSV parsing', () => {
  it('reads any-case headers in any order, ignores extra columns and accepts ISO and epoch times', () => {
    const text = [
      'Volume,CLOSE,Low,High,Open,Timestamp,adjclose',
      '100,10.5,9.5,11,10,2024-01-02,1',
      '200,11,10,11.5,10.5,2024-01-02T01:00:00Z,1',
      '300,11.2,10.8,11.4,11,2024-01-02 02:00,1',
      `400,11.1,10.9,11.3,11.2,${Date.UTC(2024, 0, 2, 3) / 1000},1`,
      `500,11.0,10.9,11.2,11.1,${Date.UTC(2024, 0, 2, 4)},1`,
      '',
    ].join('\r\n');
    const bars = parseOhlcvCsv(text, opts);
    expect(Array.from(bars.time)).toEqual([0, 1, 2, 3, 4].map((h) => Date.UTC(2024, 0, 2, h)));
    expect(Array.from(bars.open)).toEqual([10, 10.5, 11, 11.2, 11.1]);
    expect(Array.from(bars.volume)).toEqual([100, 200, 300, 400, 500]);
    expect(bars.symbol).toBe('TEST');
  });

  it('treats a date-time without a zone as UTC and honours explicit offsets', () => {
    expect(parseTimestamp('2024-03-01T12:00')).toBe(Date.UTC(2024, 2, 1, 12));
    expect(parseTimestamp('2024-03-01T12:00:00+02:00')).toBe(Date.UTC(2024, 2, 1, 10));
    expect(parseTimestamp('2024-02-30')).toBeNull();
    expect(parseTimestamp('yesterday')).toBeNull();
  });

  it('rejects every bad row, naming its line number', () => {
    const text = [
      'date,open,high,low,close,volume', // 1
      '2024-01-01,10,11,9,10.5,100', // 2 ok
      '2024-01-02,10,11,9,10.5', // 3 wrong column count
      '2024-01-03,10,x,9,10.5,100', // 4 unparseable number
      '2024-01-04,10,9,11,10.5,100', // 5 high < low
      '2024-01-05,10,10.2,9,10.5,100', // 6 high below close
      '2024-01-06,10,11,9,10.5,-5', // 7 negative volume
      '2024-01-03,10,11,9,10.5,100', // 8 not after line 2... (last good time is line 7's)
      'not-a-date,10,11,9,10.5,100', // 9 bad timestamp
      '2024-01-09,0,11,9,10.5,100', // 10 zero price
      '2024-01-10,10,11,9,10.5,100', // 11 ok
    ].join('\n');
    const err = problemsOf(text);
    expect(err.code).toBe(ErrorCode.CsvInvalid);
    expect(err.problems.map((p) => p.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(err.problems[0]!.message).toBe('expected 6 columns, found 5');
    expect(err.problems[1]!.message).toContain('high "x"');
    expect(err.problems[2]!.message).toContain('high 9 < low 11');
    expect(err.problems[3]!.message).toContain('do not enclose open/close');
    expect(err.problems[4]!.message).toContain('negative volume -5');
    expect(err.problems[5]!.message).toContain('is not after line 7');
    expect(err.problems[6]!.message).toContain('unparseable timestamp "not-a-date"');
    expect(err.problems[7]!.message).toContain('prices must be positive');
    expect(err.message).toBe('invalid CSV: line 3: expected 6 columns, found 5; line 4: unparseable number: high "x"; line 5: high 9 < low 11 (and 5 more)');
  });

  it('refuses a timestamp outside the range a date can hold, naming its line, instead of failing on it later', () => {
    const err = problemsOf(
      ['timestamp,open,high,low,close,volume', '2024-01-01,10,11,9,10.5,100', '9999999999999999,10,11,9,10.5,100', '8640000000000001,10,11,9,10.5,100'].join(
        '\n',
      ),
    );
    expect(err.problems.map((p) => p.line)).toEqual([3, 4]);
    expect(err.problems[0]!.message).toBe('timestamp "9999999999999999" is outside the representable date range (years -271821 to 275760)');
    // The last representable instant is still a timestamp.
    expect(parseOhlcvCsv(['timestamp,open,high,low,close,volume', '8640000000000000,10,11,9,10.5,100'].join('\n'), opts).time[0]).toBe(8.64e15);
  });

  it('lists at most 20 problems but counts them all', () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${Date.UTC(2024, 0, 1, i) / 1000},10,9,11,10,1`);
    const err = problemsOf(['time,open,high,low,close,volume', ...rows].join('\n'));
    expect(err.problems).toHaveLength(20);
    expect(err.totalProblems).toBe(50);
    expect(err.details).toMatchObject({ total_problems: 50 });
    expect(err.problems[19]!.line).toBe(21);
  });

  it('names the missing header columns and refuses an empty file or one without rows', () => {
    expect(problemsOf('when,open,high,low,close\n1,1,1,1,1').problems[0]).toEqual({
      line: 1,
      message: 'header must name columns timestamp|date|time|datetime, volume (found: when, open, high, low, close)',
    });
    expect(problemsOf('').problems[0]!.message).toContain('empty');
    expect(problemsOf('date,open,high,low,close,volume\n\n').problems[0]!.message).toBe('no data rows after the header');
  });

  it('round-trips through the normalised format', () => {
    const text = 'date,open,high,low,close,volume\n2024-01-01,1.5,2.25,1.125,2,7\n2024-01-02,2,3,1.75,2.5,0\n';
    const bars = parseOhlcvCsv(text, opts);
    const again = parseOhlcvCsv(formatOhlcvCsv(bars), opts);
    expect(again).toEqual(bars);
    expect(formatOhlcvCsv(bars).split('\n')[1]).toBe('2024-01-01T00:00:00.000Z,1.5,2.25,1.125,2,7');
  });
});
