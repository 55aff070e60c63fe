import { Args } from '@oclif/core';
import { artifactListLines, artifactSummaryLines } from '../lib/artifact.format.js';
import { KtrdrCommand } from '../lib/ktrdr.command.js';

export default class OperationsArtifacts extends KtrdrCommand {
  static override summary = "List an operation's artifacts, or show one (strategy, history, equity, assessment)";
  static override description =
    'Without a name, lists the artifacts the operation published. With a name, prints a short summary of it; ' + 'with --json, the artifact itself.';
  static override examples = [
    '<%= config.bin %> operations artifacts op_backtesting_20261125_143022_ab12cd34',
    '<%= config.bin %> operations artifacts op_backtesting_20261125_143022_ab12cd34 equity --json',
  ];

  static override args = {
    id: Args.string({ description: 'Operation id', required: true }),
    name: Args.string({ description: 'Artifact name', options: ['strategy', 'history', 'equity', 'assessment'], required: false }),
  };

  /** --json: the list envelope's data, or the artifact itself as served (to pipe straight into other tools). */
  async run(): Promise<unknown> {
    const { args } = await this.parse(OperationsArtifacts);
    if (!args.name) {
      const list = await this.api.listArtifacts(args.id);
      this.say(artifactListLines(list));
      return list;
    }
    const artifact = await this.api.getArtifact(args.id, args.name);
    this.say(artifactSummaryLines(args.id, args.name, artifact));
    return artifact;
  }
}
