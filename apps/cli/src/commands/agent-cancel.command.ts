import { Args } from '@oclif/core';
import type { CancelCycleResult } from '@ktrdr/api-contract';
import { KtrdrCommand } from '../lib/ktrdr.command.js';
import { cycleCancelLines } from '../lib/output.format.js';

export default class AgentCancel extends KtrdrCommand {
  static override summary = 'Cancel a research cycle and its active child operation';
  static override description = 'Without an ID, cancels the oldest active cycle. Having nothing to cancel is not an error (exit 0).';
  static override examples = ['<%= config.bin %> agent cancel', '<%= config.bin %> agent cancel op_agent_research_20261125_143022_ab12cd34'];

  static override args = {
    id: Args.string({ description: 'Operation id of the cycle (default: the oldest active one)', required: false }),
  };

  async run(): Promise<CancelCycleResult> {
    const { args } = await this.parse(AgentCancel);
    const result = await this.api.cancelCycle(args.id);
    this.say(cycleCancelLines(result));
    return result;
  }
}
