import { evaluationPlan, type PhaseContext } from '@ktrdr/agent-domain';
import { buildFoldDataset, type FoldWindow, type TrainingDataset } from '@ktrdr/features';
import type { OperationInfo } from '@ktrdr/operations';
import { predictProbabilities, saveModel, skillSums, trainClassifier, type ClassifierData } from '@ktrdr/training';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { trainingFoldParamsSchema, trainingFoldResultSchema, type TrainingFoldResult } from './fold.schema.js';
import { loadWalkForwardBars, type ResearchDeps } from './research.inputs.js';
import type { ModelExtra } from './training.executor.js';

/** Share of a fold's progress bar spent before the first epoch (bars, features, labels). */
const PREPARE_PCT = 5;

/** ISO [from, to) pairs → fold windows (1-based). */
function foldWindowsOf(windows: readonly (readonly [string, string])[]): FoldWindow[] {
  return windows.map(([from, to], i) => ({ fold: i + 1, from: Date.parse(from), to: Date.parse(to) }));
}

/**
 * One training fold: the fold's train / validation / test rows (buildFoldDataset), then one model
 * per seed, each saved under `<model_dir>/seed-<seed>/`. The first seed's test predictions are
 * summed for the phase's pooled skill; every seed's test accuracy is kept. Reports
 * `Seed i/S, epoch j/N`.
 */
export async function trainFold(
  deps: ResearchDeps,
  op: OperationInfo,
  ctx: PhaseContext,
): Promise<{ result: TrainingFoldResult; discard: () => Promise<void> }> {
  const { signal } = ctx;
  const params = trainingFoldParamsSchema.parse(op.metadata.parameters);
  const discard = (): Promise<void> => rm(params.model_dir, { recursive: true, force: true });
  const config = await deps.strategies.read(params.strategy_name);
  const plan = evaluationPlan(config);
  const epochs = config.model.training.epochs;
  const total = params.seeds.length * epochs;
  ctx.reportProgress({ percentage: 1, current_step: 'Loading market data', steps_completed: 0, steps_total: total });
  const bars = await loadWalkForwardBars(deps.marketData, config, signal);
  ctx.reportProgress({ percentage: 3, current_step: 'Computing features and labels', steps_completed: 0, steps_total: total });
  const split = config.training.data_split;
  const ds = await buildFoldDataset(
    config,
    bars,
    {
      windows: foldWindowsOf(params.windows),
      index: params.fold - 1,
      scheme: plan.scheme,
      purge: plan.purge,
      embargo: plan.embargo,
      validationShare: split.validation / (split.train + split.validation),
      rowsFrom: Date.parse(config.training_data.date_range.start),
    },
    signal,
  );
  const data = classifierData(ds);
  const testX = data.x.subarray(data.split.test[0] * data.cols, data.split.test[1] * data.cols);
  const testY = data.y.subarray(data.split.test[0], data.split.test[1]);

  const seeds: TrainingFoldResult['seeds'] = [];
  let first: Omit<TrainingFoldResult, 'fold' | 'train' | 'validation' | 'test' | 'seeds' | 'features'> | null = null;
  try {
    for (const [s, seed] of params.seeds.entries()) {
      const trained = await trainClassifier(
        data,
        { ...config.model, training: { ...config.model.training, seed } },
        {
          signal,
          classWeighting: config.model.training.class_weighting,
          onEpoch: (epoch, n) => {
            const done = s * epochs + epoch;
            ctx.reportProgress({
              percentage: PREPARE_PCT + ((100 - PREPARE_PCT) * done) / (params.seeds.length * n),
              current_step: `seed ${s + 1}/${params.seeds.length}, epoch ${epoch}/${n}`,
              steps_completed: done,
              steps_total: total,
            });
          },
        },
      );
      const dir = join(params.model_dir, `seed-${seed}`);
      try {
        if (!first) {
          const m = trained.metrics;
          const shares = [m.class_balance.BUY, m.class_balance.HOLD, m.class_balance.SELL];
          const probabilities = await predictProbabilities(trained.model, testX, testY.length, data.cols, signal);
          first = {
            sums: skillSums(probabilities, testY, shares),
            initial_loss: m.initial_loss,
            final_loss: m.final_loss,
            val_accuracy: m.val_accuracy,
            test_loss: m.test_loss,
            epochs_run: m.epochs_run,
            epochs_planned: m.epochs_planned,
            best_epoch: m.best_epoch,
            stopped_early: m.stopped_early,
            history: m.history,
            class_balance: m.class_balance,
            class_weights: m.class_weights,
            feature_count: m.feature_count,
            backend: m.backend,
          };
        }
        const extra: ModelExtra = { strategy_name: config.name, training_operation_id: op.operation_id, feature_names: ds.names, scaler: ds.scaler };
        // Atomic (temp dir, then rename) and refused once the signal has fired: a cancelled fold leaves no model.
        await saveModel(trained.model, dir, extra, { signal });
      } finally {
        trained.model.dispose();
      }
      seeds.push({ seed, accuracy: trained.metrics.accuracy, model_dir: dir });
    }
  } catch (e) {
    await discard();
    throw e;
  }
  const spanOf = (p: TrainingDataset['train']) => ({
    rows: p.rows,
    from: p.rows ? new Date(p.time[0]!).toISOString() : null,
    to: p.rows ? new Date(p.time[p.rows - 1]!).toISOString() : null,
    class_counts: { BUY: p.classCounts[0], HOLD: p.classCounts[1], SELL: p.classCounts[2] },
  });
  const result = trainingFoldResultSchema.parse({
    ...first,
    fold: params.fold,
    train: spanOf(ds.train),
    validation: spanOf(ds.validation),
    test: spanOf(ds.test),
    seeds,
    features: ds.names,
  });
  return { result, discard };
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
