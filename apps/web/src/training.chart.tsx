import { ColorType, createOptionsChart, LineSeries } from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import type { HistoryArtifact } from './api.types';
import { fitWholeWindow } from './equity.chart';

const TRAIN = '#1d4ed8';
const VALIDATION = '#d97706';

/** One training curve (train vs validation, per epoch) on a numeric horizontal axis. */
function CurveChart({
  title,
  epochs,
  train,
  validation,
  percent,
}: {
  title: string;
  epochs: number[];
  train: number[];
  validation: number[];
  percent: boolean;
}) {
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
    // The caption names each line with its last value; tags on the axis would cover its labels.
    const quiet = { lastValueVisible: false, priceLineVisible: false };
    chart.addSeries(LineSeries, { color: TRAIN, lineWidth: 2, priceFormat: fmt, ...quiet }).setData(pts(train));
    chart.addSeries(LineSeries, { color: VALIDATION, lineWidth: 2, priceFormat: fmt, ...quiet }).setData(pts(validation));
    const stopFitting = fitWholeWindow(chart, el);
    return () => {
      stopFitting();
      chart.remove();
    };
  }, [epochs, train, validation, percent]);
  const last = (ys: number[]): string => {
    const v = ys[ys.length - 1];
    return v === undefined || !Number.isFinite(v) ? '' : percent ? ` ${(v * 100).toFixed(1)}%` : ` ${v.toFixed(3)}`;
  };
  return (
    <figure className="chart-figure">
      <figcaption className="chart-title">
        {title} <span style={{ color: TRAIN }}>━ train{last(train)}</span> <span style={{ color: VALIDATION }}>━ validation{last(validation)}</span>
      </figcaption>
      <div
        ref={ref}
        className="chart chart-small"
        role="img"
        aria-label={`${title} per epoch, train and validation`}
        data-testid={`training-${title.toLowerCase()}`}
      />
    </figure>
  );
}

/**
 * How the training ended, in words: how many epochs ran and, when early stopping ended it, after
 * how many epochs without a better validation loss (training stops when that count reaches the
 * patience, so it is the patience), and which epoch's weights were kept.
 */
export function trainingEndText(history: Pick<HistoryArtifact, 'epochs' | 'best_epoch' | 'stopped_early' | 'val_loss'>, plannedEpochs: number | null): string {
  const run = history.epochs.length;
  const best = history.best_epoch ?? null;
  const kept = best ? `; the weights of epoch ${best} were kept` : '';
  if (history.stopped_early) {
    const lastLoss = history.val_loss[history.val_loss.length - 1];
    const why =
      lastLoss === undefined || lastLoss === null || !Number.isFinite(lastLoss)
        ? 'validation loss diverged'
        : best
          ? `validation loss did not improve for ${run - best} ${run - best === 1 ? 'epoch' : 'epochs'}`
          : 'validation loss stopped improving';
    return `Stopped early at epoch ${run}${plannedEpochs ? ` of ${plannedEpochs}` : ''}: ${why}${kept}.`;
  }
  return `Ran ${plannedEpochs && plannedEpochs === run ? `all ${run}` : run} epochs${kept}.`;
}

const pct1 = (v: number): string => `${(v * 100).toFixed(1)}%`;

/**
 * The model's skill beside predictions that use no feature, on the test part; null for a history
 * from before these numbers existed. The accuracy to beat is always predicting the test part's most
 * frequent class: a model at or below it has learned nothing the class shares did not already say.
 */
export function skillText(
  h: Partial<Pick<HistoryArtifact, 'test_accuracy' | 'majority_baseline' | 'balanced_accuracy' | 'stratified_baseline' | 'log_loss' | 'prior_log_loss'>>,
): string | null {
  if (typeof h.test_accuracy !== 'number' || typeof h.majority_baseline !== 'number') return null;
  const edge = h.test_accuracy - h.majority_baseline;
  const verdict = edge > 0 ? `${(edge * 100).toFixed(1)} points better than` : 'no better than';
  let text = `Test accuracy ${pct1(h.test_accuracy)}: ${verdict} always predicting the most frequent class (${pct1(h.majority_baseline)}).`;
  if (typeof h.balanced_accuracy === 'number' && typeof h.stratified_baseline === 'number') {
    text += ` Balanced accuracy ${pct1(h.balanced_accuracy)}; guessing by the class shares would score ${pct1(h.stratified_baseline)}.`;
  }
  if (typeof h.log_loss === 'number' && typeof h.prior_log_loss === 'number') {
    text += ` Log-loss ${h.log_loss.toFixed(3)} against ${h.prior_log_loss.toFixed(3)} for the class shares alone.`;
  }
  return text;
}

/**
 * `pooledFolds`: a walk-forward result's fold count. Its skill numbers are every fold's test
 * predictions pooled, which the skill line then says (each fold's own is in the walk-forward table).
 */
export function TrainingCharts({
  history,
  plannedEpochs = null,
  pooledFolds = null,
}: {
  history: HistoryArtifact;
  plannedEpochs?: number | null;
  pooledFolds?: number | null;
}) {
  const skill = skillText(history);
  return (
    <>
      <p className="small" data-testid="training-end">
        {trainingEndText(history, plannedEpochs)}
      </p>
      {skill && (
        <p className="small" data-testid="training-skill">
          {skill}
          {pooledFolds ? ` Pooled over the ${pooledFolds} test folds; each fold's own is in the walk-forward table below.` : ''}
        </p>
      )}
      <div className="chart-pair">
        <CurveChart title="Loss" epochs={history.epochs} train={history.loss} validation={history.val_loss} percent={false} />
        <CurveChart title="Accuracy" epochs={history.epochs} train={history.accuracy} validation={history.val_accuracy} percent />
      </div>
    </>
  );
}
