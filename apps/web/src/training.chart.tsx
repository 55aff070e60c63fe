import { ColorType, createOptionsChart, LineSeries } from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import type { HistoryArtifact } from './api.types';

const TRAIN = '#1d4ed8';
const VALIDATION = '#d97706';

/** One training curve (train vs validation, per epoch) on a numeric horizontal axis. */
function CurveChart({ title, epochs, train, validation, percent }: { title: string; epochs: number[]; train: number[]; validation: number[]; percent: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || epochs.length === 0) return;
    const chart = createOptionsChart(el, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: '#ffffff' }, textColor: '#334155', fontSize: 11, attributionLogo: false },
      grid: { vertLines: { color: '#eef2f7' }, horzLines: { color: '#eef2f7' } },
      rightPriceScale: { borderVisible: false },
      timeScale: { borderVisible: false },
      handleScroll: false,
      handleScale: false,
    });
    const fmt = percent ? { type: 'percent' as const, precision: 1 } : { type: 'price' as const, precision: 3, minMove: 0.001 };
    const scale = (v: number) => (percent ? v * 100 : v);
    const pts = (ys: number[]) => epochs.map((x, i) => ({ time: x, value: scale(ys[i]!) })).filter((p) => Number.isFinite(p.value));
    chart.addSeries(LineSeries, { color: TRAIN, lineWidth: 2, title: 'train', priceFormat: fmt }).setData(pts(train));
    chart.addSeries(LineSeries, { color: VALIDATION, lineWidth: 2, title: 'validation', priceFormat: fmt }).setData(pts(validation));
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [epochs, train, validation, percent]);
  return (
    <figure className="chart-figure">
      <figcaption className="chart-title">
        {title} <span style={{ color: TRAIN }}>━ train</span> <span style={{ color: VALIDATION }}>━ validation</span>
      </figcaption>
      <div ref={ref} className="chart chart-small" role="img" aria-label={`${title} per epoch, train and validation`} data-testid={`training-${title.toLowerCase()}`} />
    </figure>
  );
}

export function TrainingCharts({ history }: { history: HistoryArtifact }) {
  return (
    <div className="chart-pair">
      <CurveChart title="Loss" epochs={history.epochs} train={history.loss} validation={history.val_loss} percent={false} />
      <CurveChart title="Accuracy" epochs={history.epochs} train={history.accuracy} validation={history.val_accuracy} percent />
    </div>
  );
}
