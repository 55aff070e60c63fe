import { Args, Flags } from '@oclif/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../lib/api.error.js';
import { KtrdrCommand } from '../lib/ktrdr.command.js';
import { EXPORTABLE_NAME, strategyExportLines } from '../lib/strategy-files.format.js';

export interface StrategyExport {
  name: string;
  path: string;
  bytes: number;
  valid: boolean;
  errors?: string[];
}

/** A refusal of this side (no API involved), answered through the one error path: `Error: …` on stderr, or `{error}` with --json; exit 1. */
const refused = (message: string): ApiError => new ApiError('export_refused', null, message);

export default class StrategiesExport extends KtrdrCommand {
  static override summary = 'Write a stored strategy to NAME.yaml, exactly as it was saved or imported';
  static override description =
    'Reads the strategy from the store through the API (any host, whatever its strategies directory holds) and writes its text ' +
    'to DIR/NAME.yaml. An existing file is kept unless --force is given. An invalid strategy is exported too, with its errors shown.';
  static override examples = ['<%= config.bin %> strategies export v3_minimal', '<%= config.bin %> strategies export offline_rsi_1a2b3c4d --out ./mine --json'];

  static override args = {
    name: Args.string({ description: 'Strategy name', required: true }),
  };

  static override flags = {
    out: Flags.string({ char: 'o', description: 'Directory to write NAME.yaml into (created if missing)', default: '.' }),
    force: Flags.boolean({ description: 'Overwrite an existing NAME.yaml', default: false }),
  };

  async run(): Promise<StrategyExport> {
    const { args, flags } = await this.parse(StrategiesExport);
    const source = await this.api.getStrategySource(args.name);
    // The API only answers stored names; checked again because the name becomes a file name here.
    if (!EXPORTABLE_NAME.test(source.name)) throw refused(`the API answered an unusable strategy name: ${source.name.slice(0, 80)}`);
    const path = join(flags.out, `${source.name}.yaml`);
    await mkdir(flags.out, { recursive: true });
    await writeFile(path, source.yaml, { flag: flags.force ? 'w' : 'wx' }).catch((e: NodeJS.ErrnoException) => {
      throw refused(e.code === 'EEXIST' ? `${path} exists; --force overwrites it` : `cannot write ${path}: ${e.code ?? e.message}`);
    });
    this.say(strategyExportLines(source, path));
    return { name: source.name, path, bytes: Buffer.byteLength(source.yaml, 'utf8'), valid: source.valid, ...(source.errors ? { errors: source.errors } : {}) };
  }
}
