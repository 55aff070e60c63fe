import { Args } from '@oclif/core';
import { readFile } from 'node:fs/promises';
import { ApiError } from '../lib/api.error.js';
import { describeError, ExitCode } from '../lib/error.mapping.js';
import { KtrdrCommand } from '../lib/ktrdr.command.js';
import { importErrorLines, isRefused, strategyImportLines, type StrategyImportOutcome } from '../lib/strategy-files.format.js';

/** The API's answers about one file (its content); anything else (unreachable, token, 5xx) stops the whole import. */
const PER_FILE_STATUSES = new Set([409, 413, 422]);

export default class StrategiesImport extends KtrdrCommand {
  static override summary = 'Import strategy files into the store, each under its own name: field';
  static override description =
    'Each file (YAML, or JSON) is validated by the API and stored as written, comments included, under the name its name: field ' +
    'gives; every worker then reads it from Redis. A name already stored with the same text is left as it is; with other content ' +
    'the file is refused (a stored strategy is never replaced: give the changed one a new name). Every file is tried; the exit ' +
    'code is 1 when any was refused.';
  static override examples = ['<%= config.bin %> strategies import my_rsi.yaml', '<%= config.bin %> strategies import strategies/*.yaml --json'];
  // Any number of files.
  static override strict = false;

  static override args = {
    file: Args.string({ description: 'Strategy file(s) to import', required: true }),
  };

  async run(): Promise<StrategyImportOutcome[]> {
    const { argv } = await this.parse(StrategiesImport);
    const outcomes: StrategyImportOutcome[] = [];
    for (const file of argv as string[]) outcomes.push(await this.importOne(file));
    this.say(strategyImportLines(outcomes));
    if (!this.jsonEnabled()) for (const line of importErrorLines(outcomes)) process.stderr.write(`${line}\n`);
    if (outcomes.some(isRefused)) this.setExitCode(ExitCode.Failure);
    return outcomes;
  }

  private async importOne(file: string): Promise<StrategyImportOutcome> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? (e as Error).message);
      return { file, error: { code: 'unreadable', status: null, message: `cannot read ${file}: ${why}` } };
    }
    try {
      return { file, ...(await this.api.importStrategy(text)) };
    } catch (e) {
      if (e instanceof ApiError && e.status !== null && PER_FILE_STATUSES.has(e.status)) return { file, error: describeError(e).json };
      throw e;
    }
  }
}
