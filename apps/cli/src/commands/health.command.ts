import type { Health } from '@ktrdr/api-contract';
import { ExitCode } from '../lib/error.mapping.js';
import { KtrdrCommand } from '../lib/ktrdr.command.js';
import { healthLines } from '../lib/output.format.js';

/** The API's health answer without its `success` flag (`status` says the same), as every --json prints the resource. */
export type HealthResult = Omit<Health, 'success'>;

export default class HealthCommand extends KtrdrCommand {
  static override summary = "Show the API's health: Redis, the queues with their live workers, and what the blob store holds";
  static override description =
    'Reads GET /api/v1/health (open: no token needed). The Store line counts the blobs in Redis per kind ' +
    '(strategy, assessment, bars, model…) with their content bytes; the Redis line adds the memory Redis uses in all. ' +
    'Exit code 1 when the API answers unhealthy (Redis unreachable).';
  static override examples = ['<%= config.bin %> health', '<%= config.bin %> health --json'];

  async run(): Promise<HealthResult> {
    await this.parse(HealthCommand);
    const { success: _success, ...health } = await this.api.health();
    this.say(healthLines(health));
    if (health.status !== 'healthy') this.setExitCode(ExitCode.Failure);
    return health;
  }
}
