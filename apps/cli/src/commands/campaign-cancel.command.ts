import { Args } from '@oclif/core';
import type { CampaignCancelled } from '../lib/api.client.js';
import { CampaignCommand } from '../lib/campaign.command.js';
import { campaignCancelledLines, NO_ACTIVE_CAMPAIGN } from '../lib/campaign.format.js';

export type CampaignCancelResult = CampaignCancelled | { success: false; reason: 'no_active_campaign'; message: string };

export default class CampaignCancel extends CampaignCommand {
  static override summary = 'Cancel a research campaign with its running cycles, their phases and folds';
  static override description =
    'Without an ID, cancels the newest active campaign; having nothing to cancel is not an error (exit 0). Trials already ' +
    'recorded stay in the ledger: `campaign resume` goes on from them with the same sealed holdout.';
  static override examples = ['<%= config.bin %> campaign cancel', '<%= config.bin %> campaign cancel op_agent_campaign_20261207_091500_ab12cd34'];

  static override args = {
    id: Args.string({ description: 'Operation id of the campaign (default: the newest active one)', required: false }),
  };

  async run(): Promise<CampaignCancelResult> {
    const { args } = await this.parse(CampaignCancel);
    const id = args.id ?? (await this.newestCampaign(['running', 'pending']))?.operation_id;
    if (!id) {
      this.say(NO_ACTIVE_CAMPAIGN);
      return { success: false, reason: 'no_active_campaign', message: NO_ACTIVE_CAMPAIGN };
    }
    const result = await this.api.cancelCampaign(id);
    this.say(campaignCancelledLines(result));
    return result;
  }
}
