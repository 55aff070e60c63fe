import { useEffect, useState, type ReactNode } from 'react';
import type { OperationStatus } from './api.types';
import { duration, secondsBetween } from './format.util';

export function StatusBadge({ status, testId }: { status: OperationStatus | string; testId?: string }) {
  return (
    <span className={`badge badge-${status}`} data-testid={testId} data-status={status}>
      {status}
    </span>
  );
}

export function StubBadge() {
  return (
    <span className="badge badge-stub" title="Canned results from stub mode (KTRDR_STUB_WORKERS), not real research">
      stub
    </span>
  );
}

/** An API error in the API's own words. */
export function ErrorNote({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="error-note" role="alert">
      {title && <strong>{title} </strong>}
      <span data-testid="api-error">{message}</span>
    </div>
  );
}

/** A fixed-height bar and step line, so progress updates never move the layout. */
export function ProgressBar({ percentage, step, label }: { percentage: number; step: string | null; label: string }) {
  const p = Math.max(0, Math.min(100, percentage || 0));
  return (
    <div className="progress">
      <div className="progress-track" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(p)}>
        <div className="progress-fill" style={{ transform: `scaleX(${p / 100})` }} />
      </div>
      <div className="progress-text">
        <span className="progress-pct" data-testid="progress-pct">
          {p.toFixed(0)}%
        </span>
        <span className="progress-step" title={step ?? ''} data-testid="progress-step">
          {step ?? ' '}
        </span>
      </div>
    </div>
  );
}

/** Seconds since `from`, ticking each second until `to` is set. */
export function Elapsed({ from, to }: { from: string | null; to: string | null }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (to) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [to]);
  return <span className="num">{duration(secondsBetween(from, to, now))}</span>;
}

export function Section({ title, children, id, actions }: { title: string; children: ReactNode; id?: string; actions?: ReactNode }) {
  const headingId = id ? `${id}-title` : undefined;
  return (
    <section className="panel" aria-labelledby={headingId} id={id}>
      <div className="panel-head">
        <h2 id={headingId}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function Loading({ what }: { what: string }) {
  return <p className="muted">Loading {what}…</p>;
}
