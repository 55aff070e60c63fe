import { MarketDataRepository, type DataSetInfo, type ImportResult } from '@ktrdr/market-data';
import { ApiErrors, ApiJsonBody, ApiSuccess } from './openapi.decorators.js';
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { importBodySchema } from './data.dto.js';
import { validate } from './request-validation.js';

/** Market data: what can be loaded, and CSV import into the blob store (Redis), where every worker on any host reads it. */
@ApiTags('data')
@Controller('data')
export class DataController {
  constructor(private readonly data: MarketDataRepository) {}

  @Get()
  @ApiOperation({
    summary: 'Data sets available to strategies: imports (source store), CSVs in the data directory, the built-in SP500 1d sample, synthetic SYNTH_* series',
  })
  @ApiSuccess(200, 'DataList')
  @ApiErrors(503)
  async list(): Promise<{ success: true; data: DataSetInfo[] }> {
    return { success: true, data: await this.data.list() };
  }

  @Post('import')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Import an OHLCV CSV for a symbol and timeframe',
    description:
      'Body {symbol, timeframe, csv}: csv is the file text with a header naming timestamp|date|time, open, high, low, close, volume. ' +
      'Stored in Redis as typed columns under the name data:<SYMBOL>:<timeframe> (replacing an earlier import), readable by every worker; ' +
      'nothing is stored unless the whole file is valid. ' +
      'Bad rows (a timestamp outside what a date can hold included) → 422 CSV_INVALID with details.problems [{line, message}]. ' +
      'A symbol is 1-32 letters, digits, ^ . _ - and does not start with a dot. The import body limit (KTRDR_IMPORT_BODY_LIMIT, 50mb) caps the file size.',
  })
  @ApiJsonBody('DataImportRequest', true)
  @ApiSuccess(201, 'DataImportEnvelope', 'Imported')
  @ApiErrors(400, 413, 422)
  async import(@Body() body: unknown): Promise<{ success: true; data: ImportResult }> {
    const b = validate(importBodySchema, body, 'body');
    return { success: true, data: await this.data.importCsv(b.symbol, b.timeframe, b.csv) };
  }
}
