import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { OPERATION_ID_EXAMPLE } from '@ktrdr/api-contract';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ResumeRequestSchema } from '@ktrdr/api-contract';
import { triggerBodySchema } from './agent.dto.js';
import { AgentService } from './agent.service.js';
import { ApiErrors, ApiJsonBody, ApiRefusal, ApiSuccess } from './openapi.decorators.js';
import { CycleRateLimitGuard } from './rate-limit.guard.js';
import { isEmptyBody, validate } from './request-validation.js';

@ApiTags('agent')
@Controller('agent')
export class AgentController {
  constructor(private readonly agent: AgentService) {}

  @Post('trigger')
  @UseGuards(CycleRateLimitGuard)
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a research cycle (202), or refuse: 409 active_cycle_exists / at_capacity, 429 budget_exhausted, 422 bad input' })
  @ApiJsonBody('TriggerRequest', false)
  @ApiSuccess(202, 'TriggerStarted', 'Research cycle started')
  @ApiRefusal(409, 'TriggerRefused', 'active_cycle_exists or at_capacity')
  @ApiRefusal(429, 'TriggerRefused', 'budget_exhausted')
  @ApiErrors(400, 413, 422, 503)
  trigger(@Body() body: unknown) {
    return this.agent.trigger(validate(triggerBodySchema, isEmptyBody(body) ? {} : body, 'body'));
  }

  @Post('resume/:id')
  @UseGuards(CycleRateLimitGuard)
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Resume a failed or cancelled cycle as a new one that reuses its finished phases (202), or refuse: 404 not_found, 409 not_resumable / active_cycle_exists / at_capacity, 429 budget_exhausted, 422 bad from_phase',
  })
  @ApiParam({ name: 'id', example: OPERATION_ID_EXAMPLE })
  @ApiJsonBody('ResumeRequest', false)
  @ApiSuccess(202, 'ResumeStarted', 'Research cycle resumed')
  @ApiRefusal(409, 'TriggerRefused', 'not_resumable, active_cycle_exists or at_capacity')
  @ApiRefusal(429, 'TriggerRefused', 'budget_exhausted')
  @ApiErrors(400, 404, 413, 422, 503)
  resume(@Param('id') id: string, @Body() body: unknown) {
    return this.agent.resume(id, validate(ResumeRequestSchema, isEmptyBody(body) ? {} : body, 'body'));
  }

  @Get('budget')
  @ApiOperation({ summary: "Today's LLM spend (UTC day): date, spent_usd, limit_usd, remaining_usd, tokens and calls" })
  @ApiSuccess(200, 'Budget')
  @ApiErrors(503)
  budget() {
    return this.agent.budget();
  }

  @Get('status')
  @ApiOperation({ summary: 'Active cycles with phase and child, or idle with the last cycle' })
  @ApiSuccess(200, 'AgentStatus', 'Active (oldest cycle on top) or idle (with the last cycle)')
  @ApiErrors(503)
  status() {
    return this.agent.status();
  }

  @Delete('cancel')
  @ApiOperation({ summary: 'Cancel the oldest active research cycle and its running child' })
  @ApiSuccess(200, 'CycleCancelled', 'Research cycle cancelled')
  @ApiRefusal(404, 'CancelRefused', 'no_active_cycle')
  @ApiErrors(503)
  cancelOldest() {
    return this.agent.cancel(null);
  }

  @Delete('cancel/:id')
  @ApiOperation({ summary: 'Cancel one research cycle by id' })
  @ApiParam({ name: 'id', example: OPERATION_ID_EXAMPLE })
  @ApiSuccess(200, 'CycleCancelled', 'Research cycle cancelled')
  @ApiRefusal(404, 'CancelRefused', 'not_found (also for an id that cannot be an operation id)')
  @ApiRefusal(409, 'CancelRefused', 'not_cancellable: already finished')
  @ApiRefusal(422, 'CancelRefused', 'not_research: the id names another operation type')
  @ApiErrors(503)
  cancel(@Param('id') id: string) {
    return this.agent.cancel(id);
  }
}
