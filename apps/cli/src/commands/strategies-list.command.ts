import type { StrategySummary } from '@ktrdr/api-contract';
import { KtrdrCommand } from '../lib/ktrdr.command.js';
import { strategiesTableLines } from '../lib/output.format.js';

export default class StrategiesList extends KtrdrCommand {
  static override summary = 'List stored strategies, with the errors of those that do not validate';
  static override examples = ['<%= config.bin %> strategies list', '<%= config.bin %> strategies list --json'];

  async run(): Promise<StrategySummary[]> {
    await this.parse(StrategiesList);
    const rows = await this.api.listStrategies();
    this.say(strategiesTableLines(rows));
    return rows;
  }
}
