import { evaluationPlan, type PhaseContext } from '@ktrdr/agent-domain';
import { buildFoldDatasetFrom, labelFeatures, type FoldWindow, type LabelledFeatures, type TrainingDataset } from '@ktrdr/features';
import type { OperationInfo } from '@ktrdr/operations';
import { predictProbabilities, skillSums, trainClassifier, stackSplit } from '@ktrdr/training';
import { trainingFoldParamsSchema, trainingFoldResultSchema, type TrainingFoldResult } from './fold.schema.js';
import { loadWalkForwardBars, type ResearchDeps } from './research.inputs.js';
import type { ModelExtra } from './training.executor.js';

/** Least time between two progress reports of a fold job. */
const PROGRESS_EVERY_MS = 100;

/** Share of a fold's progress bar spent before the first epoch (bars, features, labels). */
const PREPARE_PCT = 5;

/**
 * The features and labels of the last evaluations this process worked on, by training phase child:
 * every fold and seed of one evaluation reads the same bars, so they are computed once per process,
 * not once per job (they are a large share of a short job). Two entries: a cycle's and the next's.
 */
const FEATURES = new Map<string, Promise<LabelledFeatures>>();
const FEATURES_KEPT = 2;

async function sharedFeatures(key: string, signal: AbortSignal, compute: () => Promise<LabelledFeatures>): Promise<LabelledFeatures> {
  let entry = FEATURES.get(key);
  if (!entry) {
    entry = compute();
    FEATURES.set(key, entry);
    while (FEATURES.size > FEATURES_KEPT) FEATURES.delete(FEATURES.keys().next().value!);
  }
  try {
    return await entry;
  } catch (e) {
    // Computed under another job's signal that fired (or failed): not kept; this job computes its own.
    if (FEATURES.get(key) === entry) FEATURES.delete(key);
    if (signal.aborted) throw e;
    return compute();
  }
}

/** ISO [from, to) pairs → fold windows (1-based). */
function foldWindowsOf(windows: readonly (readonly [string, string])[]): FoldWindow[] {
  return windows.map(([from, to], i) => ({ fold: i + 1, from: Date.parse(from), to: Date.parse(to) }));
}

/**
 * One training fold job: the fold's train / validation / test rows (buildFoldDatasetFrom, on the
 * evaluation's features computed once per process), then one model per seed it was given (the
 * training phase gives each job one), each stored as a blob held for the training phase child. Its test
 * predictions are summed for the phase's pooled skill (the phase keeps the first seed's); every
 * seed's test accuracy is kept. Reports `epoch j/N` (`seed i/S, epoch j/N` with several seeds).
 */
export async function trainFold(
  deps: ResearchDeps,
  op: OperationInfo,
  ctx: PhaseContext,
): Promise<{ result: TrainingFoldResult; discard: () => Promise<void> }> {
  const { signal } = ctx;
  const params = trainingFoldParamsSchema.parse(op.metadata.parameters);
  // The training phase child holds the run's models; a fold job is always created under it.
  const owner = op.parent_operation_id ?? op.operation_id;
  const stored: string[] = [];
  // Only this job's own models: the fold's other seeds may be other jobs, and keep theirs.
  const discard = (): Promise<void> => deps.models.discard(stored, owner);
  const config = await deps.strategies.read(params.strategy_name);
  const plan = evaluationPlan(config);
  const epochs = config.model.training.epochs;
  const total = params.seeds.length * epochs;
  ctx.reportProgress({ percentage: 1, current_step: 'Computing features and labels', steps_completed: 0, steps_total: total });
  const labelled = await sharedFeatures(op.parent_operation_id ?? op.operation_id, signal, async () => {
    const bars = await loadWalkForwardBars(deps.marketData, config, signal);
    return labelFeatures(config, bars, Date.parse(config.training_data.date_range.start), signal);
  });
  const split = config.training.data_split;
  const ds = await buildFoldDatasetFrom(
    config,
    labelled,
    {
      windows: foldWindowsOf(params.windows),
      index: params.fold - 1,
      scheme: plan.scheme,
      purge: plan.purge,
      embargo: plan.embargo,
      validationShare: split.validation / (split.train + split.validation),
    },
    signal,
  );
  const data = stackSplit(ds);
  const testX = data.x.subarray(data.split.test[0] * data.cols, data.split.test[1] * data.cols);
  const testY = data.y.subarray(data.split.test[0], data.split.test[1]);

  let lastReport = Number.NEGATIVE_INFINITY;
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
            // At most every PROGRESS_EVERY_MS: an epoch can take a few ms, and every report is a
            // Redis write and a notice to every watcher, which on two cores slows the folds themselves.
            const now = performance.now();
            if (now - lastReport < PROGRESS_EVERY_MS && epoch < n) return;
            lastReport = now;
            const done = s * epochs + epoch;
            ctx.reportProgress({
              percentage: PREPARE_PCT + ((100 - PREPARE_PCT) * done) / (params.seeds.length * n),
              current_step: params.seeds.length > 1 ? `seed ${s + 1}/${params.seeds.length}, epoch ${epoch}/${n}` : `epoch ${epoch}/${n}`,
              steps_completed: done,
              steps_total: total,
            });
          },
        },
      );
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
        // Published whole or not at all, and refused once the signal has fired: a cancelled fold stores no model.
        const model = await deps.models.save(trained.model, extra, owner, signal);
        stored.push(model);
        seeds.push({ seed, accuracy: trained.metrics.accuracy, model });
      } finally {
        trained.model.dispose();
      }
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
