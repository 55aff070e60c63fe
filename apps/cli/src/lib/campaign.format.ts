/**
 * Text of the `ktrdr campaign` commands: what started, where a campaign stands, its trials, its
 * leaderboard and its report. Pure builders like output.format.ts (every wording here, unit-tested
 * in campaign.format.spec.ts); the numbers and the report's sentences are the API's, never
 * recomputed: the CLI shows the campaign, the campaign's rules live with the campaign.
 */
import { readCampaignParameters, type CampaignStarted, type CampaignView, type FamilyLesson, type HoldoutResult, type Trial } from '@ktrdr/api-contract';
import type { CampaignCancelled, CampaignLeaderboard, CampaignList, CampaignTrials } from './api.client.js';
import { ktrdrCommand } from './invocation.js';
import { endLabel, formatDuration, formatFraction, formatNumber, formatTimestamp, isTerminal } from './output.format.js';
import { plural } from './plural.format.js';
import { renderTable, type Column } from './table.format.js';

export const CAMPAIGN_TYPE = 'agent_campaign';

export const NO_CAMPAIGNS = 'No research campaigns yet.';
export const NO_CAMPAIGNS_FOUND = 'No research campaigns found.';
export const NO_ACTIVE_CAMPAIGN = 'No active research campaign to cancel.';
export const NOTHING_TO_RESUME = 'No cancelled or failed research campaign to resume.';

const dash = (v: string | null | undefined): string => (v ? v : '-');

/** `0.41`; a missing DSR, Sharpe or PBO is `-`. */
const score = (v: number | null | undefined): string => formatNumber(v ?? null);

export function statusFollowHint(id: string): string {
  return ktrdrCommand(`campaign status ${id} --follow`);
}

/** `2016-03-27 to 2020-04-17`. */
export function holdoutText(h: { from: string; to: string } | null): string {
  return h ? `${h.from.slice(0, 10)} to ${h.to.slice(0, 10)}` : '-';
}

/** `trial 2 · DSR 0.41 · Sharpe 1.12 · offline_cci_reversion_c752ea73`. */
export function bestText(best: CampaignView['best'], ended = false): string {
  if (!best) return ended ? 'none' : 'none yet';
  return [`trial ${best.trial}`, `DSR ${score(best.dsr)}`, `Sharpe ${score(best.sharpe)}`, ...(best.strategy_name ? [best.strategy_name] : [])].join(' · ');
}

/** `$0.12 of $5.00 budget`, `$0.00 (no budget limit)`. */
export function spendText(spent: number, budget: number | null): string {
  const money = (v: number): string => `$${v.toFixed(2)}`;
  return budget === null ? `${money(spent)} (no budget limit)` : `${money(spent)} of ${money(budget)} budget`;
}

/** The limits a campaign runs under, in one line. */
export function limitsText(l: CampaignView['limits']): string {
  return [
    plural(l.max_cycles, 'cycle'),
    ...(l.max_duration_seconds !== null ? [`at most ${formatDuration(l.max_duration_seconds)}`] : []),
    `stop after ${l.stop_after_unproductive} unproductive`,
    ...(l.target_dsr !== null ? [`target DSR ${score(l.target_dsr)}`] : []),
    `${l.concurrency} at a time`,
    plural(l.finalists, 'finalist'),
    `${l.search} search (seed ${l.seed})`,
  ].join(', ');
}

/** Cycles started of the allowed total while searching: the ledger's trials and the search cycles still running. */
export function cycleText(v: Pick<CampaignView, 'trials' | 'active_cycles' | 'stage' | 'limits'>): string {
  const running = v.stage === 'searching' ? v.active_cycles.length : 0;
  return `${Math.min(v.limits.max_cycles, v.trials + running)}/${v.limits.max_cycles}`;
}

const STAGE_WORDS: Readonly<Record<CampaignView['stage'], string>> = {
  searching: 'searching',
  holdout: 'evaluating the finalists on the holdout',
  done: 'done',
};

// ---- start / resume ---------------------------------------------------------------------------

export function campaignStartedLines(res: CampaignStarted, following: boolean): string[] {
  const lines = [
    res.resumed_from ? 'Research campaign resumed!' : 'Research campaign started!',
    `  Campaign ID: ${res.operation_id}`,
    ...(res.resumed_from ? [`  Resumed from: ${res.resumed_from} (same ledger and holdout: its trials go on counting)`] : []),
    `  Holdout (sealed): ${holdoutText(res.holdout)}; no trial sees these bars, the finalists are evaluated on them once at the end`,
  ];
  if (!following) lines.push(`  Follow it with: ${statusFollowHint(res.operation_id)}`);
  lines.push(`  Cancel it with: ${ktrdrCommand(`campaign cancel ${res.operation_id}`)}`);
  return lines;
}

// ---- status -----------------------------------------------------------------------------------

/** One campaign: while it runs, the cycle, the active cycle, the best trial and the spend; once it ended, the verdict and the report. */
export function campaignStatusLines(v: CampaignView): string[] {
  const ended = isTerminal(v.status);
  const lines = [`Campaign: ${v.operation_id}`, `  Status: ${v.status.toUpperCase()} (${STAGE_WORDS[v.stage]})`];
  if (!ended) {
    lines.push(`  Cycle: ${cycleText(v)} (${plural(v.trials, 'trial')} recorded)`);
    const label = v.stage === 'holdout' ? 'Holdout evaluation' : 'Active cycle';
    lines.push(
      v.active_cycles.length > 1 ? `  ${label}s: ${v.active_cycles.join(', ')}` : `  ${label}: ${v.active_cycles[0] ?? 'none (the next one is starting)'}`,
    );
  } else {
    lines.push(`  Trials: ${v.trials} of at most ${v.limits.max_cycles}`);
  }
  lines.push(`  ${ended ? 'Best trial' : 'Best so far'}: ${bestText(v.best, ended)}`, `  Spent: ${spendText(v.spent_usd, v.limits.budget_usd)}`);
  if (v.stop_reason) lines.push(`  Stop reason: ${v.stop_reason}`);
  if (v.verdict) lines.push(`  Verdict: ${verdictWord(v.verdict)}${v.verdict_reason ? `: ${v.verdict_reason}` : ''}`);
  if (v.pbo !== null) lines.push(`  PBO: ${score(v.pbo)}`);
  if (v.finalists.length) lines.push(`  Finalists on the holdout: ${v.finalists.map(finalistText).join('; ')}`);
  lines.push(
    `  Scope: ${v.scope.symbols.join(', ')} ${v.scope.timeframe}`,
    ...(v.brief ? [`  Brief: ${v.brief}`] : []),
    `  Limits: ${limitsText(v.limits)}`,
    `  Holdout: ${holdoutText(v.holdout)} (${v.finalists.some((f) => f.status !== 'pending') ? 'evaluated once by the finalists' : 'sealed'})`,
  );
  if (v.resumed_from) lines.push(`  Resumed from: ${v.resumed_from}`);
  lines.push(`  Started: ${formatTimestamp(v.started_at ?? v.created_at)}`);
  if (ended) lines.push(`  ${endLabel(v.status)}: ${formatTimestamp(v.completed_at)}`);
  if (v.error_message) lines.push(`  Error: ${v.error_message}`);
  if (ended && v.report.length) lines.push('Report:', ...v.report.map((s) => `  ${s}`));
  lines.push(...campaignHints(v));
  return lines;
}

function verdictWord(verdict: NonNullable<CampaignView['verdict']>): string {
  return verdict === 'found' ? 'FOUND' : 'NOTHING FOUND';
}

/** `trial 2: Sharpe 0.53 (completed)`, `trial 4: failed (no bars)`. */
function finalistText(f: HoldoutResult): string {
  if (f.status === 'completed') return `trial ${f.trial}: Sharpe ${score(f.sharpe_ratio)}`;
  return `trial ${f.trial}: ${f.status}${f.error ? ` (${f.error})` : ''}`;
}

/** What to type next: follow or cancel a running campaign, resume a cancelled one, read an ended one's report. */
export function campaignHints(v: Pick<CampaignView, 'operation_id' | 'status' | 'finalists'>): string[] {
  const id = v.operation_id;
  if (!isTerminal(v.status)) return [`Follow it with: ${statusFollowHint(id)}`, `Cancel it with: ${ktrdrCommand(`campaign cancel ${id}`)}`];
  const lines = [`See its trials with: ${ktrdrCommand(`campaign trials ${id}`)} (ranked: ${ktrdrCommand(`campaign leaderboard ${id}`)})`];
  if (v.status !== 'completed' && !v.finalists.some((f) => f.status !== 'pending')) lines.push(`Resume it with: ${ktrdrCommand(`campaign resume ${id}`)}`);
  return lines;
}

// ---- follow -----------------------------------------------------------------------------------

/** The closing lines of a followed campaign: how it ended, then where it stands. */
export function campaignFollowSummaryLines(v: CampaignView): string[] {
  const head =
    v.status === 'completed'
      ? `Research campaign completed: ${v.verdict === 'found' ? 'found' : 'nothing found'}`
      : v.status === 'cancelled'
        ? 'Research campaign cancelled'
        : v.status === 'failed'
          ? `Research campaign failed: ${v.error_message ?? 'no error message recorded'}`
          : `Research campaign ${v.status}`;
  return [head, ...campaignStatusLines(v)];
}

/**
 * Facts a follow learns from the campaign's own record, each said once above the progress: a new
 * best trial, the stop rule that fired, the finalists going to the holdout.
 */
export class CampaignRecordNotes {
  private bestTrial: number | null | undefined;
  private stopped = false;
  private holdout = false;

  next(parameters: unknown): string[] {
    const p = readCampaignParameters(parameters);
    const out: string[] = [];
    const best = p.best ?? null;
    if (best && best.trial !== this.bestTrial) out.push(`Best so far: ${bestText(best)}`);
    this.bestTrial = best?.trial ?? this.bestTrial ?? null;
    if (!this.stopped && p.stop_reason) {
      this.stopped = true;
      out.push(`Search stopped: ${p.stop_reason}`);
    }
    if (!this.holdout && p.stage === 'holdout') {
      this.holdout = true;
      const f = p.finalist_trials ?? [];
      out.push(f.length ? `Holdout: evaluating ${plural(f.length, 'finalist')} once (trial ${f.join(', ')})` : 'Holdout: no finalist to evaluate');
    }
    return out;
  }
}

/** `Trial 3 · gate_failed · offline_adx_trend_4c13e060 (trend/zigzag) · Sharpe 0.04 · DSR 0.21`. */
export function trialNote(t: Trial): string {
  const strategy = t.strategy_name ? `${t.strategy_name}${t.idea ? ` (${t.idea.family})` : ''}` : 'no strategy';
  return [`Trial ${t.trial}`, t.outcome, strategy, `Sharpe ${score(t.metrics.sharpe_ratio)}`, `DSR ${score(t.dsr)}`].join(' · ');
}

// ---- list -------------------------------------------------------------------------------------

/** What a campaign came to, in one cell: its verdict, else why it stopped, else its stage. */
function outcomeCell(v: CampaignView): string {
  if (v.verdict) return v.verdict;
  if (v.stop_reason) return `stopped: ${v.stop_reason}`;
  return isTerminal(v.status) ? v.status : v.stage;
}

export function campaignListLines(list: CampaignList): string[] {
  if (list.data.length === 0) return [NO_CAMPAIGNS_FOUND, `Start one with: ${ktrdrCommand('campaign start')}`];
  const columns: Column<CampaignView>[] = [
    { header: 'CAMPAIGN ID', get: (v) => v.operation_id },
    { header: 'STATUS', get: (v) => v.status },
    { header: 'CYCLES', get: (v) => (isTerminal(v.status) ? `${v.trials}/${v.limits.max_cycles}` : cycleText(v)), alignRight: true },
    { header: 'BEST DSR', get: (v) => score(v.best?.dsr), alignRight: true },
    { header: 'SPENT', get: (v) => `$${v.spent_usd.toFixed(2)}`, alignRight: true },
    { header: 'OUTCOME', get: outcomeCell },
    { header: 'SCOPE', get: (v) => `${v.scope.symbols.join(',')} ${v.scope.timeframe}`, maxWidth: 30 },
    { header: 'CREATED (UTC)', get: (v) => formatTimestamp(v.created_at, false) },
  ];
  return [
    ...renderTable(list.data, columns),
    '',
    `Showing ${list.data.length} of ${plural(list.total_count, 'campaign')}. Show one with: ${ktrdrCommand('campaign status <ID>')}`,
  ];
}

// ---- cancel -----------------------------------------------------------------------------------

export function campaignCancelledLines(res: CampaignCancelled): string[] {
  const lines = ['Research campaign cancelled!', `  Campaign: ${res.operation_id}`];
  if (res.children_cancelled.length === 0) lines.push('  Cancelled with it: nothing else was running');
  else lines.push(`  Cancelled with it: ${plural(res.children_cancelled.length, 'operation')}`, ...res.children_cancelled.map((id) => `    - ${id}`));
  lines.push(`  Resume it with: ${ktrdrCommand(`campaign resume ${res.operation_id}`)}`);
  return lines;
}

// ---- trials and leaderboard -------------------------------------------------------------------

const sharpeCell = (t: Trial): string => score(t.metrics.sharpe_ratio);
const tradesCell = (t: Trial): string => formatNumber(t.metrics.total_trades, 0);
const familyCell = (t: Trial): string => t.idea?.family ?? '-';

export function trialsTableLines(id: string, res: Omit<CampaignTrials, 'success'>): string[] {
  if (res.data.length === 0) return [`No trials recorded for ${id} yet.`];
  const columns: Column<Trial>[] = [
    { header: 'TRIAL', get: (t) => String(t.trial), alignRight: true },
    { header: 'STRATEGY', get: (t) => dash(t.strategy_name), maxWidth: 40 },
    { header: 'FAMILY', get: familyCell, maxWidth: 32 },
    { header: 'OUTCOME', get: (t) => t.outcome },
    { header: 'SHARPE', get: sharpeCell, alignRight: true },
    { header: 'RETURN', get: (t) => formatFraction(t.metrics.total_return), alignRight: true },
    { header: 'TRADES', get: tradesCell, alignRight: true },
    { header: 'DSR', get: (t) => score(t.dsr), alignRight: true },
  ];
  if (res.data.some((t) => t.holdout_result)) {
    columns.push({ header: 'HOLDOUT SHARPE', get: (t) => (t.holdout_result ? holdoutSharpeCell(t.holdout_result) : ''), alignRight: true });
  }
  if (res.data.some((t) => t.reason)) columns.push({ header: 'REASON', get: (t) => t.reason ?? '', maxWidth: 70 });
  const sr0 =
    res.expected_max_sharpe === null
      ? ''
      : ` · SR₀ ${formatNumber(res.expected_max_sharpe, 4)} (the per-bar Sharpe the best of N skill-less trials would show)`;
  return [
    ...renderTable(res.data, columns),
    '',
    `${plural(res.total_count, 'trial')} · a finding needs DSR ≥ ${score(res.dsr_threshold)}${sr0}`,
    `Ranked by DSR: ${ktrdrCommand(`campaign leaderboard ${id}`)}`,
  ];
}

function holdoutSharpeCell(h: HoldoutResult): string {
  return h.status === 'completed' ? score(h.sharpe_ratio) : h.status;
}

type Ranked = CampaignLeaderboard['data'][number];

/** `PBO 0.36 over 4 trials × 2449 bars: above 0.20, too likely overfit`; or why there is none. */
export function pboText(res: Pick<CampaignLeaderboard, 'pbo' | 'pbo_trials' | 'pbo_bars' | 'pbo_threshold'>): string {
  if (res.pbo === null) return `PBO: not available (it needs at least 2 trials with out-of-sample returns over common bars; ${res.pbo_trials} so far)`;
  const verdict =
    res.pbo <= res.pbo_threshold
      ? `at most ${score(res.pbo_threshold)}, as a finding needs`
      : `above ${score(res.pbo_threshold)}, too likely overfit for a finding`;
  return `PBO: ${score(res.pbo)} over ${plural(res.pbo_trials, 'trial')} × ${res.pbo_bars} bars (${verdict})`;
}

export function leaderboardLines(id: string, res: Omit<CampaignLeaderboard, 'success'>): string[] {
  const threshold = score(res.dsr_threshold);
  if (res.data.length === 0) {
    return [`No trial of ${id} has out-of-sample returns yet: nothing to rank (${plural(res.trials, 'trial')} recorded).`, pboText(res)];
  }
  const columns: Column<Ranked>[] = [
    { header: 'RANK', get: (t) => String(t.rank), alignRight: true },
    { header: 'TRIAL', get: (t) => String(t.trial), alignRight: true },
    { header: 'FAMILY', get: familyCell, maxWidth: 32 },
    { header: 'DSR', get: (t) => score(t.dsr), alignRight: true },
    { header: `VS ${threshold}`, get: (t) => (t.dsr !== null && t.dsr >= res.dsr_threshold ? 'meets' : 'below') },
    { header: 'SHARPE', get: sharpeCell, alignRight: true },
    { header: 'TRADES', get: tradesCell, alignRight: true },
    { header: 'OUTCOME', get: (t) => t.outcome },
    { header: 'STRATEGY', get: (t) => dash(t.strategy_name), maxWidth: 40 },
  ];
  return [
    ...renderTable(res.data, columns),
    '',
    `${res.data.length} of ${plural(res.trials, 'trial')} ranked (those with out-of-sample returns) · a finding needs DSR ≥ ${threshold}`,
    pboText(res),
  ];
}

// ---- report -----------------------------------------------------------------------------------

/**
 * The campaign in words: the verdict and why, the stop reason, each idea family's numbers (the
 * API's sentences name those that helped and those that never passed), and the finalists' one look
 * at the holdout beside the walk-forward Sharpe that chose them.
 */
export function campaignReportLines(v: CampaignView, trials: readonly Trial[]): string[] {
  const lines = [
    `Research campaign report: ${v.operation_id}`,
    `  ${v.status.toUpperCase()} · ${plural(v.trials, 'trial')} · ${v.scope.symbols.join(', ')} ${v.scope.timeframe} · holdout ${holdoutText(v.holdout)}`,
  ];
  if (v.verdict) lines.push(`Verdict: ${verdictWord(v.verdict)}`, `  Why: ${dash(v.verdict_reason)}`);
  else if (isTerminal(v.status)) lines.push(`Verdict: none (the campaign ${v.status} before its finalists were judged)`);
  else lines.push(`Verdict: not yet (the campaign is ${STAGE_WORDS[v.stage]})`);
  lines.push(`Stop reason: ${v.stop_reason ?? 'none yet (still searching)'}`, `Best trial: ${bestText(v.best, isTerminal(v.status))}`);
  if (v.pbo !== null) lines.push(`PBO: ${score(v.pbo)}`);
  if (v.error_message) lines.push(`Error: ${v.error_message}`);

  lines.push('', 'Idea families (best DSR first):');
  if (v.lessons.length === 0) lines.push('  none yet');
  else lines.push(...familyTable(v.lessons).map((l) => `  ${l}`));

  lines.push('', 'Finalists: the holdout, looked at once, beside the walk-forward:');
  if (v.finalists.length === 0) lines.push(`  none${v.stage === 'searching' ? ' yet (chosen when the search stops)' : ''}`);
  else lines.push(...finalistTable(v.finalists, trials).map((l) => `  ${l}`));

  if (v.report.length) lines.push('', 'In words:', ...v.report.map((s) => `  ${s}`));
  return lines;
}

function familyTable(lessons: readonly FamilyLesson[]): string[] {
  return renderTable(lessons, [
    { header: 'FAMILY', get: (l) => l.family, maxWidth: 36 },
    { header: 'TRIALS', get: (l) => String(l.trials), alignRight: true },
    { header: 'PASSED', get: (l) => String(l.passed), alignRight: true },
    { header: 'BEST DSR', get: (l) => score(l.best_dsr), alignRight: true },
    { header: 'MEAN SHARPE', get: (l) => score(l.mean_sharpe), alignRight: true },
  ]);
}

function finalistTable(finalists: readonly HoldoutResult[], trials: readonly Trial[]): string[] {
  const byTrial = new Map(trials.map((t) => [t.trial, t]));
  const rows = finalists.map((f) => ({ f, t: byTrial.get(f.trial) ?? null }));
  return renderTable(rows, [
    { header: 'TRIAL', get: (r) => String(r.f.trial), alignRight: true },
    { header: 'STRATEGY', get: (r) => dash(r.t?.strategy_name), maxWidth: 40 },
    { header: 'DSR', get: (r) => score(r.t?.dsr), alignRight: true },
    { header: 'WALK-FORWARD SHARPE', get: (r) => score(r.t?.metrics.sharpe_ratio), alignRight: true },
    { header: 'HOLDOUT SHARPE', get: (r) => score(r.f.sharpe_ratio), alignRight: true },
    { header: 'HOLDOUT RETURN', get: (r) => formatFraction(r.f.total_return), alignRight: true },
    { header: 'BUY & HOLD', get: (r) => formatFraction(r.f.benchmark_return), alignRight: true },
    { header: 'STATUS', get: (r) => (r.f.error ? `${r.f.status}: ${r.f.error}` : r.f.status), maxWidth: 60 },
  ]);
}
