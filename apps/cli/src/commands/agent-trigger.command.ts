import { Flags } from '@oclif/core';
import type { TriggerRequest } from '../lib/api.client.js';
import type { TriggerResult } from '@ktrdr/api-contract';
import { ExitCode } from '../lib/error.mapping.js';
import { cancelOnInterruptFlag, KtrdrCommand, type FollowResult } from '../lib/ktrdr.command.js';
import { triggerRefusedLines, triggerStartedLines } from '../lib/output.format.js';

export type AgentTriggerResult = TriggerResult & { follow?: FollowResult };

export default class AgentTrigger extends KtrdrCommand {
  static override summary = 'Start a research cycle';
  static override description =
    'Starts a research cycle (design → training → backtest → assessment) on the API. ' +
    'With --follow, draws its progress until it ends; Ctrl+C then detaches and leaves it running.';
  static override examples = [
    '<%= config.bin %> agent trigger',
    '<%= config.bin %> agent trigger --model haiku --brief "mean reversion on daily bars" --follow',
    '<%= config.bin %> agent trigger --strategy v3_minimal --bypass-gates',
  ];

  static override flags = {
    model: Flags.string({ description: 'LLM for design/assessment: opus, sonnet, haiku or a full model id' }),
    brief: Flags.string({ description: 'Free text guiding the strategy design', exclusive: ['strategy'] }),
    strategy: Flags.string({ description: 'Name of an existing strategy file; skips the design phase' }),
    'bypass-gates': Flags.boolean({ description: 'Skip the training and backtest quality gates', default: false }),
    follow: Flags.boolean({ char: 'f', description: 'Watch the cycle with a progress bar until it ends', default: false }),
    'cancel-on-interrupt': cancelOnInterruptFlag,
  };

  async run(): Promise<AgentTriggerResult> {
    const { flags } = await this.parse(AgentTrigger);
    const request: TriggerRequest = {};
    if (flags.model !== undefined) request.model = flags.model;
    if (flags.brief !== undefined) request.brief = flags.brief;
    if (flags.strategy !== undefined) request.strategy = flags.strategy;
    if (flags['bypass-gates']) request.bypass_gates = true;

    // Catch Ctrl+C before the cycle exists, so an early one still detaches cleanly.
    if (flags.follow) this.catchInterrupts();

    const result = await this.api.triggerCycle(request);
    if (!result.triggered) {
      this.say(triggerRefusedLines(result));
      this.setExitCode(ExitCode.Failure);
      return result;
    }
    this.say(triggerStartedLines(result, flags.follow, request));
    if (!flags.follow) return result;

    const follow = await this.follow(result.operation_id, { cancelOnInterrupt: flags['cancel-on-interrupt'] });
    return { ...result, follow };
  }
}
