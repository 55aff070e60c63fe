import type { CampaignStage, CampaignVerdict, CampaignView, StopReason, Timeframe, TrialOutcome } from './api.types';

/**
 * What the campaign views say about a campaign's words (stage, stop reason, verdict, outcome). Each
 * map is keyed by the contract's own union, so a value added there fails to compile here until it
 * has its words.
 */

export const STAGE_WORDS: Record<CampaignStage, string> = {
  searching: 'Searching',
  holdout: 'Evaluating finalists on the holdout',
  done: 'Done',
};

/** The stage as a reader wants it: a campaign that ended before `done` says where it stopped. */
export function stageText(status: CampaignView['status'], stage: CampaignStage): string {
  if (stage === 'done' || status === 'pending' || status === 'running') return STAGE_WORDS[stage];
  return `${status === 'failed' ? 'Failed' : status === 'cancelled' ? 'Cancelled' : 'Ended'} while ${stage === 'holdout' ? 'evaluating finalists on the holdout' : 'searching'}`;
}

/** Why the search stopped, in the words of the campaign report (libs/agent-domain campaign.rules). */
export const STOP_WORDS: Record<StopReason, string> = {
  max_cycles: 'it ran its maximum number of cycles',
  max_duration: 'its time ran out',
  budget: 'its LLM budget was spent',
  unproductive: 'too many trials in a row did not improve the best DSR',
  target_reached: 'a trial reached the target DSR',
  cancelled: 'it was cancelled',
};

export const VERDICT_WORDS: Record<CampaignVerdict, string> = {
  found: 'found',
  nothing_found: 'nothing found',
};

export const OUTCOME_WORDS: Record<TrialOutcome, string> = {
  passed: 'passed',
  gate_failed: 'gate failed',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** The contract's timeframes, for the start form (the page bundles nothing from the workspace; checked against its type). */
export const TIMEFRAME_CHOICES = ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w'] as const satisfies readonly Timeframe[];
const everyTimeframe: [Timeframe] extends [(typeof TIMEFRAME_CHOICES)[number]] ? true : never = true;
void everyTimeframe;

/** Refusals of the campaign routes (`error.details.reason`) in words; the API's own message follows. */
export const CAMPAIGN_REFUSAL_WORDS: Record<string, string> = {
  not_resumable: 'This campaign cannot be resumed.',
  holdout_used: 'Its holdout has already been looked at, so the search cannot go on.',
  not_cancellable: 'This campaign has already finished.',
  at_capacity: 'Every research slot is busy.',
};

/** "3/20": trials in the ledger against the campaign's maximum (a resumed campaign counts the whole ledger). */
export const trialsText = (c: Pick<CampaignView, 'trials' | 'limits'>): string => `${c.trials}/${c.limits.max_cycles}`;

/** `max_duration_seconds` as it was asked for: 5400 → "1h 30m", 86400 → "1d". */
export function limitDuration(seconds: number | null): string {
  if (seconds === null) return 'none';
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [d && `${d}d`, h && `${h}h`, m && `${m}m`, s && `${s}s`].filter(Boolean).join(' ') || '0s';
}

/** An ISO date or time as its UTC day. */
export const day = (iso: string | null | undefined): string =>
  iso && !Number.isNaN(Date.parse(iso)) ? new Date(Date.parse(iso)).toISOString().slice(0, 10) : '—';
