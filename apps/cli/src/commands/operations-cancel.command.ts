import { Args, Flags } from '@oclif/core';
import type { CancelOperationResult } from '@ktrdr/api-contract';
import { KtrdrCommand } from '../lib/ktrdr.command.js';
import { operationCancelledLines } from '../lib/output.format.js';

export default class OperationsCancel extends KtrdrCommand {
  static override summary = 'Cancel an operation and every unfinished operation under it';
  static override examples = ['<%= config.bin %> operations cancel op_training_20261125_143022_ab12cd34 --reason "wrong data range"'];

  static override args = {
    id: Args.string({ description: 'Operation id', required: true }),
  };

  static override flags = {
    reason: Flags.string({ char: 'r', description: 'Why it is cancelled (stored on the operation)' }),
  };

  async run(): Promise<CancelOperationResult> {
    const { args, flags } = await this.parse(OperationsCancel);
    const result = await this.api.cancelOperation(args.id, flags.reason);
    this.say(operationCancelledLines(result));
    return result;
  }
}
