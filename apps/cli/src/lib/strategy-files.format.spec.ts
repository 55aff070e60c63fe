import { ErrorCode } from '@ktrdr/errors';
import { StrategyImportResultSchema, StrategySourceSchema } from '@ktrdr/api-contract';
import { errorFromBody } from './api.client';
import { describeError } from './error.mapping';
import { EXPORTABLE_NAME, importErrorLines, isRefused, strategyExportLines, strategyImportLines, type StrategyImportOutcome } from './strategy-files.format';

const HASH = 'a'.repeat(64);
const stored = (name: string, created: boolean): StrategyImportOutcome => ({
  file: `./${name}.yaml`,
  ...StrategyImportResultSchema.parse({ name, created, hash: HASH, path: `/s/${name}.yaml` }),
});
const refusal = describeError(
  errorFromBody(409, {
    success: false,
    error: { code: ErrorCode.StrategyExists, message: 'Strategy momo already exists with other content; import it under another name (its name: field)' },
  }),
).json;

describe('strategies import output', () => {
  it('says per file what was stored, and totals several files', () => {
    const outcomes = [stored('alpha', true), stored('beta', false), { file: './momo.yaml', error: refusal }];
    expect(strategyImportLines(outcomes)).toEqual([
      'Imported alpha from ./alpha.yaml',
      'Already stored: beta from ./beta.yaml (the same text; nothing changed)',
      '1 imported, 1 already stored, 1 refused',
    ]);
    expect(importErrorLines(outcomes)).toEqual([
      'Error: ./momo.yaml: Strategy momo already exists with other content; import it under another name (its name: field)',
    ]);
    expect(outcomes.filter(isRefused).map((o) => o.error.code)).toEqual(['STRATEGY_EXISTS']);
  });

  it('prints one line for one file, and no total', () => {
    expect(strategyImportLines([stored('alpha', true)])).toEqual(['Imported alpha from ./alpha.yaml']);
    expect(importErrorLines([stored('alpha', true)])).toEqual([]);
  });

  it('keeps the field issues of a refused file in its line', () => {
    const invalid = describeError(
      errorFromBody(422, {
        success: false,
        error: {
          code: ErrorCode.ValidationFailed,
          message: 'Invalid body: yaml: the strategy text is empty',
          details: { errors: [{ field: 'yaml', message: 'the strategy text is empty' }] },
        },
      }),
    ).json;
    expect(importErrorLines([{ file: 'empty.yaml', error: invalid }])).toEqual(['Error: empty.yaml: Invalid body: yaml: the strategy text is empty']);
  });
});

describe('strategies export output', () => {
  it('names the file written, and the first schema error of an invalid strategy', () => {
    expect(strategyExportLines(StrategySourceSchema.parse({ name: 'v3_minimal', yaml: 'name: v3_minimal\n', valid: true }), 'out/v3_minimal.yaml')).toEqual([
      'Exported v3_minimal to out/v3_minimal.yaml',
    ]);
    expect(
      strategyExportLines(
        StrategySourceSchema.parse({ name: 'half', yaml: 'name: half\n', valid: false, errors: ['training_data: required', 'indicators: required'] }),
        'half.yaml',
      ),
    ).toEqual(['Exported half to half.yaml', '  It does not pass the schema: training_data: required (+1 more)']);
  });

  it.each(['../etc/passwd', 'a/b', '', 'x'.repeat(65), '.hidden'])('never takes %j for a file name', (name) => {
    expect(EXPORTABLE_NAME.test(name)).toBe(false);
  });
});
