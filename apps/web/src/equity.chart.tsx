import {
  AreaSeries,
  ColorType,
  createChart,
  createSeriesMarkers,
  LineSeries,
  type IChartApi,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import type { EquityArtifact } from './api.types';
import { signedPct } from './format.util';

export const COLORS = { strategy: '#1d4ed8', benchmark: '#d97706', drawdown: '#dc2626', long: '#15803d', short: '#b91c1c', exit: '#475569', fold: '#7c3aed' };

/** Markers are capped: beyond this many trades the chart shows entries only, so it stays readable. */
const MAX_EXIT_MARKERS = 150;

const seconds = (iso: string): UTCTimestamp => Math.floor(Date.parse(iso) / 1000) as UTCTimestamp;

/** The kept point nearest to `t` (the artifact may be down-sampled, and markers sit on data points). */
function snap(times: UTCTimestamp[], t: UTCTimestamp): UTCTimestamp {
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  const prev = times[Math.max(0, lo - 1)]!;
  return Math.abs(prev - t) < Math.abs(times[lo]! - t) ? prev : times[lo]!;
}

/** Return over the curve: last point over first. */
function totalReturn(series: number[]): number | null {
  const first = series[0];
  const last = series[series.length - 1];
  return first !== undefined && last !== undefined && first !== 0 ? last / first - 1 : null;
}

/**
 * The strategy against buy-and-hold in one sentence. A positive return that trails buy-and-hold
 * is the common case that the colours alone do not explain (the history shows it in red).
 */
export function versusText(ret: number | null, bench: number | null): string {
  if (ret === null || bench === null) return '';
  const points = Math.abs(ret - bench) * 100;
  const gap = `${points.toFixed(1)} ${points.toFixed(1) === '1.0' ? 'point' : 'points'}`;
  if (ret >= bench) return `The strategy (${signedPct(ret)}) beat buy-and-hold (${signedPct(bench)}) by ${gap}.`;
  if (ret > 0)
    return `The strategy made money (${signedPct(ret)}) but trailed buy-and-hold (${signedPct(bench)}) by ${gap}: holding the market would have earned more.`;
  return `The strategy lost money (${signedPct(ret)}); buy-and-hold (${signedPct(bench)}) ${bench >= 0 ? 'gained' : 'lost'} over the same bars.`;
}

/**
 * Opens the chart on the whole backtest window. `autoSize` sizes the chart only once the element
 * has been laid out, and a fit at width 0 is lost, so the fit is repeated whenever the width changes.
 */
export function fitWholeWindow(chart: { timeScale(): { fitContent(): void } }, el: HTMLElement): () => void {
  let width = -1;
  let stopped = false;
  const fit = (): void => {
    if (!stopped && el.clientWidth > 0 && el.clientWidth !== width) {
      width = el.clientWidth;
      chart.timeScale().fitContent();
    }
  };
  fit();
  if (typeof ResizeObserver === 'undefined') return () => undefined;
  const observer = new ResizeObserver(() => requestAnimationFrame(fit));
  observer.observe(el);
  return () => {
    stopped = true;
    observer.disconnect();
  };
}

/**
 * Vertical lines where each walk-forward test fold starts, kept on their bars as the chart pans and
 * resizes: HTML over the canvas (its children are the markers, in fold order), positioned from the
 * time scale. A start outside the visible range is hidden. Returns the unsubscriber.
 */
export function placeFoldMarkers(chart: IChartApi, overlay: HTMLElement, times: UTCTimestamp[], starts: UTCTimestamp[]): () => void {
  const ts = chart.timeScale();
  let frame = 0;
  const place = (): void => {
    frame = 0;
    // The plot area: right of a left price scale (hidden here, width 0) and above the time axis.
    overlay.style.left = `${chart.priceScale('left').width()}px`;
    overlay.style.bottom = `${ts.height()}px`;
    const width = ts.width();
    Array.from(overlay.children).forEach((node, i) => {
      const m = node as HTMLElement;
      const start = starts[i];
      const x = start === undefined || times.length === 0 ? null : ts.timeToCoordinate(snap(times, start));
      // The first bar's centre may sit a pixel left of the plot's edge: a start there still shows.
      const shown = x !== null && x >= -2 && x <= width + 2;
      m.style.display = shown ? '' : 'none';
      if (shown) m.style.transform = `translateX(${Math.round(Math.max(0, Math.min(width - 1, x)))}px)`;
    });
  };
  const schedule = (): void => {
    if (!frame) frame = requestAnimationFrame(place);
  };
  ts.subscribeVisibleLogicalRangeChange(schedule);
  ts.subscribeSizeChange(schedule);
  schedule();
  return () => {
    if (frame) cancelAnimationFrame(frame);
    ts.unsubscribeVisibleLogicalRangeChange(schedule);
    ts.unsubscribeSizeChange(schedule);
  };
}

/**
 * The backtest equity curve against buy-and-hold, trades marked (▲ long entry, ▼ short entry,
 * ● exit), and the drawdown from the running peak in a pane below, with lightweight-charts.
 */
export function EquityChart({ data, returns }: { data: EquityArtifact; returns?: { strategy: number; benchmark: number } | null }) {
  const ref = useRef<HTMLDivElement>(null);
  const foldsRef = useRef<HTMLDivElement>(null);
  const foldStarts = data.fold_starts ?? [];
  useEffect(() => {
    const el = ref.current;
    if (!el || data.t.length === 0) return;
    const chart = createChart(el, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: '#ffffff' }, textColor: '#334155', fontSize: 11, attributionLogo: false },
      grid: { vertLines: { color: '#eef2f7' }, horzLines: { color: '#eef2f7' } },
      rightPriceScale: { borderVisible: false },
      // A year of hourly bars is thousands of points: the default minimum spacing (0.5 px a bar)
      // would let only the last ~2500 of them fit, so the chart would open on its tail.
      timeScale: { borderVisible: false, minBarSpacing: 0.001 },
      handleScroll: { mouseWheel: false, pressedMouseMove: true },
      handleScale: { mouseWheel: false },
    });
    const times = data.t.map(seconds);
    const money = { type: 'price' as const, precision: 0, minMove: 1 };
    // No last-value tags or price lines: they sit on the axis over its labels, and the legend
    // above the chart names each line with its final value instead.
    const quiet = { lastValueVisible: false, priceLineVisible: false };
    const equity = chart.addSeries(LineSeries, { color: COLORS.strategy, lineWidth: 2, priceFormat: money, ...quiet });
    const bench = chart.addSeries(LineSeries, { color: COLORS.benchmark, lineWidth: 2, priceFormat: money, ...quiet });
    equity.setData(times.map((time, i) => ({ time, value: data.equity[i]! })));
    bench.setData(times.map((time, i) => ({ time, value: data.benchmark[i]! })));
    const dd = chart.addSeries(
      AreaSeries,
      {
        lineColor: COLORS.drawdown,
        topColor: 'rgba(220, 38, 38, 0.05)',
        bottomColor: 'rgba(220, 38, 38, 0.35)',
        lineWidth: 1,
        priceFormat: { type: 'percent', precision: 1 },
        invertFilledArea: true,
        ...quiet,
      },
      1,
    );
    dd.setData(times.map((time, i) => ({ time, value: -(data.drawdown[i] ?? 0) * 100 })));
    chart.panes()[1]?.setHeight(90);

    const markers: SeriesMarker<Time>[] = [];
    const withExits = data.trades.length <= MAX_EXIT_MARKERS;
    for (const tr of data.trades) {
      const long = tr.side === 'long';
      markers.push({
        time: snap(times, seconds(tr.entry_time)),
        position: long ? 'belowBar' : 'aboveBar',
        shape: long ? 'arrowUp' : 'arrowDown',
        color: long ? COLORS.long : COLORS.short,
      });
      if (withExits && !tr.open_at_end) {
        markers.push({
          time: snap(times, seconds(tr.exit_time)),
          position: 'inBar',
          shape: 'circle',
          color: tr.pnl >= 0 ? COLORS.long : COLORS.exit,
          size: 0.6,
        });
      }
    }
    markers.sort((a, b) => (a.time as number) - (b.time as number));
    createSeriesMarkers(equity, markers);
    const stopFolds = foldsRef.current ? placeFoldMarkers(chart, foldsRef.current, times, (data.fold_starts ?? []).map(seconds)) : () => undefined;
    const stopFitting = fitWholeWindow(chart, el);
    el.dataset['drawn'] = 'true';
    return () => {
      delete el.dataset['drawn'];
      stopFitting();
      stopFolds();
      chart.remove();
    };
  }, [data]);

  // The backtest's own numbers when known, so the legend reads as the metrics table does (the
  // curve may be down-sampled, and a portfolio's buy-and-hold line is its sleeves' sum).
  const chart = (
    <div
      ref={ref}
      className="chart chart-equity"
      data-testid="equity-chart"
      data-series="strategy,buy-and-hold,drawdown"
      role="img"
      aria-label={`Equity of the strategy against buy-and-hold over ${data.t.length} points, with ${data.trades.length} trades marked and the drawdown below${foldStarts.length ? `; the starts of ${foldStarts.length} walk-forward test folds marked` : ''}`}
    />
  );
  const ret = returns?.strategy ?? totalReturn(data.equity);
  const benchRet = returns?.benchmark ?? totalReturn(data.benchmark);
  return (
    <figure className="chart-figure">
      <div className="legend" data-testid="equity-legend">
        <span className="key" style={{ color: COLORS.strategy }} data-testid="legend-strategy">
          ━ Strategy {signedPct(ret)}
        </span>
        <span className="key" style={{ color: COLORS.benchmark }} data-testid="legend-benchmark">
          ━ Buy &amp; hold {signedPct(benchRet)}
        </span>
        <span className="key" style={{ color: COLORS.drawdown }}>
          ▆ Drawdown (lower pane: fall from the running peak)
        </span>
        <span className="key" style={{ color: COLORS.long }}>
          ▲ long entry
        </span>
        <span className="key" style={{ color: COLORS.short }}>
          ▼ short entry
        </span>
        <span className="key" style={{ color: COLORS.exit }}>
          ● exit
        </span>
        {foldStarts.length > 0 ? (
          <span className="key" style={{ color: COLORS.fold }}>
            ┊ start of a test fold
          </span>
        ) : null}
      </div>
      <p className="small verdict-line" data-testid="equity-versus">
        {versusText(ret, benchRet)}
      </p>
      {foldStarts.length > 0 ? (
        <div className="chart-stack">
          {chart}
          <div ref={foldsRef} className="fold-markers" aria-hidden="true" data-testid="fold-markers">
            {foldStarts.map((t, i) => (
              <div key={t} className="fold-marker" data-testid="fold-marker" data-fold={i + 1} title={`Fold ${i + 1} starts ${t.slice(0, 10)}`}>
                <span className="fold-label">Fold {i + 1}</span>
              </div>
            ))}
          </div>
        </div>
      ) : (
        chart
      )}
      <figcaption className="muted small">
        {data.trades.length} trades marked{data.trades_omitted ? ` (${data.trades_omitted} smallest left out)` : ''}. Drag to pan; the lower pane is the
        drawdown from the running peak.
        {foldStarts.length > 0
          ? ` Walk-forward: the curve stitches ${foldStarts.length} test folds, each traded by models trained only on bars before it; the dashed lines mark where each fold starts.`
          : ''}
      </figcaption>
    </figure>
  );
}
