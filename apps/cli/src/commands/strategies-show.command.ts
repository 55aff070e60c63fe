import { Args } from '@oclif/core';
import type { StrategyConfigWire } from '@ktrdr/api-contract';
import { KtrdrCommand } from '../lib/ktrdr.command.js';
import { strategyLines } from '../lib/output.format.js';

export default class StrategiesShow extends KtrdrCommand {
  static override summary = 'Show one strategy as validated by the API (defaults filled in); --json prints the full config';
  static override examples = ['<%= config.bin %> strategies show v3_minimal', '<%= config.bin %> strategies show v3_minimal --json'];

  static override args = {
    name: Args.string({ description: 'Strategy name (the file name without .yaml)', required: true }),
  };

  async run(): Promise<StrategyConfigWire> {
    const { args } = await this.parse(StrategiesShow);
    const config = await this.api.getStrategy(args.name);
    this.say(strategyLines(config));
    return config;
  }
}
