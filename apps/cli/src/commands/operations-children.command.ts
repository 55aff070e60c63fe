import { Args } from '@oclif/core';
import type { OperationInfo } from '@ktrdr/api-contract';
import { KtrdrCommand } from '../lib/ktrdr.command.js';
import { childrenTableLines } from '../lib/output.format.js';

export default class OperationsChildren extends KtrdrCommand {
  static override summary = "List an operation's child operations, oldest first";
  static override description =
    "A research cycle's children are its phases (agent_design, training, backtesting, agent_assessment); a training or backtesting " +
    "child's are its walk-forward folds (training_fold, backtest_fold), with their number and test window. A failed one shows its error. " +
    'With --json, the child operations as an array of full records.';
  static override examples = [
    '<%= config.bin %> operations children op_agent_research_20261125_143022_ab12cd34',
    '<%= config.bin %> operations children op_agent_research_20261125_143022_ab12cd34 --json',
  ];

  static override args = {
    id: Args.string({ description: 'Operation id (usually a research cycle)', required: true }),
  };

  /** --json: the children themselves, like every list command (no envelope, no counts). */
  async run(): Promise<OperationInfo[]> {
    const { args } = await this.parse(OperationsChildren);
    const children = await this.api.listChildren(args.id);
    this.say(childrenTableLines(args.id, children));
    return children;
  }
}
