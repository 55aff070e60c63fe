import type { CampaignParameters, CampaignVerdict, FamilyLesson, HoldoutResult, StopReason, TrialOutcome } from '@ktrdr/api-contract';

/**
 * The campaign's rules as pure functions: which stop rule fires, which trials are finalists, what
 * the verdict is and what the report says. The worker's driver performs them against the store; the
 * API reads the same functions to show a campaign.
 */

export interface CampaignThresholds {
  /** KTRDR_CAMPAIGN_MIN_DSR: the best finalist's DSR must reach it for `found` (default 0.95). */
  minDsr: number;
  /** KTRDR_CAMPAIGN_MAX_PBO: the campaign's PBO must not exceed it (default 0.2). */
  maxPbo: number;
}

/** A trial as the rules read it: its outcome, its idea family and its scores. */
export interface ScoredTrial {
  trial: number;
  outcome: TrialOutcome;
  family: string | null;
  strategy_name: string | null;
  /** Annualised Sharpe ratio of the stitched walk-forward run (null without a backtest). */
  sharpe_ratio: number | null;
  /** DSR among every trial of the ledger so far (null without out-of-sample returns). */
  dsr: number | null;
  /** DSR when the trial was recorded, among the trials up to it: what the unproductive rule saw. */
  dsr_at_record: number | null;
}

/** Where the search stands, as the stop rules read it. */
export interface SearchProgress {
  /** Search cycles created so far (a running one included). */
  started: number;
  elapsedSeconds: number;
  spentUsd: number;
  unproductiveStreak: number;
  bestDsr: number | null;
}

/**
 * The first stop rule that fires, in this order: target_reached (best DSR ≥ `target_dsr`),
 * max_cycles (as many search cycles started as allowed), max_duration, budget (LLM spend ≥
 * `budget_usd`), unproductive (`stop_after_unproductive` trials in a row without a new best DSR).
 * Null: the search goes on. A rule stops new trials; cycles already running finish and count.
 */
export function stopReason(
  p: Pick<CampaignParameters, 'target_dsr' | 'max_cycles' | 'max_duration_seconds' | 'budget_usd' | 'stop_after_unproductive'>,
  s: SearchProgress,
): StopReason | null {
  if (p.target_dsr !== null && s.bestDsr !== null && s.bestDsr >= p.target_dsr) return 'target_reached';
  if (s.started >= p.max_cycles) return 'max_cycles';
  if (p.max_duration_seconds !== null && s.elapsedSeconds >= p.max_duration_seconds) return 'max_duration';
  if (p.budget_usd !== null && s.spentUsd >= p.budget_usd) return 'budget';
  if (s.unproductiveStreak >= p.stop_after_unproductive) return 'unproductive';
  return null;
}

/**
 * The best DSR so far and how many trials in a row, since it was last raised, did not raise it.
 * Read from each trial's DSR at its recording, in trial order; a trial without one (a failure, a gate
 * that stopped it before the backtest) raises nothing.
 */
export function unproductiveStreak(trials: readonly Pick<ScoredTrial, 'trial' | 'dsr_at_record'>[]): {
  best: number | null;
  bestTrial: number | null;
  streak: number;
} {
  let best: number | null = null;
  let bestTrial: number | null = null;
  let streak = 0;
  for (const t of [...trials].sort((a, b) => a.trial - b.trial)) {
    if (t.dsr_at_record !== null && (best === null || t.dsr_at_record > best)) {
      best = t.dsr_at_record;
      bestTrial = t.trial;
      streak = 0;
    } else streak++;
  }
  return { best, bestTrial, streak };
}

/** The top `k` trials by DSR (ties: the earlier trial), among those with out-of-sample returns. */
export function chooseFinalists<T extends Pick<ScoredTrial, 'trial' | 'dsr'>>(trials: readonly T[], k: number): T[] {
  return trials
    .filter((t) => t.dsr !== null)
    .sort((a, b) => b.dsr! - a.dsr! || a.trial - b.trial)
    .slice(0, k);
}

const fixed = (v: number, d = 2): string => v.toFixed(d);

/**
 * The campaign's verdict from its best finalist (the highest DSR), the PBO and that finalist's one
 * look at the holdout: `found` only when DSR ≥ minDsr, PBO ≤ maxPbo and the holdout Sharpe is
 * positive. Otherwise `nothing_found`, naming the first failing test and any others after `; also`.
 */
export function campaignVerdict(
  finalists: readonly (Pick<ScoredTrial, 'trial' | 'dsr' | 'strategy_name'> & { holdout: HoldoutResult | null })[],
  pbo: number | null,
  t: CampaignThresholds,
): { verdict: CampaignVerdict; reason: string } {
  const best = chooseFinalists(finalists, 1)[0];
  if (!best) return { verdict: 'nothing_found', reason: 'no finalist: no trial passed every gate with out-of-sample returns' };
  const failed: string[] = [];
  const passed: string[] = [];
  const dsr = best.dsr!;
  (dsr >= t.minDsr ? passed : failed).push(`DSR ${fixed(dsr)} ${dsr >= t.minDsr ? '≥' : '<'} ${fixed(t.minDsr)}`);
  if (pbo === null) failed.push('PBO unavailable (it needs at least 2 trials with out-of-sample returns over common bars)');
  else (pbo <= t.maxPbo ? passed : failed).push(`PBO ${fixed(pbo)} ${pbo <= t.maxPbo ? '≤' : '>'} ${fixed(t.maxPbo)}`);
  const sharpe = best.holdout?.sharpe_ratio ?? null;
  if (sharpe === null) failed.push(`no holdout result (${best.holdout?.error ?? best.holdout?.status ?? 'not evaluated'})`);
  else (sharpe > 0 ? passed : failed).push(`holdout Sharpe ${fixed(sharpe)} ${sharpe > 0 ? '>' : '≤'} 0`);
  const who = `trial ${best.trial}${best.strategy_name ? ` (${best.strategy_name})` : ''}`;
  if (failed.length === 0) return { verdict: 'found', reason: `${who}: ${passed.join(', ')}` };
  return {
    verdict: 'nothing_found',
    reason: `${who}: ${failed[0]}${failed
      .slice(1)
      .map((f) => `; also ${f}`)
      .join('')}`,
  };
}

/** Per idea family: trials, how many passed every gate, the best DSR and the mean Sharpe; best family first. */
export function familyLessons(trials: readonly ScoredTrial[]): FamilyLesson[] {
  const by = new Map<string, ScoredTrial[]>();
  for (const t of trials) {
    const f = t.family ?? 'unknown (no design)';
    by.set(f, [...(by.get(f) ?? []), t]);
  }
  const lessons = [...by.entries()].map(([family, ts]) => {
    const dsrs = ts.map((t) => t.dsr).filter((v): v is number => v !== null);
    const sharpes = ts.map((t) => t.sharpe_ratio).filter((v): v is number => v !== null);
    return {
      family,
      trials: ts.length,
      passed: ts.filter((t) => t.outcome === 'passed').length,
      best_dsr: dsrs.length ? Math.max(...dsrs) : null,
      mean_sharpe: sharpes.length ? sharpes.reduce((a, b) => a + b, 0) / sharpes.length : null,
    };
  });
  return lessons.sort((a, b) => (b.best_dsr ?? -1) - (a.best_dsr ?? -1) || b.trials - a.trials || a.family.localeCompare(b.family));
}

const STOP_WORDS: Readonly<Record<StopReason, string>> = {
  max_cycles: 'it ran its maximum number of cycles',
  max_duration: 'its time ran out',
  budget: 'its LLM budget was spent',
  unproductive: 'too many trials in a row did not improve the best DSR',
  target_reached: 'a trial reached the target DSR',
  cancelled: 'it was cancelled',
};

/** What the campaign found and learned, in sentences (the CLI's report and the web page show them). */
export function campaignReport(v: {
  trials: readonly ScoredTrial[];
  lessons: readonly FamilyLesson[];
  stop_reason: StopReason | null;
  verdict: CampaignVerdict | null;
  verdict_reason: string | null;
  pbo: number | null;
  thresholds: CampaignThresholds;
}): string[] {
  const out: string[] = [];
  const n = v.trials.length;
  const passed = v.trials.filter((t) => t.outcome === 'passed').length;
  const gate = v.trials.filter((t) => t.outcome === 'gate_failed').length;
  const failed = v.trials.filter((t) => t.outcome === 'failed').length;
  out.push(
    `${n} trial${n === 1 ? '' : 's'}: ${passed} passed every gate, ${gate} stopped at a gate, ${failed} failed${n - passed - gate - failed ? `, ${n - passed - gate - failed} cancelled` : ''}.`,
  );
  if (v.stop_reason) out.push(`The search stopped because ${STOP_WORDS[v.stop_reason]} (${v.stop_reason}).`);
  const scored = v.lessons.filter((l) => l.best_dsr !== null);
  const helped = scored.filter((l) => l.best_dsr! >= 0.5 && l.passed > 0);
  const never = v.lessons.filter((l) => l.passed === 0 && l.trials >= 2);
  if (helped.length)
    out.push(
      `Families that helped (passed the gates, DSR ≥ 0.50): ${helped.map((l) => `${l.family} (best DSR ${fixed(l.best_dsr!)}, ${l.trials} trials)`).join(', ')}.`,
    );
  else if (scored.length)
    out.push(`No family passed the gates with a DSR of 0.50 or more; the highest DSR was ${scored[0]!.family}'s (${fixed(scored[0]!.best_dsr!)}).`);
  if (never.length) out.push(`Families that never passed the gates: ${never.map((l) => `${l.family} (${l.trials} trials)`).join(', ')}.`);
  if (v.pbo !== null) out.push(`Probability of backtest overfitting across the trials: ${fixed(v.pbo)} (at most ${fixed(v.thresholds.maxPbo)} for a finding).`);
  if (v.verdict === 'found') out.push(`Found: ${v.verdict_reason}.`);
  else if (v.verdict === 'nothing_found') out.push(`Nothing found: ${v.verdict_reason}.`);
  return out;
}
