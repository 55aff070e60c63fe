import { Controller, Get, Param, Res } from '@nestjs/common';
import { ARTIFACT_NAMES, OPERATION_ID_EXAMPLE } from '@ktrdr/api-contract';
import { ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { artifactParamsSchema, checkedOperationId } from './artifacts.dto.js';
import { ArtifactsService } from './artifacts.service.js';
import { ApiErrors, ApiSuccess } from './openapi.decorators.js';
import { validate } from './request-validation.js';

@ApiTags('operations')
@Controller('operations')
export class ArtifactsController {
  constructor(private readonly artifacts: ArtifactsService) {}

  @Get(':id/artifacts')
  @ApiOperation({ summary: 'Names of the artifacts an operation published (strategy, history, equity, assessment)' })
  @ApiParam({ name: 'id', example: OPERATION_ID_EXAMPLE })
  @ApiSuccess(200, 'ArtifactListEnvelope')
  @ApiErrors(404, 503)
  async list(@Param('id') id: string) {
    const operationId = checkedOperationId(id);
    return { success: true, data: { operation_id: operationId, artifacts: await this.artifacts.list(operationId) } };
  }

  @Get(':id/artifacts/:name')
  @ApiOperation({
    summary: 'One artifact as JSON',
    description: '404 `Artifact not found: {name}` when the operation has none by that name; 422 for a name outside the catalogue.',
  })
  @ApiParam({ name: 'id', example: OPERATION_ID_EXAMPLE })
  @ApiParam({ name: 'name', enum: [...ARTIFACT_NAMES] })
  @ApiProduces('application/json')
  @ApiSuccess(200, 'ArtifactEnvelope')
  @ApiErrors(404, 422, 503)
  async get(@Param('id') id: string, @Param('name') name: string, @Res() res: FastifyReply): Promise<void> {
    const operationId = checkedOperationId(id);
    const params = validate(artifactParamsSchema, { name }, 'params');
    const raw = await this.artifacts.getRaw(operationId, params.name);
    // The stored text is already JSON: splice it into the envelope instead of parsing and re-serialising it.
    await res.status(200).type('application/json').send(`{"success":true,"data":${raw}}`);
  }
}
