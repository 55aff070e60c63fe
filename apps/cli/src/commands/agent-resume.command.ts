import { ACTIVE_PHASES, type ResumeStarted, type TriggerRefused } from '@ktrdr/api-contract';
import { Args, Flags } from '@oclif/core';
import { ExitCode } from '../lib/error.mapping.js';
import { cancelOnInterruptFlag, KtrdrCommand, type FollowResult } from '../lib/ktrdr.command.js';
import { NOTHING_TO_RESUME, resumeRefusedLines, resumeSourceFacts, resumeStartedLines, type ResumeSourceFacts } from '../lib/resume.format.js';

export type AgentResumeResult =
  ((ResumeStarted | TriggerRefused) & { follow?: FollowResult }) | { resumed: false; reason: 'nothing_to_resume'; message: string };

export default class AgentResume extends KtrdrCommand {
  static override summary = 'Resume a failed or cancelled research cycle';
  static override description =
    'Starts a new research cycle that reuses the finished phases of a failed or cancelled one (its strategy, ' +
    'its trained model) and begins at the phase that did not finish, or at --from-phase. Without an ID, resumes ' +
    'the newest failed or cancelled cycle. With --follow, draws its progress until it ends.';
  static override examples = [
    '<%= config.bin %> agent resume',
    '<%= config.bin %> agent resume op_agent_research_20261125_143022_ab12cd34 --follow',
    '<%= config.bin %> agent resume --from-phase training',
  ];

  static override args = {
    id: Args.string({ description: 'Operation id of the cycle to resume (default: the newest failed or cancelled one)', required: false }),
  };

  static override flags = {
    'from-phase': Flags.string({ description: 'Start here instead (at or before the phase that did not finish)', options: [...ACTIVE_PHASES] }),
    follow: Flags.boolean({ char: 'f', description: 'Watch the new cycle with a progress bar until it ends', default: false }),
    'cancel-on-interrupt': cancelOnInterruptFlag,
  };

  async run(): Promise<AgentResumeResult> {
    const { args, flags } = await this.parse(AgentResume);
    if (flags.follow) this.catchInterrupts();
    const id = args.id ?? (await this.newestResumable());
    if (!id) {
      this.say(NOTHING_TO_RESUME);
      this.setExitCode(ExitCode.Failure);
      return { resumed: false, reason: 'nothing_to_resume', message: NOTHING_TO_RESUME[0]! };
    }
    const result = await this.api.resumeCycle(id, flags['from-phase']);
    if (!result.triggered) {
      this.say(resumeRefusedLines(result));
      this.setExitCode(ExitCode.Failure);
      return result;
    }
    this.say(resumeStartedLines(result, flags.follow, this.jsonEnabled() ? undefined : await this.sourceFacts(id)));
    if (!flags.follow) return result;
    const follow = await this.follow(result.operation_id, { cancelOnInterrupt: flags['cancel-on-interrupt'] });
    return { ...result, follow };
  }

  /** What the old cycle's record says about its phases; without it the API's answer is shown as it is. */
  private async sourceFacts(id: string): Promise<ResumeSourceFacts | undefined> {
    try {
      return resumeSourceFacts(await this.api.getOperation(id));
    } catch {
      return undefined;
    }
  }

  /** The newest (by creation) research cycle that failed or was cancelled, or null. */
  private async newestResumable(): Promise<string | null> {
    const [failed, cancelled] = await Promise.all(
      ['failed', 'cancelled'].map((status) => this.api.listOperations({ operation_type: 'agent_research', status, limit: 1 })),
    );
    const candidates = [...failed!.data, ...cancelled!.data].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
    return candidates[0]?.operation_id ?? null;
  }
}
