import { OPERATION_STATUSES, type CampaignView } from '@ktrdr/api-contract';
import { Flags } from '@oclif/core';
import { CampaignCommand } from '../lib/campaign.command.js';
import { campaignListLines } from '../lib/campaign.format.js';

export default class CampaignList extends CampaignCommand {
  static override summary = 'List research campaigns, newest first, with their cycles, best DSR, spend and outcome';
  static override examples = [
    '<%= config.bin %> campaign list',
    '<%= config.bin %> campaign list --status cancelled --limit 5',
    '<%= config.bin %> campaign list --json',
  ];

  static override flags = {
    status: Flags.string({ char: 's', description: 'Only campaigns with this status', options: [...OPERATION_STATUSES] }),
    limit: Flags.integer({ char: 'n', description: 'How many to show (1-100)', min: 1, max: 100, default: 10 }),
    offset: Flags.integer({ description: 'Skip this many (for paging)', min: 0, default: 0 }),
  };

  /** --json: the campaigns themselves, like every list command. */
  async run(): Promise<CampaignView[]> {
    const { flags } = await this.parse(CampaignList);
    const list = await this.api.listCampaigns({ status: flags.status, limit: flags.limit, offset: flags.offset });
    this.say(campaignListLines(list));
    return list.data;
  }
}
