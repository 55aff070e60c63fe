import { Args, Flags } from '@oclif/core';
import { readFile } from 'node:fs/promises';
import { ApiError } from '../lib/api.error.js';
import { CsvProblemsSchema, TIMEFRAMES, type DataImportResult } from '@ktrdr/api-contract';
import { ExitCode } from '../lib/error.mapping.js';
import { KtrdrCommand } from '../lib/ktrdr.command.js';
import { csvProblemLines, dataImportLines } from '../lib/output.format.js';

export default class DataImport extends KtrdrCommand {
  static override summary = 'Import an OHLCV CSV file for a symbol and timeframe';
  static override description =
    'The header names a time column (timestamp, date or time: ISO date/date-time or epoch seconds/ms, UTC unless a zone is given) ' +
    'and open, high, low, close, volume (any case; other columns are ignored). Every bad row is reported with its line number and ' +
    'nothing is stored unless the whole file is valid. Importing the same symbol and timeframe again replaces the earlier import. ' +
    "The file travels in the request body, so the API's KTRDR_IMPORT_BODY_LIMIT (default 50mb) caps its size: start the API with a " +
    'larger one (e.g. KTRDR_IMPORT_BODY_LIMIT=200mb) for bigger files.';
  static override examples = [
    '<%= config.bin %> data import ./eurusd_1h.csv --symbol EURUSD --timeframe 1h',
    '<%= config.bin %> data import prices.csv -s MYCO -t 1d --json',
  ];

  static override args = {
    file: Args.string({ description: 'Path of the CSV file', required: true }),
  };

  static override flags = {
    symbol: Flags.string({ char: 's', description: 'Symbol the bars belong to (letters, digits, ^ . _ -; not starting with a dot)', required: true }),
    timeframe: Flags.string({ char: 't', description: 'Bar timeframe', options: [...TIMEFRAMES], required: true }),
  };

  private file = '';

  async run(): Promise<DataImportResult> {
    const { args, flags } = await this.parse(DataImport);
    this.file = args.file;
    const csv = await readFile(args.file, 'utf8').catch((e: NodeJS.ErrnoException) =>
      this.error(`cannot read ${args.file}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a directory' : (e.code ?? e.message)}`, {
        exit: ExitCode.Failure,
      }),
    );
    const result = await this.api.importData({ symbol: flags.symbol, timeframe: flags.timeframe, csv });
    this.say(dataImportLines(result, args.file));
    return result;
  }

  /** A refused CSV lists every reported row (not just the one-line summary); an oversized file explains the body limit. */
  override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    if (err instanceof ApiError && err.status === 422 && err.code === 'CSV_INVALID' && !this.jsonEnabled()) {
      const problems = CsvProblemsSchema.safeParse(err.details);
      if (problems.success) {
        process.stderr.write(`${csvProblemLines(this.file, problems.data).join('\n')}\n`);
        return this.exit(ExitCode.Failure);
      }
    }
    if (err instanceof ApiError && err.status === 413) {
      return super.catch(
        new ApiError(
          err.code,
          413,
          `${this.file} is larger than the API accepts in one request; start the API with a bigger KTRDR_IMPORT_BODY_LIMIT (default 50mb, e.g. KTRDR_IMPORT_BODY_LIMIT=200mb)`,
          err.details,
        ),
      );
    }
    return super.catch(err);
  }
}
