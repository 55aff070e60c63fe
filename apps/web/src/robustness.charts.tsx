import type { BacktestMetrics } from './api.types';
import { COLORS } from './equity.chart';
import { num, signedPct } from './format.util';

/**
 * Two small hand-drawn SVG charts beside the backtest metrics: the return as the costs grow (with
 * the break-even cost multiple marked), and the Sharpe ratio's 95 % interval against 0 (with each
 * fold's own Sharpe ratio and buy-and-hold's). Plain SVG in a viewBox, so they scale with the page.
 */

const W = 360;
const H = 170;
const PAD = { left: 44, right: 14, top: 14, bottom: 30 };

/** A linear scale from [d0, d1] onto [r0, r1]. */
const scale = (d0: number, d1: number, r0: number, r1: number) => (v: number) => (d1 === d0 ? (r0 + r1) / 2 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0));

/** Round tick values covering [lo, hi], about `count` of them. */
export function ticks(lo: number, hi: number, count = 4): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/**
 * Where a break-even marker goes and what it says. The worker bisects up to 10× the costs: null means
 * still positive there, 0 that it was not positive even without costs.
 */
export function breakEvenLabel(breakEven: number | null): string {
  if (breakEven === null) return 'still positive at 10× the costs';
  if (breakEven === 0) return 'no gain even without costs';
  return `break-even at ${num(breakEven)}× the costs`;
}

/** Total return at 0×, 1×, 2×, 3× the costs (commission and slippage), and where it reaches 0. */
export function CostSensitivityChart({ m }: { m: BacktestMetrics }) {
  const c = m.cost_sensitivity;
  if (!c || c.runs.length === 0) return null;
  const runs = [...c.runs].sort((a, b) => a.multiple - b.multiple);
  const be = c.break_even_cost;
  const lastMultiple = runs[runs.length - 1]!.multiple;
  const xMax = Math.max(3, lastMultiple, be !== null && be > 0 ? Math.ceil(be) : 0);
  const ys = runs.map((r) => r.total_return);
  const yLo = Math.min(0, ...ys);
  const yHi = Math.max(0, ...ys);
  const padY = (yHi - yLo) * 0.18 || 0.01;
  // A quarter of a multiple either side, so the points and their labels stay clear of the axes.
  const x = scale(-0.25, xMax + 0.25, PAD.left, W - PAD.right);
  const y = scale(yLo - padY, yHi + padY, H - PAD.bottom, PAD.top);
  const path = runs.map((r, i) => `${i ? 'L' : 'M'}${x(r.multiple).toFixed(1)},${y(r.total_return).toFixed(1)}`).join(' ');
  // Beyond the last run the break-even was found by bisection: a dotted line to it, not a measured one.
  const last = runs[runs.length - 1]!;
  const beyond =
    be !== null && be > lastMultiple ? `M${x(last.multiple).toFixed(1)},${y(last.total_return).toFixed(1)} L${x(be).toFixed(1)},${y(0).toFixed(1)}` : null;
  const xTicks = Array.from({ length: xMax + 1 }, (_, i) => i);
  return (
    <figure className="mini-chart" data-testid="cost-chart">
      <figcaption className="chart-title">Return as the costs grow</figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Total return at ${runs.map((r) => `${r.multiple}× costs ${signedPct(r.total_return)}`).join(', ')}; ${breakEvenLabel(be)}`}
      >
        {ticks(yLo - padY, yHi + padY).map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} className={v === 0 ? 'axis-zero' : 'grid'} />
            <text x={PAD.left - 6} y={y(v) + 3} className="tick" textAnchor="end">
              {signedPct(v, 0)}
            </text>
          </g>
        ))}
        {xTicks.map((v) => (
          <text key={v} x={x(v)} y={H - PAD.bottom + 14} className="tick" textAnchor="middle">
            {v}×
          </text>
        ))}
        <text x={(PAD.left + W - PAD.right) / 2} y={H - 3} className="tick" textAnchor="middle">
          costs (commission and slippage) as a multiple of the strategy&apos;s
        </text>
        {beyond ? <path d={beyond} className="line-dotted" stroke={COLORS.strategy} /> : null}
        <path d={path} fill="none" stroke={COLORS.strategy} strokeWidth={2} />
        {runs.map((r) => (
          <g key={r.multiple} data-testid="cost-point" data-multiple={r.multiple}>
            <circle cx={x(r.multiple)} cy={y(r.total_return)} r={3.5} fill={r.total_return >= 0 ? COLORS.long : COLORS.short} />
            <text x={x(r.multiple)} y={y(r.total_return) - 7} className="point-label" textAnchor="middle">
              {signedPct(r.total_return)}
            </text>
          </g>
        ))}
        {be !== null && be > 0 ? (
          <g data-testid="break-even-marker">
            <line x1={x(be)} x2={x(be)} y1={PAD.top} y2={H - PAD.bottom} className="marker-line" />
            <text x={x(be) > W - 90 ? x(be) - 5 : x(be) + 5} y={PAD.top + 9} className="marker-label" textAnchor={x(be) > W - 90 ? 'end' : 'start'}>
              break-even {num(be)}×
            </text>
          </g>
        ) : null}
      </svg>
      <p className="muted small">{breakEvenLabel(be)[0]!.toUpperCase() + breakEvenLabel(be).slice(1)}.</p>
    </figure>
  );
}

/**
 * The Sharpe ratio with its 95 % bootstrap interval against 0, each fold's Sharpe ratio as a dot and
 * buy-and-hold's as a tick: an interval that holds 0, or folds on both sides of it, is weak evidence.
 */
export function SharpeIntervalChart({ m }: { m: BacktestMetrics }) {
  const ci = m.sharpe_ci95;
  if (!ci) return null;
  const folds = (m.folds ?? []).map((f) => f.sharpe_ratio);
  const bench = typeof m.benchmark_sharpe === 'number' ? m.benchmark_sharpe : null;
  const all = [0, ci[0], ci[1], m.sharpe_ratio, ...folds, ...(bench === null ? [] : [bench])];
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const pad = (hi - lo) * 0.08 || 0.5;
  const h = 92;
  const x = scale(lo - pad, hi + pad, 16, W - 16);
  const mid = 40;
  return (
    <figure className="mini-chart" data-testid="sharpe-interval">
      <figcaption className="chart-title">Sharpe ratio and its 95% interval</figcaption>
      <svg viewBox={`0 0 ${W} ${h}`} role="img" aria-label={`Sharpe ratio ${num(m.sharpe_ratio)}, 95% interval ${num(ci[0])} to ${num(ci[1])}`}>
        {ticks(lo - pad, hi + pad, 6).map((v) => (
          <g key={v}>
            <line x1={x(v)} x2={x(v)} y1={14} y2={66} className={v === 0 ? 'axis-zero' : 'grid'} />
            <text x={x(v)} y={80} className="tick" textAnchor="middle">
              {num(v, 1)}
            </text>
          </g>
        ))}
        <rect x={x(ci[0])} y={mid - 7} width={Math.max(1, x(ci[1]) - x(ci[0]))} height={14} rx={3} fill="rgba(29, 78, 216, 0.18)" stroke={COLORS.strategy} />
        {folds.map((s, i) => (
          <circle key={i} cx={x(s)} cy={mid + 17} r={3} fill={COLORS.exit} data-testid="fold-sharpe">
            <title>{`Fold ${i + 1}: Sharpe ${num(s)}`}</title>
          </circle>
        ))}
        {bench !== null ? <line x1={x(bench)} x2={x(bench)} y1={mid - 13} y2={mid + 13} stroke={COLORS.benchmark} strokeWidth={2} /> : null}
        <line x1={x(m.sharpe_ratio)} x2={x(m.sharpe_ratio)} y1={mid - 10} y2={mid + 10} stroke={COLORS.strategy} strokeWidth={3} />
      </svg>
      <p className="legend small">
        <span className="key" style={{ color: COLORS.strategy }}>
          ┃ strategy {num(m.sharpe_ratio)}, ▭ 95% interval
        </span>
        {bench !== null ? (
          <span className="key" style={{ color: COLORS.benchmark }}>
            ┃ buy &amp; hold {num(bench)}
          </span>
        ) : null}
        {folds.length ? (
          <span className="key" style={{ color: COLORS.exit }}>
            ● each fold
          </span>
        ) : null}
      </p>
    </figure>
  );
}
