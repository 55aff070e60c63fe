import type { StrategyConfig } from '@ktrdr/agent-domain';
import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import { StrategyNotFoundError, StrategyStore, type StrategySummary } from '@ktrdr/strategies';
import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiSuccess } from './openapi.decorators.js';

/** Strategy files in KTRDR_STRATEGIES_DIR, read-only over HTTP. */
@ApiTags('strategies')
@Controller('strategies')
export class StrategiesController {
  constructor(private readonly strategies: StrategyStore) {}

  @Get()
  @ApiOperation({ summary: 'Every strategy file, with its validation errors when it does not pass the v3 schema' })
  @ApiSuccess(200, 'StrategyList')
  @ApiErrors(503)
  async list(): Promise<{ success: true; data: StrategySummary[]; total_count: number }> {
    const data = await this.strategies.list();
    return { success: true, data, total_count: data.length };
  }

  @Get(':name')
  @ApiOperation({
    summary: 'One strategy, parsed and validated (defaults filled in)',
    description: '404 unknown name, 422 invalid name or a file that fails the schema',
  })
  @ApiParam({ name: 'name', example: 'v3_minimal' })
  @ApiSuccess(200, 'StrategyEnvelope')
  @ApiErrors(404, 422)
  async get(@Param('name') name: string): Promise<{ success: true; data: StrategyConfig }> {
    try {
      return { success: true, data: await this.strategies.read(name) };
    } catch (e) {
      // Here the name is the resource the route addresses (404), not a bad body field as in trigger (422).
      if (e instanceof StrategyNotFoundError) throw new KtrdrError(ErrorCode.NotFound, e.message, { strategy: e.details?.['strategy'] });
      throw e;
    }
  }
}
