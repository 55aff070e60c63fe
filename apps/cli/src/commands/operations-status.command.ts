import { Args } from '@oclif/core';
import type { OperationInfo } from '@ktrdr/api-contract';
import { KtrdrCommand } from '../lib/ktrdr.command.js';
import { operationLines } from '../lib/output.format.js';

export default class OperationsStatus extends KtrdrCommand {
  static override summary = 'Show one operation, with its error message when it failed';
  static override examples = ['<%= config.bin %> operations status op_training_20261125_143022_ab12cd34'];

  static override args = {
    id: Args.string({ description: 'Operation id', required: true }),
  };

  async run(): Promise<OperationInfo> {
    const { args } = await this.parse(OperationsStatus);
    const op = await this.api.getOperation(args.id);
    this.say(operationLines(op, { plannedEpochs: this.jsonEnabled() ? null : await this.plannedEpochsOf(op) }));
    return op;
  }
}
