import { Args } from '@oclif/core';
import type { CampaignTrials } from '../lib/api.client.js';
import { CampaignCommand } from '../lib/campaign.command.js';
import { trialsTableLines } from '../lib/campaign.format.js';

export default class CampaignTrialsCommand extends CampaignCommand {
  static override summary = "List every trial of a campaign's ledger in order, failures included, with its DSR";
  static override description =
    'One row per research cycle the campaign ran: its strategy and idea family, its outcome (passed, gate_failed, failed, cancelled) and why, ' +
    "its walk-forward Sharpe, return and trades, its Deflated Sharpe Ratio among all the trials so far, and a finalist's holdout Sharpe. " +
    "A resumed campaign shares the ledger of the one it resumed. With --json, the API's answer without its success flag: the trials " +
    'under `data`, beside `dsr_threshold` and `expected_max_sharpe`.';
  static override examples = [
    '<%= config.bin %> campaign trials op_agent_campaign_20261207_091500_ab12cd34',
    '<%= config.bin %> campaign trials op_agent_campaign_20261207_091500_ab12cd34 --json',
  ];

  static override args = {
    id: Args.string({ description: 'Operation id of the campaign', required: true }),
  };

  async run(): Promise<Omit<CampaignTrials, 'success'>> {
    const { args } = await this.parse(CampaignTrialsCommand);
    const { success: _success, ...res } = await this.api.campaignTrials(args.id);
    this.say(trialsTableLines(args.id, res));
    return res;
  }
}
