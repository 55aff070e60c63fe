import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { triggerBodySchema } from './agent.dto.js';
import { AgentService } from './agent.service.js';
import { isEmptyBody, validate } from './request-validation.js';

@ApiTags('agent')
@Controller('agent')
export class AgentController {
  constructor(private readonly agent: AgentService) {}

  @Post('trigger')
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a research cycle (202), or refuse: 409 active_cycle_exists / at_capacity, 429 budget_exhausted, 422 bad input' })
  @ApiBody({ required: false, schema: z.toJSONSchema(triggerBodySchema, { io: 'input', unrepresentable: 'any' }) as object })
  trigger(@Body() body: unknown) {
    return this.agent.trigger(validate(triggerBodySchema, isEmptyBody(body) ? {} : body, 'body'));
  }

  @Get('budget')
  @ApiOperation({ summary: "Today's LLM spend (UTC day): date, spent_usd, limit_usd, remaining_usd, tokens and calls" })
  budget() {
    return this.agent.budget();
  }

  @Get('status')
  @ApiOperation({ summary: 'Active cycles with phase and child, or idle with the last cycle' })
  status() {
    return this.agent.status();
  }

  @Delete('cancel')
  @ApiOperation({ summary: 'Cancel the oldest active research cycle and its running child' })
  cancelOldest() {
    return this.agent.cancel(null);
  }

  @Delete('cancel/:id')
  @ApiOperation({ summary: 'Cancel one research cycle by id' })
  cancel(@Param('id') id: string) {
    return this.agent.cancel(id);
  }
}
