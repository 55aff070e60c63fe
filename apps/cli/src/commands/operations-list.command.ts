import { Flags } from '@oclif/core';
import type { OperationSummary } from '@ktrdr/api-contract';
import { OPERATION_STATUSES, OPERATION_TYPES } from '@ktrdr/api-contract';
import { KtrdrCommand } from '../lib/ktrdr.command.js';
import { operationsTableLines } from '../lib/output.format.js';

export default class OperationsList extends KtrdrCommand {
  static override summary = 'List operations, newest first';
  static override examples = [
    '<%= config.bin %> operations list',
    '<%= config.bin %> operations list --active',
    '<%= config.bin %> operations list --status failed --type training --limit 20',
  ];

  static override flags = {
    status: Flags.string({ char: 's', description: 'Only operations with this status', options: [...OPERATION_STATUSES] }),
    type: Flags.string({ char: 't', description: 'Only operations of this type', options: [...OPERATION_TYPES] }),
    limit: Flags.integer({ char: 'n', description: 'How many to show (1-1000)', min: 1, max: 1000, default: 10 }),
    offset: Flags.integer({ description: 'Skip this many (for paging)', min: 0, default: 0 }),
    active: Flags.boolean({ char: 'a', description: 'Only pending and running operations', default: false }),
  };

  /** --json: the rows themselves, like every list command (the table's footer has the counts). */
  async run(): Promise<OperationSummary[]> {
    const { flags } = await this.parse(OperationsList);
    const list = await this.api.listOperations({
      status: flags.status,
      operation_type: flags.type,
      limit: flags.limit,
      offset: flags.offset,
      active_only: flags.active,
    });
    this.say(operationsTableLines(list));
    return list.data;
  }
}
