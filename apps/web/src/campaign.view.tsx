import { useEffect, useState } from 'react';
import { api } from './api.client';
import {
  isTerminal,
  type CampaignAccepted,
  type CampaignCancelled,
  type CampaignLeaderboard,
  type CampaignTrials,
  type CampaignView as Campaign,
  type FamilyLesson,
  type HoldoutResult,
  type OperationInfo,
  type Trial,
} from './api.types';
import { CAMPAIGN_REFUSAL_WORDS, day, limitDuration, OUTCOME_WORDS, stageText, STOP_WORDS, trialsText, VERDICT_WORDS } from './campaign.info';
import { HoldoutChart, PboGauge, TrialsChart } from './campaign.charts';
import { params, strategyLabel } from './cycle.info';
import { cyclePhaseLabel, dateTime, num, pct, signedPct } from './format.util';
import { useOperationEvents } from './operation-events.hook';
import { campaignHref, cycleHref, Link, navigate } from './router.hook';
import { Refusal } from './trigger.form';
import { Elapsed, ErrorNote, Loading, ProgressBar, Section, StatusBadge } from './ui.components';

interface Loaded {
  campaign: Campaign;
  trials: CampaignTrials;
  board: CampaignLeaderboard;
}

const enc = encodeURIComponent;

/** The three reads a campaign's page is made of: the campaign with its report, every trial in order, and the leaderboard with the PBO. */
async function readCampaign(id: string, signal: AbortSignal): Promise<Loaded> {
  const [campaign, trials, board] = await Promise.all([
    api<{ data: Campaign }>('GET', `/agent/campaigns/${enc(id)}`, undefined, signal).then((r) => r.data),
    api<CampaignTrials>('GET', `/agent/campaigns/${enc(id)}/trials`, undefined, signal),
    api<CampaignLeaderboard>('GET', `/agent/campaigns/${enc(id)}/leaderboard`, undefined, signal),
  ]);
  return { campaign, trials, board };
}

/**
 * One research campaign: where it stands (status, stage, verdict, stop reason, holdout, limits,
 * spend), its leaderboard by DSR, every trial plotted in order, the PBO, the finalists' holdout looks
 * beside their walk-forward numbers, and the report. Live from the campaign operation's event
 * stream: each change of its record (a trial recorded, a cycle started, the stage moved) reads the
 * three routes again; the running cycles show their own phase from their streams.
 */
export function CampaignView({ id }: { id: string }) {
  const snap = useOperationEvents(id);
  const op = snap?.operation ?? null;
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reloads, setReloads] = useState(0);

  const p = (op?.metadata.parameters ?? {}) as Record<string, unknown>;
  const key = op ? `${op.status}|${String(p['stage'])}|${String(p['cycles_started'])}|${op.progress.steps_completed}|${op.progress.current_step}` : '';
  useEffect(() => {
    const ctrl = new AbortController();
    readCampaign(id, ctrl.signal)
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((e: unknown) => !ctrl.signal.aborted && setError(e));
    return () => ctrl.abort();
    // Deps on purpose: `key` sums up what changes in the campaign record
  }, [id, key, reloads]);

  if (!data) return error ? <ErrorNote error={error} /> : <Loading what="the campaign" />;
  const { campaign: c, trials, board } = data;
  // The stream's record is newer than the last read while a read is on its way.
  const status = op?.status ?? c.status;
  const running = !isTerminal(status);
  const byTrial = new Map(trials.data.map((t) => [t.trial, t]));
  const finalistTrials = c.finalists.map((f) => f.trial);
  // The leaderboard ranks every trial with a DSR; only one that passed every gate can be a finalist.
  const best = board.data.find((t) => t.outcome === 'passed') ?? null;
  return (
    <>
      <Section title="Research campaign" id="campaign" actions={<CampaignActions c={c} status={status} onChanged={() => setReloads((n) => n + 1)} />}>
        <div className="cycle-head">
          <span className="mono" data-testid="campaign-id">
            {c.operation_id}
          </span>
          <StatusBadge status={status} testId="campaign-status" />
          <span className="muted" data-testid="campaign-stage">
            {stageText(status, c.stage)}
          </span>
          {c.verdict ? (
            <span className={`badge badge-verdict-${c.verdict}`} data-testid="campaign-verdict">
              {VERDICT_WORDS[c.verdict]}
            </span>
          ) : null}
        </div>
        {c.verdict_reason ? (
          <p className={`verdict-reason verdict-reason-${c.verdict ?? 'none'}`} data-testid="campaign-verdict-reason">
            <strong>{c.verdict === 'found' ? 'Found' : 'Nothing found'}:</strong> {c.verdict_reason}
          </p>
        ) : null}
        {c.stop_reason ? (
          <p className="small" data-testid="campaign-stop-reason">
            The search stopped because {STOP_WORDS[c.stop_reason]} (<code>{c.stop_reason}</code>).
          </p>
        ) : null}
        <dl className="facts">
          <div>
            <dt>Trials</dt>
            <dd data-testid="campaign-trials">
              {trialsText(c)}
              {c.active_cycles.length > 0 ? <span className="muted"> · {c.active_cycles.length} running</span> : null}
            </dd>
          </div>
          <div>
            <dt>Best passed trial</dt>
            <dd data-testid="campaign-best">{best ? `#${best.trial} · DSR ${num(best.dsr)}` : board.data.length ? 'none passed every gate' : '—'}</dd>
          </div>
          <div>
            <dt>Holdout (sealed)</dt>
            <dd data-testid="campaign-holdout">{c.holdout ? `${day(c.holdout.from)} → ${day(c.holdout.to)}` : '—'}</dd>
          </div>
          <div>
            <dt>Spent</dt>
            <dd data-testid="campaign-spent">
              ${c.spent_usd.toFixed(2)}
              {c.limits.budget_usd !== null ? <span className="muted"> of ${c.limits.budget_usd.toFixed(2)}</span> : null}
            </dd>
          </div>
          <div>
            <dt>Scope</dt>
            <dd className="mono">
              {c.scope.symbols.join(', ')} {c.scope.timeframe}
            </dd>
          </div>
          <div>
            <dt>Search</dt>
            <dd>
              {c.limits.search} <span className="muted small">(seed {c.limits.seed})</span>
            </dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>{dateTime(c.started_at ?? c.created_at)}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd>
              <Elapsed from={c.started_at ?? c.created_at} to={op?.completed_at ?? c.completed_at} />
            </dd>
          </div>
          <div className="wide">
            <dt>Limits</dt>
            <dd className="small" data-testid="campaign-limits">
              {limitsText(c)}
            </dd>
          </div>
          {c.brief ? (
            <div className="wide">
              <dt>Brief</dt>
              <dd>{c.brief}</dd>
            </div>
          ) : null}
          {c.resumed_from ? (
            <div className="wide">
              <dt>Resumed from</dt>
              <dd>
                <Link href={campaignHref(c.resumed_from)} className="mono">
                  {c.resumed_from}
                </Link>
                {c.ledger_id !== c.resumed_from ? (
                  <span className="muted small">
                    {' '}
                    (ledger of <span className="mono">{c.ledger_id}</span>)
                  </span>
                ) : null}
              </dd>
            </div>
          ) : null}
        </dl>
        {running && op ? <ProgressBar percentage={op.progress.percentage} step={op.progress.current_step} label="Campaign progress" /> : null}
        {c.error_message ? (
          <p className="op-error" data-testid="campaign-error">
            {c.error_message}
          </p>
        ) : null}
        {running && c.active_cycles.length > 0 ? (
          <div className="active-trials" data-testid="active-trials">
            <h3>Running now</h3>
            <ul>
              {c.active_cycles.map((cycleId, i) =>
                i < LIVE_CYCLES ? (
                  <ActiveTrial key={cycleId} id={cycleId} />
                ) : (
                  <li key={cycleId} className="active-trial" data-testid="active-trial" data-operation-id={cycleId}>
                    <Link href={cycleHref(cycleId)} className="mono small">
                      {cycleId}
                    </Link>
                  </li>
                ),
              )}
            </ul>
          </div>
        ) : null}
        <ErrorNote error={error} />
      </Section>

      <Section title="Leaderboard" id="leaderboard">
        <Leaderboard board={board} finalists={finalistTrials} />
      </Section>

      <Section title="Trials in order" id="trials">
        {trials.data.length ? (
          <TrialsChart trials={trials.data} dsrThreshold={trials.dsr_threshold} targetDsr={c.limits.target_dsr} finalists={finalistTrials} />
        ) : (
          <p className="muted">No trial recorded yet{running ? ': the first one is recorded when its cycle ends' : ''}.</p>
        )}
        {trials.data.length ? <TrialsTable trials={trials.data} threshold={trials.dsr_threshold} /> : null}
      </Section>

      <div className="two-col">
        <Section title="Overfitting (PBO)" id="pbo">
          <Pbo board={board} />
        </Section>
        <Section title="Report" id="report">
          {c.report.length ? (
            <ul className="report" data-testid="report">
              {c.report.map((s, i) => (
                <li key={i} data-testid="report-sentence">
                  {s}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No report yet.</p>
          )}
        </Section>
      </div>

      <Section title="Finalists on the sealed holdout" id="finalists">
        <Finalists c={c} byTrial={byTrial} />
      </Section>

      <Section title="What each idea family did" id="lessons">
        <Lessons lessons={c.lessons} />
      </Section>
    </>
  );
}

function limitsText(c: Campaign): string {
  const l = c.limits;
  return [
    `at most ${l.max_cycles} cycles`,
    l.max_duration_seconds === null ? 'no time limit' : `for at most ${limitDuration(l.max_duration_seconds)}`,
    l.budget_usd === null ? 'no LLM budget' : `LLM budget $${l.budget_usd.toFixed(2)}`,
    `${l.concurrency} at a time`,
    `stop after ${l.stop_after_unproductive} trials in a row without a better DSR`,
    l.target_dsr === null ? 'no target DSR' : `stop at DSR ${num(l.target_dsr)}`,
    `${l.finalists} finalist${l.finalists === 1 ? '' : 's'} on the holdout`,
  ].join(' · ');
}

/** Cancel while active (confirmed first); Resume once cancelled or failed, which opens the new campaign or words the refusal. */
function CampaignActions({ c, status, onChanged }: { c: Campaign; status: Campaign['status']; onChanged: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const id = c.operation_id;
  const cancel = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await api<CampaignCancelled>('DELETE', `/agent/campaigns/${enc(id)}`);
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };
  const resume = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const res = await api<CampaignAccepted>('POST', `/agent/campaigns/${enc(id)}/resume`);
      navigate(campaignHref(res.operation_id));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const active = !isTerminal(status);
  const resumable = status === 'cancelled' || status === 'failed';
  if (!active && !resumable && !error) return null;
  return (
    <div className="resume">
      {active && !confirming ? (
        <button type="button" className="danger" onClick={() => setConfirming(true)} disabled={busy}>
          Cancel campaign
        </button>
      ) : null}
      {active && confirming ? (
        <div className="confirm" role="group" aria-label="Confirm cancel">
          <span>Stop this campaign and its running cycles?</span>
          <button type="button" className="danger" onClick={() => void cancel()} disabled={busy} autoFocus>
            Yes, cancel it
          </button>
          <button type="button" onClick={() => setConfirming(false)} disabled={busy}>
            Keep running
          </button>
        </div>
      ) : null}
      {resumable ? (
        <button type="button" className="primary" onClick={() => void resume()} disabled={busy}>
          {busy ? 'Resuming…' : 'Resume campaign'}
        </button>
      ) : null}
      {error ? <Refusal error={error} words={CAMPAIGN_REFUSAL_WORDS} /> : null}
    </div>
  );
}

/**
 * Running cycles followed through their own event streams, at most: a browser keeps 6 connections
 * to one host over HTTP/1.1 and every open stream holds one, so a campaign running many cycles at
 * once lists the rest as links rather than leave the page's own reads waiting.
 */
const LIVE_CYCLES = 3;

/** A running cycle of the campaign, live from its own stream: a trial of the search, or a finalist's look at the holdout. */
function ActiveTrial({ id }: { id: string }) {
  const snap = useOperationEvents(id);
  const op: OperationInfo | null = snap?.operation ?? null;
  const holdoutOf = op ? params(op).holdout_of : undefined;
  return (
    <li className="active-trial" data-testid="active-trial" data-operation-id={id}>
      <Link href={cycleHref(id)} className="mono small">
        {id}
      </Link>{' '}
      {op ? <StatusBadge status={op.status} /> : null}{' '}
      <span className="small">{holdoutOf !== undefined ? `holdout look of trial ${holdoutOf}` : 'search trial'}</span>
      {op ? (
        <span className="small muted">
          {' '}
          · {cyclePhaseLabel(op.status, params(op).phase)} · {strategyLabel(op)}
          {snap?.child?.progress.current_step ? ` · ${snap.child.progress.current_step}` : ''}
        </span>
      ) : null}
    </li>
  );
}

const tone = (x: number | null | undefined): string => (typeof x !== 'number' ? '' : x > 0 ? 'pos' : x < 0 ? 'neg' : '');

/** The DSR as a number and a bar against the threshold a finding needs. */
function Dsr({ value, threshold }: { value: number | null; threshold: number }) {
  if (value === null) return <span className="muted">—</span>;
  const pass = value >= threshold;
  return (
    <span className="dsr" title={`${pass ? 'at or above' : 'below'} the ${num(threshold)} a finding needs`}>
      <span className={pass ? 'pos' : ''} data-testid="dsr-value">
        {num(value)}
      </span>
      <span className="dsr-bar" aria-hidden="true">
        <span className={`dsr-fill ${pass ? 'dsr-pass' : ''}`} style={{ width: `${Math.max(0, Math.min(1, value)) * 100}%` }} />
        <span className="dsr-mark" style={{ left: `${threshold * 100}%` }} />
      </span>
    </span>
  );
}

function OutcomeBadge({ outcome }: { outcome: Trial['outcome'] }) {
  return (
    <span className={`badge badge-${outcome}`} data-outcome={outcome}>
      {OUTCOME_WORDS[outcome]}
    </span>
  );
}

function TrialLink({ t }: { t: Pick<Trial, 'trial' | 'cycle_id'> }) {
  return (
    <Link href={cycleHref(t.cycle_id)} aria-label={`Open trial ${t.trial}'s cycle`} data-testid="trial-link">
      #{t.trial}
    </Link>
  );
}

const LEADERBOARD_ROWS = 10;

function Leaderboard({ board, finalists }: { board: CampaignLeaderboard; finalists: number[] }) {
  const [all, setAll] = useState(false);
  if (board.data.length === 0)
    return (
      <p className="muted" data-testid="leaderboard-empty">
        No trial has out-of-sample returns yet{board.trials ? ` (${board.trials} recorded)` : ''}: a DSR is computed from them. Stub cycles produce none.
      </p>
    );
  const rows = all ? board.data : board.data.slice(0, LEADERBOARD_ROWS);
  const finalist = new Set(finalists);
  return (
    <>
      <p className="small">
        Ranked by the Deflated Sharpe Ratio: each trial&apos;s Sharpe ratio discounted for the number of designs tried, so the best of many lucky tries counts
        for less. A finding needs a finalist with DSR ≥ {num(board.dsr_threshold)}, PBO ≤ {num(board.pbo_threshold)} and a positive Sharpe ratio on the holdout.
      </p>
      <div className="table-wrap">
        <table className="compact nowrap leaderboard" data-testid="leaderboard">
          <thead>
            <tr>
              <th scope="col" className="n">
                Rank
              </th>
              <th scope="col">Trial</th>
              <th scope="col" className="hide-on-phone">
                Family
              </th>
              <th scope="col">DSR</th>
              <th scope="col" className="n">
                Sharpe
              </th>
              <th scope="col" className="n">
                Return
              </th>
              <th scope="col" className="n">
                Max DD
              </th>
              <th scope="col" className="n">
                Trades
              </th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              <tr key={t.trial} data-testid="leaderboard-row" data-trial={t.trial} data-outcome={t.outcome}>
                <td className="n" data-label="Rank">
                  {t.rank}
                </td>
                <td data-label="Trial">
                  <TrialLink t={t} />{' '}
                  <span className="mono small strategy-name" title={t.strategy_name ?? undefined}>
                    {t.strategy_name ?? '—'}
                  </span>
                </td>
                <td data-label="Family" className="small hide-on-phone">
                  {t.idea?.family ?? '—'}
                </td>
                <td data-label="DSR" data-testid="leaderboard-dsr">
                  <Dsr value={t.dsr} threshold={board.dsr_threshold} />
                </td>
                <td data-label="Sharpe" className={`n ${tone(t.metrics.sharpe_ratio)}`} data-testid="leaderboard-sharpe">
                  {num(t.metrics.sharpe_ratio)}
                </td>
                <td data-label="Return" className={`n ${tone(t.metrics.total_return)}`}>
                  {signedPct(t.metrics.total_return)}
                </td>
                <td data-label="Max DD" className="n">
                  {pct(t.metrics.max_drawdown)}
                </td>
                <td data-label="Trades" className="n">
                  {t.metrics.total_trades ?? '—'}
                </td>
                <td data-label="Outcome">
                  <OutcomeBadge outcome={t.outcome} />
                  {finalist.has(t.trial) ? <span className="badge badge-finalist">finalist</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {board.data.length > LEADERBOARD_ROWS ? (
        <button type="button" className="link-button" onClick={() => setAll(!all)}>
          {all ? `Show the top ${LEADERBOARD_ROWS}` : `Show all ${board.data.length}`}
        </button>
      ) : null}
    </>
  );
}

/** Every trial in order, failures included, with why it failed; folded away under the chart. */
function TrialsTable({ trials, threshold }: { trials: Trial[]; threshold: number }) {
  const failed = trials.filter((t) => t.outcome !== 'passed').length;
  return (
    <details className="trials-details">
      <summary>
        All {trials.length} trials{failed ? `, ${failed} of them not passed` : ''}, with their reasons
      </summary>
      <div className="table-wrap">
        <table className="compact trials-table" data-testid="trials-table">
          <thead>
            <tr>
              <th scope="col">Trial</th>
              <th scope="col">Outcome</th>
              <th scope="col">Strategy</th>
              <th scope="col">Family</th>
              <th scope="col" className="n">
                Sharpe
              </th>
              <th scope="col" className="n">
                DSR
              </th>
              <th scope="col">Why not passed</th>
            </tr>
          </thead>
          <tbody>
            {trials.map((t) => (
              <tr key={t.trial} data-testid="trial-row" data-trial={t.trial} data-outcome={t.outcome}>
                <td data-label="Trial">
                  <TrialLink t={t} />
                </td>
                <td data-label="Outcome">
                  <OutcomeBadge outcome={t.outcome} />
                </td>
                <td data-label="Strategy" className="mono small">
                  {t.strategy_name ?? '—'}
                </td>
                <td data-label="Family" className="small">
                  {t.idea?.family ?? '—'}
                </td>
                <td data-label="Sharpe" className={`n ${tone(t.metrics.sharpe_ratio)}`}>
                  {num(t.metrics.sharpe_ratio)}
                </td>
                <td data-label="DSR" className={`n ${t.dsr !== null && t.dsr >= threshold ? 'pos' : ''}`}>
                  {num(t.dsr)}
                </td>
                <td data-label="Why not passed" className="small wrap">
                  {t.reason ?? ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

function Pbo({ board }: { board: CampaignLeaderboard }) {
  if (board.pbo === null)
    return (
      <p className="muted" data-testid="pbo-unavailable">
        Not available yet: the Probability of Backtest Overfitting needs at least 2 trials with out-of-sample returns over common bars ({board.pbo_trials} so
        far).
      </p>
    );
  const ok = board.pbo <= board.pbo_threshold;
  return (
    <div data-testid="pbo">
      <p className="stat-line">
        <span className={`stat ${ok ? 'pos' : 'neg'}`} data-testid="pbo-value">
          {num(board.pbo)}
        </span>{' '}
        <span data-testid="pbo-threshold">
          {ok ? '≤' : '>'} {num(board.pbo_threshold)}, the most a finding may have
        </span>
      </p>
      <PboGauge pbo={board.pbo} threshold={board.pbo_threshold} />
      <p className="small muted">
        How often the trial that looked best on one half of the bars ranked below the median on the other half (combinatorially symmetric cross-validation over{' '}
        {board.pbo_trials} trials and {board.pbo_bars} common bars). High: picking the best trial mostly picks luck.
      </p>
    </div>
  );
}

function Finalists({ c, byTrial }: { c: Campaign; byTrial: Map<number, Trial> }) {
  const span = c.holdout ? `${day(c.holdout.from)} → ${day(c.holdout.to)}` : 'the holdout';
  if (c.finalists.length === 0)
    return (
      <p className="muted" data-testid="finalists-empty">
        {c.stage === 'searching'
          ? `Chosen when the search stops: the top ${c.limits.finalists} trials by DSR that passed every gate, each evaluated once on ${span}.`
          : 'No finalist: no trial passed every gate with out-of-sample returns.'}
      </p>
    );
  const rows = c.finalists.map((f) => ({ f, t: byTrial.get(f.trial) ?? null }));
  return (
    <>
      <p className="small">
        The top trials by DSR that passed every gate, each retrained on every bar before {day(c.holdout?.from)} and backtested once on {span}: bars the search
        never saw. Beside it, the same design&apos;s walk-forward numbers from the search.
      </p>
      <div className="finalists">
        <div className="table-wrap">
          <table className="compact metrics folds nowrap" data-testid="finalists-table">
            <thead>
              <tr className="group">
                <th scope="colgroup" colSpan={2} />
                <th scope="colgroup" colSpan={3} className="group-head">
                  Walk-forward (search)
                </th>
                <th scope="colgroup" colSpan={5} className="group-head">
                  Holdout (one look)
                </th>
              </tr>
              <tr>
                <th scope="col">Trial</th>
                <th scope="col" className="n">
                  DSR
                </th>
                <th scope="col" className="n group-start">
                  Sharpe
                </th>
                <th scope="col" className="n">
                  Return
                </th>
                <th scope="col" className="n">
                  Trades
                </th>
                <th scope="col" className="group-start">
                  Look
                </th>
                <th scope="col" className="n">
                  Sharpe
                </th>
                <th scope="col" className="n">
                  Return
                </th>
                <th scope="col" className="n">
                  B&amp;H
                </th>
                <th scope="col" className="n">
                  Trades
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ f, t }) => (
                <FinalistRow key={f.trial} f={f} t={t} />
              ))}
            </tbody>
          </table>
        </div>
        <HoldoutChart rows={rows.map(({ f, t }) => ({ trial: f.trial, search: t?.metrics.sharpe_ratio ?? null, holdout: f }))} />
      </div>
      {rows.some(({ f }) => f.error) ? (
        <ul className="small plain-list">
          {rows
            .filter(({ f }) => f.error)
            .map(({ f }) => (
              <li key={f.trial} className="op-error" data-testid="finalist-error">
                Trial {f.trial}: {f.error}
              </li>
            ))}
        </ul>
      ) : null}
    </>
  );
}

function FinalistRow({ f, t }: { f: HoldoutResult; t: Trial | null }) {
  return (
    <tr data-testid="finalist-row" data-trial={f.trial} data-status={f.status}>
      <th scope="row">
        {t ? <TrialLink t={t} /> : `#${f.trial}`} <span className="mono small strategy-name">{t?.strategy_name ?? ''}</span>
      </th>
      <td className="n">{num(t?.dsr)}</td>
      <td className={`n group-start ${tone(t?.metrics.sharpe_ratio)}`} data-testid="finalist-search-sharpe">
        {num(t?.metrics.sharpe_ratio)}
      </td>
      <td className={`n ${tone(t?.metrics.total_return)}`}>{signedPct(t?.metrics.total_return)}</td>
      <td className="n">{t?.metrics.total_trades ?? '—'}</td>
      <td className="group-start">
        {f.cycle_id ? (
          <Link href={cycleHref(f.cycle_id)} aria-label={`Open trial ${f.trial}'s holdout cycle`}>
            <StatusBadge status={f.status} />
          </Link>
        ) : (
          <StatusBadge status={f.status} />
        )}
      </td>
      <td className={`n ${tone(f.sharpe_ratio)}`} data-testid="finalist-holdout-sharpe">
        {num(f.sharpe_ratio)}
      </td>
      <td className={`n ${tone(f.total_return)}`}>{signedPct(f.total_return)}</td>
      <td className="n">{signedPct(f.benchmark_return)}</td>
      <td className="n">{f.total_trades ?? '—'}</td>
    </tr>
  );
}

function Lessons({ lessons }: { lessons: FamilyLesson[] }) {
  if (lessons.length === 0) return <p className="muted">No trial recorded yet.</p>;
  return (
    <div className="table-wrap">
      <table className="compact lessons" data-testid="lessons">
        <thead>
          <tr>
            <th scope="col">Family</th>
            <th scope="col" className="n">
              Trials
            </th>
            <th scope="col" className="n">
              Passed
            </th>
            <th scope="col" className="n">
              Best DSR
            </th>
            <th scope="col" className="n">
              Mean Sharpe
            </th>
          </tr>
        </thead>
        <tbody>
          {lessons.map((l) => (
            <tr key={l.family} data-testid="lesson-row">
              <th scope="row">{l.family}</th>
              <td className="n">{l.trials}</td>
              <td className="n">{l.passed}</td>
              <td className="n">{num(l.best_dsr)}</td>
              <td className={`n ${tone(l.mean_sharpe)}`}>{num(l.mean_sharpe)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
