import { useEffect, useRef, useState, type RefObject } from 'react';
import type { HoldoutResult, Trial, TrialOutcome } from './api.types';
import { OUTCOME_WORDS } from './campaign.info';
import { COLORS } from './equity.chart';
import { num } from './format.util';
import { ticks } from './robustness.charts';

/**
 * The campaign's charts, hand-drawn in SVG like the backtest's evidence charts: every trial in order
 * (its DSR against the threshold above, its Sharpe ratio below, the trials without a result in a
 * strip under them), the PBO against its threshold, and each finalist's Sharpe ratio in the search
 * beside its one look at the holdout.
 */

/** A linear scale from [d0, d1] onto [r0, r1]. */
/** A tick value as short as it is exact: 0.25, 0.5, 1, -0.75. */
const tickText = (v: number): string => String(Number(v.toFixed(2)));

const scale = (d0: number, d1: number, r0: number, r1: number) => (v: number) => (d1 === d0 ? (r0 + r1) / 2 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0));

/** The element's width in CSS pixels, kept current: the trials chart is drawn at that width so its labels keep their size on a phone. */
function useWidth<T extends HTMLElement>(fallback: number): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const read = () => setWidth(Math.max(240, Math.round(el.getBoundingClientRect().width)));
    read();
    const ro = new ResizeObserver(read);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

export const OUTCOME_COLORS: Record<TrialOutcome, string> = {
  passed: COLORS.strategy,
  gate_failed: COLORS.benchmark,
  failed: COLORS.drawdown,
  cancelled: '#64748b',
};

/** A trial's mark, in its outcome's colour: filled for passed, hollow for a gate failure, a cross for a failed or cancelled cycle. */
function Mark({ x, y, outcome }: { x: number; y: number; outcome: TrialOutcome }) {
  const color = OUTCOME_COLORS[outcome];
  if (outcome === 'failed' || outcome === 'cancelled') {
    return <path d={`M${x - 4} ${y - 4}L${x + 4} ${y + 4}M${x - 4} ${y + 4}L${x + 4} ${y - 4}`} stroke={color} strokeWidth={2} />;
  }
  return outcome === 'passed' ? <circle cx={x} cy={y} r={4.5} fill={color} /> : <circle cx={x} cy={y} r={4} fill="#fff" stroke={color} strokeWidth={2} />;
}

const FINALIST_RING = COLORS.fold;

export function TrialsChart({
  trials,
  dsrThreshold,
  targetDsr,
  finalists,
}: {
  trials: Trial[];
  dsrThreshold: number;
  targetDsr: number | null;
  finalists: number[];
}) {
  const [ref, W] = useWidth<HTMLDivElement>(720);
  if (trials.length === 0) return null;
  const PAD = { left: 46, right: 14 };
  const dsrTop = 20;
  const paneH = 118;
  const sharpeTop = dsrTop + paneH + 34;
  const stripY = sharpeTop + paneH + 22;
  const axisY = stripY + 16;
  const H = axisY + 20;
  const first = trials[0]!.trial;
  const last = trials[trials.length - 1]!.trial;
  const x = scale(first - 0.5, last + 0.5, PAD.left, W - PAD.right);
  const yDsr = scale(0, 1, dsrTop + paneH, dsrTop);
  const sharpes = trials.map((t) => t.metrics.sharpe_ratio).filter((v): v is number => v !== null);
  const sLo = Math.min(0, ...sharpes);
  const sHi = Math.max(0, ...sharpes);
  const sPad = (sHi - sLo) * 0.1 || 0.5;
  const ySharpe = scale(sLo - sPad, sHi + sPad, sharpeTop + paneH, sharpeTop);
  const xTicks = ticks(first, last, Math.max(2, Math.min(10, Math.floor((W - PAD.left) / 60)))).filter((v) => Number.isInteger(v));
  const finalist = new Set(finalists);
  const noResult = trials.filter((t) => t.dsr === null && t.metrics.sharpe_ratio === null);
  const label = `${trials.length} trials in order: DSR against the threshold ${num(dsrThreshold)} and Sharpe ratio; ${noResult.length} without a result`;
  const tip = (t: Trial) =>
    `Trial ${t.trial} (${OUTCOME_WORDS[t.outcome]}${finalist.has(t.trial) ? ', finalist' : ''}): DSR ${num(t.dsr)}, Sharpe ${num(t.metrics.sharpe_ratio)}${t.reason ? ` — ${t.reason}` : ''}`;
  const thresholdLine = (v: number, testId: string, text: string, dash: string) => (
    <g data-testid={testId} data-value={v}>
      <line x1={PAD.left} x2={W - PAD.right} y1={yDsr(v)} y2={yDsr(v)} stroke={COLORS.drawdown} strokeWidth={1.5} strokeDasharray={dash} />
      <text x={W - PAD.right - 2} y={yDsr(v) - 4} className="marker-label threshold-label" textAnchor="end">
        {text}
      </text>
    </g>
  );
  return (
    <figure className="trials-chart" data-testid="trials-chart" data-trials={trials.length}>
      <div ref={ref} className="trials-chart-box">
        <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
          {/* DSR pane */}
          <text x={PAD.left} y={dsrTop - 7} className="pane-title">
            Deflated Sharpe Ratio (DSR)
          </text>
          {[0, 0.25, 0.5, 0.75, 1].map((v) => (
            <g key={v}>
              <line x1={PAD.left} x2={W - PAD.right} y1={yDsr(v)} y2={yDsr(v)} className="grid" />
              <text x={PAD.left - 6} y={yDsr(v) + 3} className="tick" textAnchor="end">
                {v.toFixed(2)}
              </text>
            </g>
          ))}
          {thresholdLine(dsrThreshold, 'dsr-threshold-line', `threshold ${num(dsrThreshold)}`, '6 4')}
          {targetDsr !== null && targetDsr !== dsrThreshold ? thresholdLine(targetDsr, 'dsr-target-line', `stop at ${num(targetDsr)}`, '2 3') : null}
          {trials.map((t) =>
            t.dsr === null ? null : (
              <g key={t.trial} data-testid="dsr-point" data-trial={t.trial} data-outcome={t.outcome}>
                <title>{tip(t)}</title>
                {finalist.has(t.trial) ? <circle cx={x(t.trial)} cy={yDsr(t.dsr)} r={8} fill="none" stroke={FINALIST_RING} strokeWidth={1.5} /> : null}
                <Mark x={x(t.trial)} y={yDsr(t.dsr)} outcome={t.outcome} />
              </g>
            ),
          )}

          {/* Sharpe pane */}
          <text x={PAD.left} y={sharpeTop - 7} className="pane-title">
            Sharpe ratio (walk-forward, annualised)
          </text>
          {ticks(sLo - sPad, sHi + sPad, 4).map((v) => (
            <g key={v}>
              <line x1={PAD.left} x2={W - PAD.right} y1={ySharpe(v)} y2={ySharpe(v)} className={v === 0 ? 'axis-zero' : 'grid'} />
              <text x={PAD.left - 6} y={ySharpe(v) + 3} className="tick" textAnchor="end">
                {tickText(v)}
              </text>
            </g>
          ))}
          {trials.map((t) =>
            t.metrics.sharpe_ratio === null ? null : (
              <g key={t.trial} data-testid="sharpe-point" data-trial={t.trial} data-outcome={t.outcome}>
                <title>{tip(t)}</title>
                {finalist.has(t.trial) ? (
                  <circle cx={x(t.trial)} cy={ySharpe(t.metrics.sharpe_ratio)} r={8} fill="none" stroke={FINALIST_RING} strokeWidth={1.5} />
                ) : null}
                <Mark x={x(t.trial)} y={ySharpe(t.metrics.sharpe_ratio)} outcome={t.outcome} />
              </g>
            ),
          )}

          {/* trials with neither number: a failed design, training or backtest, or a cancelled cycle */}
          <text x={PAD.left - 6} y={stripY + 3} className="tick" textAnchor="end">
            none
          </text>
          <line x1={PAD.left} x2={W - PAD.right} y1={stripY} y2={stripY} className="grid" />
          {noResult.map((t) => (
            <g key={t.trial} data-testid="no-result-point" data-trial={t.trial} data-outcome={t.outcome}>
              <title>{tip(t)}</title>
              <Mark x={x(t.trial)} y={stripY} outcome={t.outcome} />
            </g>
          ))}

          <text x={PAD.left - 6} y={axisY + 8} className="tick" textAnchor="end">
            trial
          </text>
          {xTicks.map((v) => (
            <text key={v} x={x(v)} y={axisY + 8} className="tick" textAnchor="middle">
              {v}
            </text>
          ))}
        </svg>
      </div>
      <figcaption className="legend small" data-testid="trials-legend">
        <span className="key" style={{ color: OUTCOME_COLORS.passed }}>
          ● passed every gate
        </span>
        <span className="key" style={{ color: OUTCOME_COLORS.gate_failed }}>
          ○ stopped by a gate
        </span>
        <span className="key" style={{ color: OUTCOME_COLORS.failed }}>
          ✕ failed
        </span>
        <span className="key" style={{ color: OUTCOME_COLORS.cancelled }}>
          ✕ cancelled
        </span>
        <span className="key" style={{ color: FINALIST_RING }}>
          ◯ finalist
        </span>
        <span className="key" style={{ color: COLORS.drawdown }}>
          ┅ DSR a finding needs ({num(dsrThreshold)})
        </span>
      </figcaption>
    </figure>
  );
}

const W = 360;

/** The PBO on 0–1 with the threshold: at or under it the selection is unlikely to be overfitted. */
export function PboGauge({ pbo, threshold }: { pbo: number; threshold: number }) {
  const h = 54;
  const x = scale(0, 1, 12, W - 12);
  const ok = pbo <= threshold;
  return (
    <figure className="mini-chart" data-testid="pbo-gauge">
      <svg viewBox={`0 0 ${W} ${h}`} role="img" aria-label={`PBO ${num(pbo)} against the threshold ${num(threshold)}`}>
        <rect x={x(0)} y={14} width={x(threshold) - x(0)} height={12} fill="rgba(21, 128, 61, 0.18)" />
        <rect x={x(threshold)} y={14} width={x(1) - x(threshold)} height={12} fill="rgba(185, 28, 28, 0.12)" />
        <line x1={x(threshold)} x2={x(threshold)} y1={8} y2={32} className="marker-line" />
        <text x={x(threshold)} y={6} className="marker-label" textAnchor={threshold > 0.8 ? 'end' : 'middle'}>
          threshold {num(threshold)}
        </text>
        <line x1={x(pbo)} x2={x(pbo)} y1={11} y2={29} stroke={ok ? COLORS.long : COLORS.drawdown} strokeWidth={4} data-testid="pbo-marker" />
        {[0, 0.25, 0.5, 0.75, 1].map((v) => (
          <text key={v} x={x(v)} y={46} className="tick" textAnchor={v === 0 ? 'start' : v === 1 ? 'end' : 'middle'}>
            {v.toFixed(2)}
          </text>
        ))}
      </svg>
    </figure>
  );
}

/** Each finalist's Sharpe ratio in the search (walk-forward) and on the holdout, joined by a line. */
export function HoldoutChart({ rows }: { rows: { trial: number; search: number | null; holdout: HoldoutResult | null }[] }) {
  const drawn = rows.filter((r) => r.search !== null || r.holdout?.sharpe_ratio != null);
  if (drawn.length === 0) return null;
  const rowH = 26;
  const top = 10;
  const h = top + drawn.length * rowH + 22;
  const values = drawn.flatMap((r) => [r.search, r.holdout?.sharpe_ratio ?? null]).filter((v): v is number => v !== null);
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const pad = (hi - lo) * 0.1 || 0.5;
  const x = scale(lo - pad, hi + pad, 62, W - 12);
  const axis = top + drawn.length * rowH;
  return (
    <figure className="mini-chart" data-testid="holdout-chart">
      <figcaption className="chart-title">Sharpe ratio: in the search and on the holdout</figcaption>
      <svg viewBox={`0 0 ${W} ${h}`} role="img" aria-label="Each finalist's Sharpe ratio in the walk-forward search and on the sealed holdout">
        {ticks(lo - pad, hi + pad, 5).map((v) => (
          <g key={v}>
            <line x1={x(v)} x2={x(v)} y1={top - 4} y2={axis} className={v === 0 ? 'axis-zero' : 'grid'} />
            <text x={x(v)} y={axis + 14} className="tick" textAnchor="middle">
              {tickText(v)}
            </text>
          </g>
        ))}
        {drawn.map((r, i) => {
          const y = top + i * rowH + rowH / 2;
          const s = r.search;
          const o = r.holdout?.sharpe_ratio ?? null;
          return (
            <g key={r.trial} data-testid="holdout-pair" data-trial={r.trial}>
              <text x={56} y={y + 3} className="tick" textAnchor="end">
                trial {r.trial}
              </text>
              {s !== null && o !== null ? <line x1={x(s)} x2={x(o)} y1={y} y2={y} stroke="#94a3b8" strokeWidth={2} /> : null}
              {s !== null ? <circle cx={x(s)} cy={y} r={5} fill={COLORS.strategy} /> : null}
              {o !== null ? <rect x={x(o) - 5} y={y - 5} width={10} height={10} fill={COLORS.fold} /> : null}
            </g>
          );
        })}
      </svg>
      <p className="legend small">
        <span className="key" style={{ color: COLORS.strategy }}>
          ● walk-forward (the search)
        </span>
        <span className="key" style={{ color: COLORS.fold }}>
          ■ holdout (one look)
        </span>
      </p>
    </figure>
  );
}
