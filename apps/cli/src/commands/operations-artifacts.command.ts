import { Args } from '@oclif/core';
import { OperationType } from '@ktrdr/api-contract';
import { artifactListLines, artifactSummaryLines, cycleArtifactListLines } from '../lib/artifact.format.js';
import { childArtifactsJson, childWithArtifact, gatherCycleArtifacts } from '../lib/cycle.artifacts.js';
import { KtrdrCommand } from '../lib/ktrdr.command.js';

export default class OperationsArtifacts extends KtrdrCommand {
  static override summary = "List an operation's artifacts, or show one (strategy, history, equity, assessment)";
  static override description =
    'Without a name, lists the artifacts the operation published. With a name, prints a short summary of it; ' +
    'with --json, the artifact itself. ' +
    "A research cycle's artifacts belong to its child operations: for a cycle id the listing names each child " +
    '(phase and id) with its artifacts (--json: an array of {operation_id, operation_type, artifacts}), ' +
    'and a name shows that artifact from whichever child published it.';
  static override examples = [
    '<%= config.bin %> operations artifacts op_agent_research_20261125_143022_ab12cd34',
    '<%= config.bin %> operations artifacts op_agent_research_20261125_143022_ab12cd34 equity --json',
    '<%= config.bin %> operations artifacts op_backtesting_20261125_143022_ab12cd34',
  ];

  static override args = {
    id: Args.string({ description: 'Operation id (a research cycle, or one of its child operations)', required: true }),
    name: Args.string({ description: 'Artifact name', options: ['strategy', 'history', 'equity', 'assessment'], required: false }),
  };

  /** --json: the list itself (per child for a cycle), or the artifact itself as served (to pipe straight into other tools). */
  async run(): Promise<unknown> {
    const { args } = await this.parse(OperationsArtifacts);
    const op = await this.api.getOperation(args.id);
    if (op.operation_type === OperationType.AgentResearch) {
      const entries = await gatherCycleArtifacts(this.api, op);
      if (!args.name) {
        this.say(cycleArtifactListLines(op.operation_id, entries));
        return childArtifactsJson(entries);
      }
      const holder = childWithArtifact(op.operation_id, entries, args.name);
      const artifact = await this.api.getArtifact(holder.operation_id, args.name);
      this.say(artifactSummaryLines(holder.operation_id, args.name, artifact));
      return artifact;
    }
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
