import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { checkedOperationId } from './artifacts.dto.js';
import { Backend } from './backend.service.js';
import { EventsService } from './events.service.js';
import { ApiErrors, schemaRef } from './openapi.decorators.js';

@ApiTags('operations')
@Controller('operations')
export class EventsController {
  constructor(
    private readonly backend: Backend,
    private readonly events: EventsService,
  ) {}

  @Get(':id/events')
  @ApiOperation({
    summary: 'Live events of an operation (Server-Sent Events)',
    description:
      '`event: update` with `{operation, child}` (child: the current child of a cycle, else null) on connect and each time ' +
      'either changes; `event: end` with the terminal state, after which the server closes the stream; ' +
      '`event: error` with the error envelope if the record cannot be read. Comment lines (`: heartbeat`) keep proxies from ' +
      'closing an idle stream. An unknown operation is a plain 404 JSON answer, before any stream starts.',
  })
  @ApiParam({ name: 'id', example: 'op_agent_research_20261125_143022_ab12cd34' })
  @ApiProduces('text/event-stream')
  @ApiResponse({
    status: 200,
    description: 'A text/event-stream; the data of each `update` and `end` event is an OperationEvent (JSON).',
    content: { 'text/event-stream': { schema: schemaRef('OperationEvent') } },
  })
  @ApiErrors(404, 503)
  async stream(@Param('id') id: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const operationId = checkedOperationId(id);
    // Checked before the stream starts, so an unknown id (or Redis down) gets the usual JSON envelope and status.
    await this.backend.store.require(operationId);
    // The stream writes to the socket itself from here on: fastify must not answer for it.
    reply.hijack();
    await this.events.stream(operationId, req.raw, reply.raw);
  }
}
