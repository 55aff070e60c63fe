import { OperationNotFoundError, isOperationIdShape, toSummary, type OperationInfo } from '@ktrdr/operations';
import { Body, Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Backend } from './backend.service.js';
import { cancelBodySchema, listQuerySchema } from './operations.dto.js';
import { isEmptyBody, validate } from './request-validation.js';

/** An id that cannot be an operation id is answered like an unknown one, without touching Redis. */
function checkedId(id: string): string {
  if (!isOperationIdShape(id)) throw new OperationNotFoundError(id.length > 120 ? `${id.slice(0, 120)}…` : id);
  return id;
}

@ApiTags('operations')
@Controller('operations')
export class OperationsController {
  constructor(private readonly backend: Backend) {}

  @Get()
  @ApiOperation({ summary: 'List operations, newest first' })
  @ApiQuery({ name: 'status', required: false, enum: ['pending', 'running', 'completed', 'failed', 'cancelled'] })
  @ApiQuery({ name: 'operation_type', required: false, enum: ['agent_research', 'agent_design', 'training', 'backtesting', 'agent_assessment'] })
  @ApiQuery({ name: 'limit', required: false, description: '1–1000, default 10' })
  @ApiQuery({ name: 'offset', required: false, description: '≥ 0, default 0' })
  @ApiQuery({ name: 'active_only', required: false, type: Boolean })
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
  @ApiParam({ name: 'id', example: 'op_training_20261125_143022_ab12cd34' })
  async get(@Param('id') id: string): Promise<{ success: true; data: OperationInfo }> {
    return { success: true, data: await this.backend.store.require(checkedId(id)) };
  }

  @Get(':id/children')
  @ApiOperation({ summary: 'Child operations, oldest first' })
  async children(@Param('id') id: string) {
    const children = await this.backend.store.children(checkedId(id));
    return { success: true, data: children, total_count: children.length, active_count: children.filter((c) => c.status === 'pending' || c.status === 'running').length };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel an operation and every non-terminal descendant', description: 'Body optional: {"reason": "..."}' })
  async cancel(@Param('id') id: string, @Body() body: unknown) {
    const { reason } = validate(cancelBodySchema, isEmptyBody(body) ? undefined : body, 'body');
    const out = await this.backend.cancel(checkedId(id), reason ?? 'Cancelled by user', 'DELETE /api/v1/operations/{id}');
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
