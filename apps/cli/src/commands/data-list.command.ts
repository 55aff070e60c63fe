import type { DataSetInfo } from '@ktrdr/api-contract';
import { KtrdrCommand } from '../lib/ktrdr.command.js';
import { dataTableLines } from '../lib/output.format.js';

export default class DataList extends KtrdrCommand {
  static override summary = 'List market data: imported CSVs, the built-in SP500 1d sample and the synthetic SYNTH_* series';
  static override examples = ['<%= config.bin %> data list', '<%= config.bin %> data list --json'];

  async run(): Promise<DataSetInfo[]> {
    await this.parse(DataList);
    const rows = await this.api.listData();
    this.say(dataTableLines(rows));
    return rows;
  }
}
