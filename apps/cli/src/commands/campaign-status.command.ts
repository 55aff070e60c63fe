import type { CampaignView } from '@ktrdr/api-contract';
import { Args, Flags } from '@oclif/core';
import { CampaignCommand } from '../lib/campaign.command.js';
import { campaignStatusLines, NO_CAMPAIGNS } from '../lib/campaign.format.js';
import { ktrdrCommand } from '../lib/invocation.js';
import { cancelOnInterruptFlag, type FollowResult } from '../lib/ktrdr.command.js';
import { isTerminal } from '../lib/output.format.js';

export type CampaignStatusResult = (CampaignView & { follow?: FollowResult }) | { campaign: null; message: string };

export default class CampaignStatus extends CampaignCommand {
  static override summary = 'Show a research campaign: cycle i/N, the best trial, the spend, the stage; once ended, its verdict and report';
  static override description =
    'Without an ID, shows the newest active campaign, else the newest one. With --follow, watches it until it ends: its progress ' +
    '(cycle i/N, best DSR, spend), each cycle it starts and each trial it records, then its verdict and report; Ctrl+C detaches.';
  static override examples = [
    '<%= config.bin %> campaign status',
    '<%= config.bin %> campaign status op_agent_campaign_20261207_091500_ab12cd34 --follow',
    '<%= config.bin %> campaign status --json',
  ];

  static override args = {
    id: Args.string({ description: 'Operation id of the campaign (default: the newest active one, else the newest)', required: false }),
  };

  static override flags = {
    follow: Flags.boolean({ char: 'f', description: 'Watch the campaign until it ends', default: false }),
    'cancel-on-interrupt': cancelOnInterruptFlag,
  };

  async run(): Promise<CampaignStatusResult> {
    const { args, flags } = await this.parse(CampaignStatus);
    if (flags.follow) this.catchInterrupts();
    const view = args.id ? await this.api.getCampaign(args.id) : await this.defaultCampaign();
    if (!view) {
      this.say([NO_CAMPAIGNS, `Start one with: ${ktrdrCommand('campaign start')}`]);
      return { campaign: null, message: NO_CAMPAIGNS };
    }
    if (!flags.follow || isTerminal(view.status)) {
      this.say(campaignStatusLines(view));
      return view;
    }
    const follow = await this.follow(view.operation_id, { cancelOnInterrupt: flags['cancel-on-interrupt'] });
    // The summary said where it ended; --json gets the campaign as it ended, with the follow's outcome.
    return { ...(this.jsonEnabled() ? await this.api.getCampaign(view.operation_id) : view), follow };
  }
}
