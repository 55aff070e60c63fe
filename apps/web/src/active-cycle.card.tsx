import { useEffect, useState } from 'react';
import { api, ApiError, getOperation } from './api.client';
import { isTerminal, type CancelAccepted, type OperationSnapshot } from './api.types';
import { strategyLabel, isStub } from './cycle.info';
import { cyclePhaseLabel, typeLabel } from './format.util';
import { useOperationEvents } from './operation-events.hook';
import { cycleHref, Link } from './router.hook';
import { Elapsed, ErrorNote, ProgressBar, StatusBadge, StubBadge } from './ui.components';

/** One watched cycle on the Now page: live from its event stream, with Cancel (confirmed first). */
export function ActiveCycleCard({ id, onDismiss, onFinished }: { id: string; onDismiss: (id: string) => void; onFinished: () => void }) {
  const live = useOperationEvents(id);
  const [afterCancel, setAfterCancel] = useState<OperationSnapshot | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  // The cancel answer's records win until the stream catches up (the stream's own `end` says the same).
  const snap = afterCancel && !(live && isTerminal(live.operation.status)) ? afterCancel : live;
  const op = snap?.operation ?? null;
  const child = snap?.child ?? null;
  const done = op ? isTerminal(op.status) : false;
  useEffect(() => {
    if (done) onFinished();
    // Once per cycle end; onFinished is a fresh closure on each render of the parent.
  }, [done]);

  const cancel = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const res = await api<CancelAccepted>('DELETE', `/agent/cancel/${encodeURIComponent(id)}`);
      const [operation, childOp] = await Promise.all([getOperation(id), res.child_cancelled ? getOperation(res.child_cancelled) : Promise.resolve(child)]);
      setAfterCancel({ operation, child: childOp });
    } catch (e) {
      setError(e instanceof ApiError ? e : new Error(String(e)));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  const step = child && child.status === 'running' ? (child.progress.current_step ?? op?.progress.current_step ?? null) : (op?.progress.current_step ?? null);
  return (
    <article className="cycle-card" data-testid="active-cycle" data-operation-id={id} aria-label={`Research cycle ${id}`}>
      <header className="cycle-card-head">
        <Link href={cycleHref(id)} className="mono cycle-id">
          {id}
        </Link>
        {op ? <StatusBadge status={op.status} testId="cycle-status" /> : <span className="badge badge-pending">connecting</span>}
        {op && isStub(op) && <StubBadge />}
      </header>
      <dl className="facts">
        <div>
          <dt>Phase</dt>
          <dd data-testid="cycle-phase">{op ? cyclePhaseLabel(op.status, op.metadata.parameters['phase']) : '—'}</dd>
        </div>
        <div>
          <dt>Strategy</dt>
          <dd data-testid="cycle-strategy">{op ? strategyLabel(op) : '—'}</dd>
        </div>
        <div>
          <dt>Elapsed</dt>
          <dd>{op ? <Elapsed from={op.started_at ?? op.created_at} to={op.completed_at} /> : '—'}</dd>
        </div>
        <div className="wide">
          <dt>Child operation</dt>
          <dd className="child-line">
            {child ? (
              <>
                <span>{typeLabel(child.operation_type)}</span> <span className="mono small">{child.operation_id}</span>{' '}
                <StatusBadge status={child.status} testId="child-status" />
              </>
            ) : (
              <span className="muted">none yet</span>
            )}
          </dd>
        </div>
      </dl>
      <ProgressBar percentage={op?.progress.percentage ?? 0} step={step} label={`Progress of ${id}`} />
      {op?.error_message && <p className="op-error">{op.error_message}</p>}
      <ErrorNote error={error} title="Cancel refused:" />
      <div className="actions">
        {!done && !confirming && (
          <button type="button" className="danger" onClick={() => setConfirming(true)} disabled={!op || busy}>
            Cancel cycle
          </button>
        )}
        {!done && confirming && (
          <div className="confirm" role="group" aria-label="Confirm cancel">
            <span>Stop this cycle and its running child?</span>
            <button type="button" className="danger" onClick={() => void cancel()} disabled={busy} autoFocus>
              Yes, cancel it
            </button>
            <button type="button" onClick={() => setConfirming(false)} disabled={busy}>
              Keep running
            </button>
          </div>
        )}
        {done && (
          <>
            <Link href={cycleHref(id)} className="button">
              Open cycle
            </Link>
            <button type="button" onClick={() => onDismiss(id)}>
              Dismiss
            </button>
          </>
        )}
      </div>
    </article>
  );
}
