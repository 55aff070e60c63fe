import type { AgentStatus, OperationInfo } from '@ktrdr/api-contract';
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
    const shownId = status.status === 'active' ? status.operation_id : status.last_cycle?.operation_id;
    // The shown cycle's own record: its designer, the phase a finished one ended in, a failure's message.
    const record = shownId ? await this.recordOf(shownId) : null;
    let lastCycleError: string | null | undefined;
    if (status.status === 'idle' && status.last_cycle?.outcome === 'failed') {
      lastCycleError = status.last_cycle.error_message ?? record?.error_message ?? null;
    }
    this.say(agentStatusLines(status, lastCycleError, record));
    return lastCycleError === undefined ? status : { ...status, last_cycle_error: lastCycleError };
  }

  /** The status itself is still worth showing if this lookup fails (the cycle just expired, say). */
  private async recordOf(operationId: string): Promise<OperationInfo | null> {
    try {
      return await this.api.getOperation(operationId);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }
}
