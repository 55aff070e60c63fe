import { baseTimeframe, type PhaseContext, type PhaseExecutor, type PhaseInput, type PhaseOutput, type StrategyConfig } from '@ktrdr/agent-domain';
import type { HistoryArtifact } from '@ktrdr/api-contract';
import { buildTrainingDataset, type StandardScaler, type TrainingDataset } from '@ktrdr/features';
import { saveModel, toTrainingResult, trainClassifier, type ClassifierData } from '@ktrdr/training';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cycleString, loadTrainingBars, type ResearchDeps } from './research.inputs.js';

/** What is saved beside the weights, so the backtest rebuilds exactly the training features. */
export interface ModelExtra extends Record<string, unknown> {
  strategy_name: string;
  training_operation_id: string;
  feature_names: string[];
  scaler: StandardScaler;
}

/** Share of the child's progress bar spent before the first epoch (loading bars, features, labels). */
const PREPARE_PCT = 10;

/**
 * The training phase: the strategy's indicators → fuzzy memberships → an MLP classifier
 * of ZigZag labels on a purged chronological split, seeded; weights saved under
 * `KTRDR_MODELS_DIR/<strategy>/<operation id>/`. Reports `Epoch i/N`.
 */
export class TrainingExecutor implements PhaseExecutor<'training'> {
  readonly phase = 'training' as const;

  constructor(private readonly deps: ResearchDeps) {}

  async execute(input: PhaseInput, ctx: PhaseContext): Promise<PhaseOutput<'training'>> {
    const { signal } = ctx;
    const name = cycleString(input.cycle, 'strategy_name', 'training');
    const config = await this.deps.strategies.read(name);
    ctx.reportProgress({ percentage: 1, current_step: 'Loading market data', steps_completed: 0, steps_total: config.model.training.epochs });
    const bars = await loadTrainingBars(this.deps.marketData, config, signal);
    ctx.reportProgress({ percentage: 4, current_step: 'Computing features and labels', steps_completed: 0, steps_total: config.model.training.epochs });
    const dataset = await buildTrainingDataset(config, bars, signal);

    const trained = await trainClassifier(classifierData(dataset), config.model, {
      signal,
      classWeighting: config.model.training.class_weighting,
      onEpoch: (epoch, total) =>
        ctx.reportProgress({
          percentage: PREPARE_PCT + ((100 - PREPARE_PCT) * epoch) / total,
          current_step: `Epoch ${epoch}/${total}`,
          steps_completed: epoch,
          steps_total: total,
        }),
    });
    const dir = join(this.deps.modelsDir, name, input.operation_id);
    try {
      const extra: ModelExtra = { strategy_name: name, training_operation_id: input.operation_id, feature_names: dataset.names, scaler: dataset.scaler };
      // Atomic (temp dir, then rename) and refused once the signal has fired: a cancelled child leaves no model.
      await saveModel(trained.model, dir, extra, { signal });
    } finally {
      trained.model.dispose();
    }
    const { metrics } = trained;
    return {
      result: toTrainingResult(metrics, { model_path: dir, symbols: config.training_data.symbols, timeframe: baseTimeframe(config) }),
      artifacts: { history: historyArtifact(config, dataset, metrics) },
      discard: () => rm(dir, { recursive: true, force: true }),
    };
  }
}

/** The three parts stacked train → validation → test, with the row range of each. */
function classifierData(ds: TrainingDataset): ClassifierData {
  const parts = [ds.train, ds.validation, ds.test];
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  const x = new Float32Array(rows * ds.cols);
  const y = new Uint8Array(rows);
  const ranges: [number, number][] = [];
  let at = 0;
  for (const p of parts) {
    x.set(p.X, at * ds.cols);
    y.set(p.y, at);
    ranges.push([at, at + p.rows]);
    at += p.rows;
  }
  return { x, y, rows, cols: ds.cols, split: { train: ranges[0]!, validation: ranges[1]!, test: ranges[2]! } };
}

/** The `history` artifact: per-epoch curves and what the model was trained on. */
function historyArtifact(config: StrategyConfig, ds: TrainingDataset, metrics: Awaited<ReturnType<typeof trainClassifier>>['metrics']): HistoryArtifact {
  const iso = (t: number | undefined): string | null => (t === undefined ? null : new Date(t).toISOString());
  const span = (p: TrainingDataset['train']) => ({
    rows: p.rows,
    from: iso(p.time[0]),
    to: iso(p.time[p.rows - 1]),
    class_counts: { BUY: p.classCounts[0], HOLD: p.classCounts[1], SELL: p.classCounts[2] },
  });
  return {
    epochs: metrics.history.loss.map((_, i) => i + 1),
    loss: metrics.history.loss,
    val_loss: metrics.history.val_loss,
    accuracy: metrics.history.acc,
    val_accuracy: metrics.history.val_acc,
    best_epoch: metrics.best_epoch,
    stopped_early: metrics.stopped_early,
    test_accuracy: metrics.accuracy,
    baseline_accuracy: metrics.baseline_accuracy,
    majority_baseline: metrics.majority_baseline,
    stratified_baseline: metrics.stratified_baseline,
    balanced_accuracy: metrics.balanced_accuracy,
    log_loss: metrics.log_loss,
    prior_log_loss: metrics.prior_log_loss,
    class_balance: metrics.class_balance,
    class_weights: metrics.class_weights,
    backend: metrics.backend,
    features: ds.names,
    split: { train: span(ds.train), validation: span(ds.validation), test: span(ds.test) },
    labels: config.training.labels,
  };
}
