import { Args } from '@oclif/core';
import type { CampaignLeaderboard } from '../lib/api.client.js';
import { CampaignCommand } from '../lib/campaign.command.js';
import { leaderboardLines } from '../lib/campaign.format.js';

export default class CampaignLeaderboardCommand extends CampaignCommand {
  static override summary = "Rank a campaign's trials by DSR against the threshold a finding needs, with the PBO over them";
  static override description =
    'Only trials with out-of-sample returns are ranked. DSR deflates each Sharpe ratio by the number of trials tried; PBO is the ' +
    'probability that the best in-sample trial is below the median out of sample (CSCV). A finding needs both: the DSR and PBO ' +
    "thresholds are the API's (KTRDR_CAMPAIGN_MIN_DSR, KTRDR_CAMPAIGN_MAX_PBO). With --json, the API's answer without its success flag.";
  static override examples = [
    '<%= config.bin %> campaign leaderboard op_agent_campaign_20261207_091500_ab12cd34',
    '<%= config.bin %> campaign leaderboard op_agent_campaign_20261207_091500_ab12cd34 --json',
  ];

  static override args = {
    id: Args.string({ description: 'Operation id of the campaign', required: true }),
  };

  async run(): Promise<Omit<CampaignLeaderboard, 'success'>> {
    const { args } = await this.parse(CampaignLeaderboardCommand);
    const { success: _success, ...res } = await this.api.campaignLeaderboard(args.id);
    this.say(leaderboardLines(args.id, res));
    return res;
  }
}
