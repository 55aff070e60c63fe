import { Args } from '@oclif/core';
import { cancelOnInterruptFlag, KtrdrCommand, type FollowResult } from '../lib/ktrdr.command.js';

export default class OperationsFollow extends KtrdrCommand {
  static override summary = 'Watch an operation with a progress bar until it ends (Ctrl+C detaches)';
  static override description =
    'Exit code: 0 when it completes (or on detach), 1 when it failed or was cancelled, ' + '130 when Ctrl+C cancelled it (--cancel-on-interrupt).';
  static override examples = ['<%= config.bin %> operations follow op_agent_research_20261125_143022_ab12cd34'];

  static override args = {
    id: Args.string({ description: 'Operation id', required: true }),
  };

  static override flags = {
    'cancel-on-interrupt': cancelOnInterruptFlag,
  };

  async run(): Promise<FollowResult> {
    const { args, flags } = await this.parse(OperationsFollow);
    return this.follow(args.id, { cancelOnInterrupt: flags['cancel-on-interrupt'] });
  }
}
