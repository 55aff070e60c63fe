/**
 * How a followed campaign is told: its own progress line (cycle i/N, best DSR, spend: the
 * campaign's step), and above it what happens on the way — each cycle it starts, each trial it
 * records (outcome, Sharpe, DSR), a new best, the stop rule, the holdout — and at the end its
 * verdict and report. The record says the best, the stop and the stage; the cycles and trials are
 * read from the campaign routes when the record shows that one started or ended.
 */
import { readCampaignParameters, type OperationInfo } from '@ktrdr/api-contract';
import type { ApiClient, CampaignCancelled } from './api.client.js';
import { CampaignRecordNotes, campaignCancelledLines, campaignFollowSummaryLines, statusFollowHint, trialNote } from './campaign.format.js';
import type { ProgressSnapshot } from './progress.renderer.js';

export interface FollowHooks {
  /** Lines to say above the progress for this snapshot, now or later through `note`. */
  onUpdate(snapshot: ProgressSnapshot, note: (line: string) => void): void;
  /** Awaited once the operation ended, before the progress stops: notes still being read. */
  settle(): Promise<void>;
  /** The closing lines. */
  summary(op: OperationInfo): Promise<string[]>;
  /** The lines on Ctrl+C (detach). */
  detach(operationId: string): string[];
  /** Ctrl+C with --cancel-on-interrupt. */
  cancel(operationId: string): Promise<{ lines: string[]; result: CampaignCancelled }>;
}

/**
 * `knownTrials`: the trials there were when the follow began, when known (0 for a campaign just
 * started: each of its trials is then told); otherwise the first look counts those already there.
 */
export function campaignFollowHooks(api: ApiClient, knownTrials: number | null = null): FollowHooks {
  const record = new CampaignRecordNotes();
  let chain: Promise<void> = Promise.resolve();
  let seenCycles: Set<string> | null = null;
  let seenTrials: number | null = knownTrials;
  let lastKey = '';

  /** Which cycles run and which trials were recorded since the last look. */
  const look = async (id: string, note: (line: string) => void): Promise<void> => {
    const view = await api.getCampaign(id);
    const first = seenTrials === null;
    for (const cycle of view.active_cycles) {
      if (!seenCycles?.has(cycle)) note(`${view.stage === 'holdout' ? 'Holdout evaluation' : 'Cycle'} started: ${cycle}`);
    }
    seenCycles = new Set([...(seenCycles ?? []), ...view.active_cycles]);
    if (first) {
      seenTrials = view.trials;
      if (view.trials > 0) note(`${view.trials} trial${view.trials === 1 ? '' : 's'} recorded so far`);
      return;
    }
    if (view.trials > (seenTrials ?? 0)) {
      const trials = await api.campaignTrials(id);
      for (const t of trials.data) if (t.trial > (seenTrials ?? 0)) note(trialNote(t));
      seenTrials = Math.max(seenTrials ?? 0, ...trials.data.map((t) => t.trial));
    }
  };

  return {
    onUpdate({ op }, note) {
      for (const line of record.next(op.metadata?.parameters)) note(line);
      // The record changes when a cycle starts (cycles_started) or a trial is recorded (steps_completed).
      const p = readCampaignParameters(op.metadata?.parameters);
      const key = `${p.cycles_started}/${op.progress.steps_completed}/${p.stage}/${op.status}`;
      if (key === lastKey) return;
      lastKey = key;
      // One look at a time, in order; a look that fails only costs its notes.
      chain = chain.then(() => look(op.operation_id, note).catch(() => undefined));
    },
    settle: () => chain,
    async summary(op) {
      return campaignFollowSummaryLines(await api.getCampaign(op.operation_id));
    },
    detach: (id) => ['Detached. The campaign keeps running.', `Re-attach with: ${statusFollowHint(id)}`],
    async cancel(id) {
      const result = await api.cancelCampaign(id);
      return { lines: campaignCancelledLines(result), result };
    },
  };
}
