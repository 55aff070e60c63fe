import { CancelSource, OPERATION_ID_EXAMPLE, OPERATION_STATUSES, OPERATION_TYPES, type OperationInfo } from '@ktrdr/api-contract';
import { toSummary } from '@ktrdr/operations';
import { Body, Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { checkedOperationId as checkedId } from './artifacts.dto.js';
import { Backend } from './backend.service.js';
import { cancelBodySchema, listQuerySchema } from './operations.dto.js';
import { ApiErrors, ApiJsonBody, ApiSuccess } from './openapi.decorators.js';
import { isEmptyBody, validate } from './request-validation.js';

@ApiTags('operations')
@Controller('operations')
export class OperationsController {
  constructor(private readonly backend: Backend) {}

  @Get()
  @ApiOperation({ summary: 'List operations, newest first' })
  @ApiQuery({ name: 'status', required: false, enum: [...OPERATION_STATUSES] })
  @ApiQuery({ name: 'operation_type', required: false, enum: [...OPERATION_TYPES] })
  @ApiQuery({ name: 'limit', required: false, description: '1–1000, default 10' })
  @ApiQuery({ name: 'offset', required: false, description: '≥ 0, default 0' })
  @ApiQuery({ name: 'active_only', required: false, type: Boolean })
  @ApiSuccess(200, 'OperationList')
  @ApiErrors(422, 503)
  async list(@Query() query: unknown) {
    const q = validate(listQuerySchema, query, 'query');
    const page = await this.backend.store.list(q);
    const now = new Date();
    return {
      success: true,
      data: page.operations.map((op) => toSummary(op, now)),
      total_count: page.total_count,
      active_count: page.active_count,
    };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One operation with progress, metadata, result and error' })
  @ApiParam({ name: 'id', example: OPERATION_ID_EXAMPLE })
  @ApiSuccess(200, 'OperationEnvelope')
  @ApiErrors(404, 503)
  async get(@Param('id') id: string): Promise<{ success: true; data: OperationInfo }> {
    return { success: true, data: await this.backend.store.require(checkedId(id)) };
  }

  @Get(':id/children')
  @ApiOperation({ summary: 'Child operations, oldest first' })
  @ApiParam({ name: 'id', example: OPERATION_ID_EXAMPLE })
  @ApiSuccess(200, 'OperationChildren')
  @ApiErrors(404, 503)
  async children(@Param('id') id: string) {
    const children = await this.backend.store.children(checkedId(id));
    return {
      success: true,
      data: children,
      total_count: children.length,
      active_count: children.filter((c) => c.status === 'pending' || c.status === 'running').length,
    };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel an operation and every non-terminal descendant', description: 'Body optional: {"reason": "..."}' })
  @ApiParam({ name: 'id', example: OPERATION_ID_EXAMPLE })
  @ApiJsonBody('CancelOperationRequest', false)
  @ApiSuccess(200, 'CancelOperationEnvelope')
  @ApiErrors(400, 404, 409, 422, 503)
  async cancel(@Param('id') id: string, @Body() body: unknown) {
    const { reason } = validate(cancelBodySchema, isEmptyBody(body) ? undefined : body, 'body');
    const out = await this.backend.cancel(checkedId(id), reason ?? 'Cancelled by user', CancelSource.OperationsCancel);
    return {
      success: true,
      data: {
        operation_id: out.operation.operation_id,
        status: out.operation.status,
        cancelled_at: out.operation.cancelled_at,
        cancellation_reason: out.operation.cancellation_reason,
        children_cancelled: out.children_cancelled,
      },
    };
  }
}
