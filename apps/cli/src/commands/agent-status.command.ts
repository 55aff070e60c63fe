import type { AgentStatus } from '@ktrdr/api-contract';
import { ApiError } from '../lib/api.error.js';
import { KtrdrCommand } from '../lib/ktrdr.command.js';
import { agentStatusLines } from '../lib/output.format.js';

export type AgentStatusResult = AgentStatus & { last_cycle_error?: string | null };

export default class AgentStatusCommand extends KtrdrCommand {
  static override summary = 'Show the active research cycle, or the last one';
  static override examples = ['<%= config.bin %> agent status', '<%= config.bin %> agent status --json'];

  async run(): Promise<AgentStatusResult> {
    await this.parse(AgentStatusCommand);
    const status = await this.api.agentStatus();
    let lastCycleError: string | null | undefined;
    if (status.status === 'idle' && status.last_cycle?.outcome === 'failed') {
      lastCycleError = status.last_cycle.error_message ?? (await this.errorOf(status.last_cycle.operation_id));
    }
    this.say(agentStatusLines(status, lastCycleError));
    return lastCycleError === undefined ? status : { ...status, last_cycle_error: lastCycleError };
  }

  /** The failed cycle's error_message; the status itself is still worth showing if this lookup fails. */
  private async errorOf(operationId: string): Promise<string | null> {
    try {
      return (await this.api.getOperation(operationId)).error_message ?? null;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }
}
