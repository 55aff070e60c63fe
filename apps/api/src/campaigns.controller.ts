import { CampaignRequestSchema, ListCampaignsQuerySchema } from '@ktrdr/api-contract';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CampaignsService } from './campaigns.service.js';
import { ApiErrors, ApiJsonBody, ApiSuccess } from './openapi.decorators.js';
import { CycleRateLimitGuard } from './rate-limit.guard.js';
import { isEmptyBody, validate } from './request-validation.js';

const CAMPAIGN_ID_EXAMPLE = 'op_agent_campaign_20261207_091500_ab12cd34';

@ApiTags('campaigns')
@Controller('agent/campaigns')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Post()
  @UseGuards(CycleRateLimitGuard)
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Start a research campaign (202): cycles run one after another until a stop rule fires; the last part of the data is sealed until the finalists are evaluated on it',
  })
  @ApiJsonBody('CampaignRequest', false)
  @ApiSuccess(202, 'CampaignStarted', 'Research campaign started')
  @ApiErrors(400, 413, 422, 503)
  start(@Body() body: unknown) {
    return this.campaigns.start(validate(CampaignRequestSchema, isEmptyBody(body) ? {} : body, 'body'));
  }

  @Get()
  @ApiOperation({ summary: 'Campaigns, newest first, each with its trials count, best trial, stop reason and verdict' })
  @ApiQuery({ name: 'status', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1–100, default 20' })
  @ApiQuery({ name: 'offset', required: false })
  @ApiSuccess(200, 'CampaignList')
  @ApiErrors(422, 503)
  list(@Query() query: unknown) {
    return this.campaigns.list(validate(ListCampaignsQuerySchema, query, 'query'));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One campaign: limits, holdout, best trial, finalists with their holdout results, PBO, stop reason, verdict and report' })
  @ApiParam({ name: 'id', example: CAMPAIGN_ID_EXAMPLE })
  @ApiSuccess(200, 'CampaignEnvelope')
  @ApiErrors(404, 422, 503)
  get(@Param('id') id: string) {
    return this.campaigns.get(id);
  }

  @Get(':id/trials')
  @ApiOperation({ summary: 'Every trial of the campaign’s ledger in order, failures included, with its DSR among all of them' })
  @ApiParam({ name: 'id', example: CAMPAIGN_ID_EXAMPLE })
  @ApiSuccess(200, 'CampaignTrials')
  @ApiErrors(404, 422, 503)
  trials(@Param('id') id: string) {
    return this.campaigns.trials(id);
  }

  @Get(':id/leaderboard')
  @ApiOperation({ summary: 'Trials with out-of-sample returns ranked by DSR, with the PBO over them' })
  @ApiParam({ name: 'id', example: CAMPAIGN_ID_EXAMPLE })
  @ApiSuccess(200, 'CampaignLeaderboard')
  @ApiErrors(404, 422, 503)
  leaderboard(@Param('id') id: string) {
    return this.campaigns.leaderboard(id);
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel the campaign, its running cycles, their children and folds: all cancelled when this returns' })
  @ApiParam({ name: 'id', example: CAMPAIGN_ID_EXAMPLE })
  @ApiSuccess(200, 'CampaignCancelled', 'Research campaign cancelled')
  @ApiErrors(404, 409, 422, 503)
  cancel(@Param('id') id: string) {
    return this.campaigns.cancel(id);
  }

  @Post(':id/resume')
  @UseGuards(CycleRateLimitGuard)
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Resume a cancelled or failed campaign as a new one on the same ledger and holdout (202); 409 not_resumable, or holdout_used once a finalist has looked at the holdout',
  })
  @ApiParam({ name: 'id', example: CAMPAIGN_ID_EXAMPLE })
  @ApiSuccess(202, 'CampaignStarted', 'Research campaign resumed')
  @ApiErrors(404, 409, 422, 503)
  resume(@Param('id') id: string) {
    return this.campaigns.resume(id);
  }
}
