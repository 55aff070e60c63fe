import type { CampaignView } from '@ktrdr/api-contract';
import { Args } from '@oclif/core';
import { CampaignCommand } from '../lib/campaign.command.js';
import { campaignReportLines } from '../lib/campaign.format.js';

export default class CampaignReport extends CampaignCommand {
  static override summary = 'What a campaign found and learned: verdict and why, stop reason, idea families, finalists on the holdout';
  static override description =
    "The verdict (found or nothing_found) with the test that decided it, the rule that stopped the search, each idea family's trials, " +
    "passes, best DSR and mean Sharpe, each finalist's one look at the holdout beside the walk-forward Sharpe that chose it, and the " +
    "campaign's report in sentences. With --json, the campaign (its `report`, `lessons` and `finalists`).";
  static override examples = ['<%= config.bin %> campaign report op_agent_campaign_20261207_091500_ab12cd34'];

  static override args = {
    id: Args.string({ description: 'Operation id of the campaign', required: true }),
  };

  async run(): Promise<CampaignView> {
    const { args } = await this.parse(CampaignReport);
    const [view, trials] = await Promise.all([this.api.getCampaign(args.id), this.jsonEnabled() ? null : this.api.campaignTrials(args.id)]);
    this.say(campaignReportLines(view, trials?.data ?? []));
    return view;
  }
}
