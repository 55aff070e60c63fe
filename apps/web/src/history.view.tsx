import { useEffect, useState } from 'react';
import { api, getOperation } from './api.client';
import type { ListEnvelope, OperationInfo, OperationSummary } from './api.types';
import { backtestMetrics, isStub, strategyLabel, verdict } from './cycle.info';
import { dateTime, duration, num, pct, signedPct } from './format.util';
import { BacktestColumnHeads } from './metrics.table';
import { cycleHref, Link, navigate, useLocation } from './router.hook';
import { ErrorNote, Section, StatusBadge, StubBadge } from './ui.components';

const PAGE_SIZE = 10;
const OUTCOMES = ['completed', 'failed', 'cancelled', 'running', 'pending'] as const;

interface Row {
  summary: OperationSummary;
  op: OperationInfo | null;
}

/**
 * Past and present cycles, newest first (GET /operations?operation_type=agent_research). The list
 * rows carry no metrics or errors, so each row's record is read too (one page at a time). Filter
 * and page live in the URL, so a view can be linked and Back works.
 */
export function HistoryView() {
  const { search } = useLocation();
  const outcome = search.get('outcome') ?? '';
  const page = Math.max(0, Number.parseInt(search.get('page') ?? '0', 10) || 0);
  // Rows, total and the page they belong to change together, so the range never describes rows not yet shown.
  const [loaded, setLoaded] = useState<{ rows: Row[]; total: number; page: number } | null>(null);
  const rows = loaded?.rows ?? null;
  const total = loaded?.total ?? 0;
  const shownPage = loaded?.page ?? page;
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    setError(null);
    const q = new URLSearchParams({ operation_type: 'agent_research', limit: String(PAGE_SIZE), offset: String(page * PAGE_SIZE) });
    if (outcome) q.set('status', outcome);
    (async () => {
      const list = await api<ListEnvelope<OperationSummary>>('GET', `/operations?${q}`, undefined, ctrl.signal);
      const ops = await Promise.all(list.data.map((s) => getOperation(s.operation_id, ctrl.signal).catch(() => null)));
      setLoaded({ rows: list.data.map((summary, i) => ({ summary, op: ops[i] ?? null })), total: list.total_count, page });
    })().catch((e: unknown) => !ctrl.signal.aborted && setError(e));
    return () => ctrl.abort();
  }, [outcome, page]);

  const go = (next: { outcome?: string; page?: number }): void => {
    const q = new URLSearchParams();
    const o = next.outcome ?? outcome;
    const p = next.page ?? page;
    if (o) q.set('outcome', o);
    if (p > 0) q.set('page', String(p));
    const s = q.toString();
    navigate(`/history${s ? `?${s}` : ''}`);
  };

  const from = total === 0 ? 0 : shownPage * PAGE_SIZE + 1;
  const to = Math.min(total, (shownPage + 1) * PAGE_SIZE);
  return (
    <Section
      title="History"
      id="history"
      actions={
        <div className="field inline">
          <label htmlFor="history-outcome">Outcome</label>
          <select id="history-outcome" value={outcome} onChange={(e) => go({ outcome: e.target.value, page: 0 })}>
            <option value="">All</option>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
      }
    >
      <ErrorNote error={error} />
      {rows && rows.length === 0 && <p className="muted">No research cycles{outcome ? ` with outcome ${outcome}` : ''} yet.</p>}
      {rows && rows.length > 0 && (
        <div className="table-wrap">
          <table className="history-table stack-on-phone" data-testid="history-table">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Outcome</th>
                <th scope="col">Strategy</th>
                <BacktestColumnHeads />
                <th scope="col" className="n">
                  Duration
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ summary, op }) => (
                <HistoryRow key={summary.operation_id} summary={summary} op={op} />
              ))}
            </tbody>
          </table>
          <p className="muted small" data-testid="return-legend">
            Return in <span className="pos">green</span>: the strategy beat buy-and-hold over the same bars; in <span className="neg">red</span>: it trailed
            buy-and-hold, even when it made money (+7.5% against +23.0% is red).
          </p>
        </div>
      )}
      <nav className="pager" aria-label="History pages">
        <button type="button" onClick={() => go({ page: page - 1 })} disabled={page === 0}>
          ← Newer
        </button>
        <span className="muted num" data-testid="history-range">
          {total ? `${from}–${to} of ${total}` : ''}
        </span>
        <button type="button" onClick={() => go({ page: page + 1 })} disabled={to >= total}>
          Older →
        </button>
      </nav>
    </Section>
  );
}

function HistoryRow({ summary, op }: { summary: OperationSummary; op: OperationInfo | null }) {
  const m = op ? backtestMetrics(op) : null;
  const v = op ? verdict(op) : null;
  const beat = m ? m.total_return - m.benchmark_return : null;
  return (
    <>
      <tr data-testid="history-row" data-operation-id={summary.operation_id} data-status={summary.status}>
        <td data-label="Started">
          <Link href={cycleHref(summary.operation_id)} aria-label={`Open cycle ${summary.operation_id}`}>
            {dateTime(summary.created_at)}
          </Link>
        </td>
        <td data-label="Outcome">
          <StatusBadge status={summary.status} /> {op && isStub(op) && <StubBadge />} {v && <span className="verdict">{v}</span>}
        </td>
        <td data-label="Strategy" className="mono small">
          {op ? strategyLabel(op) : '—'}
        </td>
        <td
          data-label="Return"
          className={`n ${beat === null ? '' : beat >= 0 ? 'pos' : 'neg'}`}
          title={beat === null ? undefined : `${beat >= 0 ? 'beat' : 'trailed'} buy-and-hold by ${(Math.abs(beat) * 100).toFixed(1)} points`}
        >
          {signedPct(m?.total_return)}
        </td>
        <td data-label="Buy & hold" className="n">
          {signedPct(m?.benchmark_return)}
        </td>
        <td data-label="Sharpe" className="n">
          {num(m?.sharpe_ratio)}
        </td>
        <td data-label="Max DD" className="n">
          {pct(m?.max_drawdown)}
        </td>
        <td data-label="Trades" className="n">
          {m ? m.total_trades : '—'}
        </td>
        <td data-label="Duration" className="n">
          {duration(summary.duration_seconds)}
        </td>
      </tr>
      {op?.error_message && (
        <tr className="error-row" data-testid="history-error">
          <td colSpan={9}>
            <span className="op-error">{op.error_message}</span>
          </td>
        </tr>
      )}
    </>
  );
}
