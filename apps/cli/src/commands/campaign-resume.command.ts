import type { CampaignStarted } from '@ktrdr/api-contract';
import { Args, Flags } from '@oclif/core';
import { CampaignCommand } from '../lib/campaign.command.js';
import { campaignStartedLines, NOTHING_TO_RESUME } from '../lib/campaign.format.js';
import { ExitCode } from '../lib/error.mapping.js';
import { cancelOnInterruptFlag, type FollowResult } from '../lib/ktrdr.command.js';

export type CampaignResumeResult = (CampaignStarted & { follow?: FollowResult }) | { resumed: false; reason: 'nothing_to_resume'; message: string };

export default class CampaignResume extends CampaignCommand {
  static override summary = 'Resume a cancelled or failed research campaign on the same ledger and holdout';
  static override description =
    'Starts a new campaign that goes on from the old one: its trials keep counting (numbering, the DSR deflation, --max-cycles), ' +
    'with the same sealed holdout and limits. Refused once a finalist has looked at the holdout (holdout_used): a search resumed ' +
    'after that would choose knowing it. Without an ID, resumes the newest cancelled or failed campaign.';
  static override examples = ['<%= config.bin %> campaign resume', '<%= config.bin %> campaign resume op_agent_campaign_20261207_091500_ab12cd34 --follow'];

  static override args = {
    id: Args.string({ description: 'Operation id of the campaign to resume (default: the newest cancelled or failed one)', required: false }),
  };

  static override flags = {
    follow: Flags.boolean({ char: 'f', description: 'Watch the new campaign until it ends', default: false }),
    'cancel-on-interrupt': cancelOnInterruptFlag,
  };

  async run(): Promise<CampaignResumeResult> {
    const { args, flags } = await this.parse(CampaignResume);
    if (flags.follow) this.catchInterrupts();
    const id = args.id ?? (await this.newestCampaign(['cancelled', 'failed']))?.operation_id;
    if (!id) {
      this.say(NOTHING_TO_RESUME);
      this.setExitCode(ExitCode.Failure);
      return { resumed: false, reason: 'nothing_to_resume', message: NOTHING_TO_RESUME };
    }
    const result = await this.api.resumeCampaign(id);
    this.say(campaignStartedLines(result, flags.follow));
    if (!flags.follow) return result;
    const follow = await this.follow(result.operation_id, { cancelOnInterrupt: flags['cancel-on-interrupt'] });
    return { ...result, follow };
  }
}
