import {
  AreaSeries,
  ColorType,
  createChart,
  createSeriesMarkers,
  LineSeries,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import type { EquityArtifact } from './api.types';

export const COLORS = { strategy: '#1d4ed8', benchmark: '#d97706', drawdown: '#dc2626', long: '#15803d', short: '#b91c1c', exit: '#475569' };

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

/**
 * The backtest equity curve against buy-and-hold, trades marked (▲ long entry, ▼ short entry,
 * ● exit), and the drawdown from the running peak in a pane below, with lightweight-charts.
 */
export function EquityChart({ data }: { data: EquityArtifact }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || data.t.length === 0) return;
    const chart = createChart(el, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: '#ffffff' }, textColor: '#334155', fontSize: 11, attributionLogo: false },
      grid: { vertLines: { color: '#eef2f7' }, horzLines: { color: '#eef2f7' } },
      rightPriceScale: { borderVisible: false },
      timeScale: { borderVisible: false },
      handleScroll: { mouseWheel: false, pressedMouseMove: true },
      handleScale: { mouseWheel: false },
    });
    const times = data.t.map(seconds);
    const money = { type: 'price' as const, precision: 0, minMove: 1 };
    const equity = chart.addSeries(LineSeries, { color: COLORS.strategy, lineWidth: 2, title: 'Strategy', priceFormat: money });
    const bench = chart.addSeries(LineSeries, { color: COLORS.benchmark, lineWidth: 2, title: 'Buy & hold', priceFormat: money });
    equity.setData(times.map((time, i) => ({ time, value: data.equity[i]! })));
    bench.setData(times.map((time, i) => ({ time, value: data.benchmark[i]! })));
    const dd = chart.addSeries(
      AreaSeries,
      {
        lineColor: COLORS.drawdown,
        topColor: 'rgba(220, 38, 38, 0.05)',
        bottomColor: 'rgba(220, 38, 38, 0.35)',
        lineWidth: 1,
        title: 'Drawdown',
        priceFormat: { type: 'percent', precision: 1 },
        invertFilledArea: true,
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
        markers.push({ time: snap(times, seconds(tr.exit_time)), position: 'inBar', shape: 'circle', color: tr.pnl >= 0 ? COLORS.long : COLORS.exit, size: 0.6 });
      }
    }
    markers.sort((a, b) => (a.time as number) - (b.time as number));
    createSeriesMarkers(equity, markers);
    chart.timeScale().fitContent();
    el.dataset['drawn'] = 'true';
    return () => {
      delete el.dataset['drawn'];
      chart.remove();
    };
  }, [data]);

  return (
    <figure className="chart-figure">
      <div className="legend" aria-hidden="true">
        <span className="key" style={{ color: COLORS.strategy }}>━ Strategy</span>
        <span className="key" style={{ color: COLORS.benchmark }}>━ Buy &amp; hold</span>
        <span className="key" style={{ color: COLORS.drawdown }}>▆ Drawdown</span>
        <span className="key" style={{ color: COLORS.long }}>▲ long</span>
        <span className="key" style={{ color: COLORS.short }}>▼ short</span>
        <span className="key" style={{ color: COLORS.exit }}>● exit</span>
      </div>
      <div
        ref={ref}
        className="chart chart-equity"
        data-testid="equity-chart"
        data-series="strategy,buy-and-hold,drawdown"
        role="img"
        aria-label={`Equity of the strategy against buy-and-hold over ${data.t.length} points, with ${data.trades.length} trades marked and the drawdown below`}
      />
      <figcaption className="muted small">
        {data.trades.length} trades marked{data.trades_omitted ? ` (${data.trades_omitted} smallest left out)` : ''}. Drag to pan; the lower pane is the drawdown from the running peak.
      </figcaption>
    </figure>
  );
}
