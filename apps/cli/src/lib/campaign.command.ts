/**
 * What the `ktrdr campaign` commands share: a refusal names its reason beside its message
 * (`… already finished (status: completed) [not_cancellable]`), and the campaign a command means
 * when it is given no id.
 */
import { CAMPAIGN_REFUSALS, type CampaignView } from '@ktrdr/api-contract';
import { ApiError } from './api.error.js';
import { KtrdrCommand } from './ktrdr.command.js';

const REFUSALS: ReadonlySet<string> = new Set(CAMPAIGN_REFUSALS);

export abstract class CampaignCommand extends KtrdrCommand {
  override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    // The reason is the name scripts use; --json carries it as the error's code already.
    if (err instanceof ApiError && REFUSALS.has(err.code) && !this.jsonEnabled() && !err.message.includes(err.code)) {
      return super.catch(new ApiError(err.code, err.status, `${err.message} [${err.code}]`, err.details));
    }
    return super.catch(err);
  }

  /** The newest campaign (by creation) with one of these statuses, or null. */
  protected async newestCampaign(statuses: readonly string[]): Promise<CampaignView | null> {
    const pages = await Promise.all(statuses.map((status) => this.api.listCampaigns({ status, limit: 1 })));
    const found = pages.flatMap((p) => p.data).sort((a, b) => b.created_at.localeCompare(a.created_at));
    return found[0] ?? null;
  }

  /** The newest active campaign, else the newest of all; null when there is none. */
  protected async defaultCampaign(): Promise<CampaignView | null> {
    return (await this.newestCampaign(['running', 'pending'])) ?? (await this.api.listCampaigns({ limit: 1 })).data[0] ?? null;
  }
}
