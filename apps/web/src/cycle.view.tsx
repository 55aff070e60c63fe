import { useEffect, useState } from 'react';
import { api, getArtifact, getChildren, getOperation } from './api.client';
import {
  isTerminal,
  type AssessmentArtifact,
  type BacktestMetrics,
  type EquityArtifact,
  type HistoryArtifact,
  type ListEnvelope,
  type OperationInfo,
  type ResumeAccepted,
  type StrategyConfig,
  type StrategySummary,
  type TrainingMetrics,
} from './api.types';
import { backtestMetrics, CHILD_KEYS, isStub, isWalkForward, params, strategyLabel, strategyName, trainingMetrics } from './cycle.info';
import { EquityChart } from './equity.chart';
import { cyclePhaseLabel, dateTime, duration, secondsBetween, typeLabel } from './format.util';
import { MetricsTable } from './metrics.table';
import { useOperationEvents } from './operation-events.hook';
import { campaignHref, cycleHref, Link, navigate } from './router.hook';
import { StrategyPanel } from './strategy.panel';
import { TrainingCharts } from './training.chart';
import { Refusal } from './trigger.form';
import { WalkForwardPanel } from './walk-forward.panel';
import { Elapsed, ErrorNote, Loading, ProgressBar, Section, StatusBadge, StubBadge } from './ui.components';

interface Artifacts {
  strategy: StrategyConfig | null;
  history: HistoryArtifact | null;
  equity: EquityArtifact | null;
  assessment: AssessmentArtifact | null;
}
const NO_ARTIFACTS: Artifacts = { strategy: null, history: null, equity: null, assessment: null };
const ARTIFACT_OF: Record<string, keyof Artifacts> = { agent_design: 'strategy', training: 'history', backtesting: 'equity', agent_assessment: 'assessment' };

/** The four phase children: the parent's `*_op_id` keys (which a resumed cycle points at the old children), then its own list. */
async function phaseChildren(cycle: OperationInfo, signal: AbortSignal): Promise<(OperationInfo | null)[]> {
  const own = await getChildren(cycle.operation_id, signal);
  const p = params(cycle);
  return Promise.all(
    CHILD_KEYS.map(async ([, key, type]) => {
      const id = p[key] ?? null;
      if (!id) return own.filter((c) => c.operation_type === type).at(-1) ?? null;
      return own.find((c) => c.operation_id === id) ?? (await getOperation(id, signal).catch(() => null));
    }),
  );
}

export function CycleView({ id }: { id: string }) {
  const snap = useOperationEvents(id);
  const op = snap?.operation ?? null;
  const [children, setChildren] = useState<(OperationInfo | null)[] | null>(null);
  const [artifacts, setArtifacts] = useState<Artifacts>(NO_ARTIFACTS);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [notFound, setNotFound] = useState<unknown>(null);

  // A GET first, so an unknown id shows the API's 404 message (the event stream has no body to read).
  useEffect(() => {
    const ctrl = new AbortController();
    setNotFound(null);
    getOperation(id, ctrl.signal).catch((e: unknown) => !ctrl.signal.aborted && setNotFound(e));
    return () => ctrl.abort();
  }, [id]);

  // Re-read the children whenever the cycle or its current child changes state.
  const key = op ? `${op.status}|${String(params(op).phase)}|${snap?.child?.operation_id}|${snap?.child?.status}` : null;
  useEffect(() => {
    if (!op) return;
    const ctrl = new AbortController();
    phaseChildren(op, ctrl.signal)
      .then(setChildren)
      .catch((e: unknown) => !ctrl.signal.aborted && setLoadError(e));
    return () => ctrl.abort();
    // Deps on purpose: `key` sums up what matters in `op`
  }, [key]);

  // Artifacts of completed children (listed first, so a missing one is not a failed request).
  const doneIds = (children ?? [])
    .filter((c) => c?.status === 'completed')
    .map((c) => c!.operation_id)
    .join(',');
  useEffect(() => {
    if (!children || !op) return;
    const ctrl = new AbortController();
    (async () => {
      const next: Artifacts = { ...NO_ARTIFACTS };
      await Promise.all(
        children.map(async (c) => {
          if (!c || c.status !== 'completed') return;
          const name = ARTIFACT_OF[c.operation_type];
          if (!name) return;
          const list = await api<{ data: { artifacts: string[] } }>('GET', `/operations/${c.operation_id}/artifacts`, undefined, ctrl.signal);
          if (!list.data.artifacts.includes(name)) return;
          (next as unknown as Record<string, unknown>)[name] = await getArtifact(c.operation_id, name, ctrl.signal);
        }),
      );
      const name = strategyName(op);
      if (!next.strategy && name) {
        const all = await api<ListEnvelope<StrategySummary>>('GET', '/strategies', undefined, ctrl.signal);
        if (all.data.some((s) => s.name === name && s.valid))
          next.strategy = (await api<{ data: StrategyConfig }>('GET', `/strategies/${encodeURIComponent(name)}`, undefined, ctrl.signal)).data;
      }
      setArtifacts(next);
    })().catch((e: unknown) => !ctrl.signal.aborted && setLoadError(e));
    return () => ctrl.abort();
    // Deps on purpose: reload when the set of completed children changes
  }, [doneIds, op?.operation_id]);

  if (notFound && !op) return <ErrorNote error={notFound} />;
  if (!op) return <Loading what="the cycle" />;

  const backtestChild = children?.[2] ?? null;
  const metrics: BacktestMetrics | null =
    backtestMetrics(op) ?? (backtestChild?.status === 'completed' ? (backtestChild.result_summary as unknown as BacktestMetrics) : null);
  const trainingChild = children?.[1] ?? null;
  const training: TrainingMetrics | null =
    trainingMetrics(op) ?? (trainingChild?.status === 'completed' ? (trainingChild.result_summary as unknown as TrainingMetrics) : null);
  const walkForward = isWalkForward(training, metrics);
  const assessment = artifacts.assessment ?? (children?.[3]?.result_summary as unknown as AssessmentArtifact | undefined) ?? null;
  const running = !isTerminal(op.status);
  return (
    <>
      <Section title="Research cycle" id="cycle" actions={<ResumeButton op={op} />}>
        <div className="cycle-head">
          <span className="mono" data-testid="cycle-id">
            {op.operation_id}
          </span>
          <StatusBadge status={op.status} testId="cycle-status" />
          {isStub(op) && <StubBadge />}
        </div>
        <dl className="facts">
          <div>
            <dt>Phase</dt>
            <dd data-testid="cycle-phase">{cyclePhaseLabel(op.status, params(op).phase)}</dd>
          </div>
          <div>
            <dt>Strategy</dt>
            <dd className="mono">{strategyLabel(op)}</dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>{dateTime(op.started_at ?? op.created_at)}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd>
              <Elapsed from={op.started_at ?? op.created_at} to={op.completed_at} />
            </dd>
          </div>
          {params(op).campaign_id && (
            <div className="wide">
              <dt>Campaign</dt>
              <dd data-testid="cycle-campaign">
                <Link href={campaignHref(params(op).campaign_id!)} className="mono">
                  {params(op).campaign_id}
                </Link>
                <span className="muted small">
                  {params(op).holdout_of !== undefined ? ` · the one look at the holdout of trial ${params(op).holdout_of}` : ' · a trial of its search'}
                </span>
              </dd>
            </div>
          )}
          {params(op).resumed_from && (
            <div className="wide">
              <dt>Resumed from</dt>
              <dd>
                <Link href={cycleHref(params(op).resumed_from!)} className="mono">
                  {params(op).resumed_from}
                </Link>
              </dd>
            </div>
          )}
        </dl>
        {running && (
          <ProgressBar percentage={op.progress.percentage} step={snap?.child?.progress.current_step ?? op.progress.current_step} label="Cycle progress" />
        )}
        {op.error_message && (
          <p className="op-error" data-testid="cycle-error">
            {op.error_message}
          </p>
        )}
        <ErrorNote error={loadError} />
      </Section>

      <Section title="Phases" id="phases">
        <div className="table-wrap">
          <table className="compact children stack-on-phone" data-testid="children-table">
            <thead>
              <tr>
                <th scope="col">Phase</th>
                <th scope="col">Operation</th>
                <th scope="col">Status</th>
                <th scope="col">Step</th>
                <th scope="col" className="n">
                  Duration
                </th>
              </tr>
            </thead>
            <tbody>
              {CHILD_KEYS.map(([phase, , type], i) => {
                const c = children?.[i] ?? null;
                return (
                  <tr key={phase} data-testid="child-row" data-type={type}>
                    <th scope="row">{typeLabel(type)}</th>
                    <td className="mono small" data-label="Operation">
                      {c?.operation_id ?? '—'}
                    </td>
                    <td data-label="Status">
                      {c ? (
                        <StatusBadge status={c.status} />
                      ) : (
                        <span className="muted">{phase === 'designing' && params(op).strategy ? 'skipped: existing strategy' : 'not started'}</span>
                      )}
                    </td>
                    <td className="small" data-label="Step">
                      {c?.error_message ?? c?.progress.current_step ?? ''}
                    </td>
                    <td className="n" data-label="Duration">
                      {c ? duration(secondsBetween(c.started_at ?? c.created_at, c.completed_at)) : '—'}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </Section>

      <Section title="Strategy" id="strategy">
        {artifacts.strategy ? (
          <StrategyPanel config={artifacts.strategy} />
        ) : (
          <p className="muted">{running ? 'Not designed yet.' : 'No strategy recorded.'}</p>
        )}
      </Section>

      <Section title="Training" id="training">
        {artifacts.history && artifacts.history.epochs.length > 0 ? (
          <TrainingCharts
            history={artifacts.history}
            plannedEpochs={configuredEpochs(artifacts.strategy)}
            pooledFolds={walkForward ? (training?.folds?.length ?? null) : null}
          />
        ) : (
          <p className="muted">{children?.[1]?.status === 'completed' ? 'This training run published no curves (stub mode).' : 'No training curves yet.'}</p>
        )}
      </Section>

      <Section title="Backtest" id="backtest">
        {artifacts.equity && artifacts.equity.t.length > 0 ? (
          <EquityChart data={artifacts.equity} returns={metrics ? { strategy: metrics.total_return, benchmark: metrics.benchmark_return } : null} />
        ) : (
          <p className="muted">No equity curve{running ? ' yet' : ''}.</p>
        )}
        {metrics ? <MetricsTable m={metrics} /> : null}
      </Section>

      {walkForward ? (
        <Section title="Walk-forward evaluation" id="walk-forward">
          <WalkForwardPanel training={training} backtest={metrics} />
        </Section>
      ) : null}

      <Section title="Assessment" id="assessment">
        {assessment?.verdict ? <AssessmentPanel a={assessment} /> : <p className="muted">No assessment{running ? ' yet' : ''}.</p>}
      </Section>
    </>
  );
}

/** The strategy's configured epochs (`model.training.epochs`), for "stopped early at epoch 14 of 30". */
function configuredEpochs(config: StrategyConfig | null): number | null {
  const epochs = config?.model?.training?.['epochs'];
  return typeof epochs === 'number' ? epochs : null;
}

function AssessmentPanel({ a }: { a: AssessmentArtifact }) {
  const list = (title: string, items: string[] | undefined) => (
    <div>
      <h3>{title}</h3>
      <ul>
        {(items ?? []).map((s, i) => (
          <li key={i}>{s}</li>
        ))}
      </ul>
    </div>
  );
  return (
    <div data-testid="assessment">
      <p>
        Verdict: <strong className={`verdict verdict-${a.verdict}`}>{a.verdict}</strong>
        {a.assessor ? <span className="muted small"> (by the {a.assessor} assessor)</span> : null}
      </p>
      <div className="three-col">
        {list('Strengths', a.strengths)}
        {list('Weaknesses', a.weaknesses)}
        {list('Suggestions', a.suggestions)}
      </div>
    </div>
  );
}

/** POST /agent/resume/{id} for a failed or cancelled cycle; opens the new cycle on success. */
function ResumeButton({ op }: { op: OperationInfo }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (op.status !== 'failed' && op.status !== 'cancelled') return null;
  const resume = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const res = await api<ResumeAccepted>('POST', `/agent/resume/${encodeURIComponent(op.operation_id)}`);
      navigate(cycleHref(res.operation_id));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="resume">
      <button type="button" className="primary" onClick={() => void resume()} disabled={busy}>
        {busy ? 'Resuming…' : 'Resume cycle'}
      </button>
      {error ? <Refusal error={error} /> : null}
    </div>
  );
}
