import type { StrategyConfig } from '@ktrdr/agent-domain';
import { StrategyImportRequestSchema, type StrategyImportResult, type StrategySource } from '@ktrdr/api-contract';
import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import { StrategyNotFoundError, StrategyStore, type StrategySummary } from '@ktrdr/strategies';
import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrors, ApiJsonBody, ApiSuccess } from './openapi.decorators.js';
import { validate } from './request-validation.js';

/** Here the name is the resource the route addresses (404), not a bad body field as in trigger (422). */
function notFoundAsRoute(e: unknown): never {
  if (e instanceof StrategyNotFoundError) throw new KtrdrError(ErrorCode.NotFound, e.message, { strategy: e.details?.['strategy'] });
  throw e;
}

/** Strategies in the store of record (Redis; the API's KTRDR_STRATEGIES_DIR is imported at start): list, read, import, export. */
@ApiTags('strategies')
@Controller('strategies')
export class StrategiesController {
  constructor(private readonly strategies: StrategyStore) {}

  @Get()
  @ApiOperation({ summary: 'Every stored strategy, with its validation errors when it does not pass the v3 schema' })
  @ApiSuccess(200, 'StrategyList')
  @ApiErrors(503)
  async list(): Promise<{ success: true; data: StrategySummary[]; total_count: number }> {
    const data = await this.strategies.list();
    return { success: true, data, total_count: data.length };
  }

  @Post()
  @ApiOperation({
    summary: 'Import a strategy under its own name',
    description:
      'Body {yaml} (the file text, YAML or JSON, stored as given) or {config} (an object, stored as YAML with defaults filled in). ' +
      "Validated with the trainer's schema (422 STRATEGY_INVALID naming each problem). 201 stored; 200 `created: false` when the " +
      'same text is already stored under the name; 409 STRATEGY_EXISTS when the name holds other content (a stored strategy is never replaced).',
  })
  @ApiJsonBody('StrategyImportRequest', true)
  @ApiSuccess(201, 'StrategyImportEnvelope', 'Imported')
  @ApiSuccess(200, 'StrategyImportEnvelope', 'Already stored with the same text')
  @ApiErrors(400, 409, 413, 422)
  async import(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<{ success: true; data: StrategyImportResult }> {
    const b = validate(StrategyImportRequestSchema, body, 'body');
    const saved = b.yaml !== undefined ? await this.strategies.importYaml(b.yaml) : await this.strategies.importConfig(b.config);
    void reply.status(saved.created ? 201 : 200);
    return { success: true, data: { name: saved.name, created: saved.created, hash: saved.hash, path: saved.path } };
  }

  @Get(':name')
  @ApiOperation({
    summary: 'One strategy, parsed and validated (defaults filled in)',
    description: '404 unknown name, 422 invalid name or a strategy that fails the schema',
  })
  @ApiParam({ name: 'name', example: 'v3_minimal' })
  @ApiSuccess(200, 'StrategyEnvelope')
  @ApiErrors(404, 422)
  async get(@Param('name') name: string): Promise<{ success: true; data: StrategyConfig }> {
    return { success: true, data: await this.strategies.read(name).catch(notFoundAsRoute) };
  }

  @Get(':name/yaml')
  @ApiOperation({
    summary: 'One strategy as stored: its text, for an export (invalid ones too, with their errors)',
    description: '404 unknown name, 422 invalid name',
  })
  @ApiParam({ name: 'name', example: 'v3_minimal' })
  @ApiSuccess(200, 'StrategySourceEnvelope')
  @ApiErrors(404, 422)
  async source(@Param('name') name: string): Promise<{ success: true; data: StrategySource }> {
    const { text } = await this.strategies.source(name).catch(notFoundAsRoute);
    // The stored text is answered whatever the schema says of it; the check only tells the client.
    const checked = await this.strategies.inspect(name).catch(notFoundAsRoute);
    return { success: true, data: { name, yaml: text, valid: checked.valid, ...(checked.valid ? {} : { errors: checked.errors }) } };
  }
}
