import {
  baseTimeframe,
  evaluationPlan,
  type PhaseContext,
  type PhaseExecutor,
  type PhaseInput,
  type PhaseOutput,
  type StrategyConfig,
} from '@ktrdr/agent-domain';
import type { EvaluationPlan, HistoryArtifact, TrainingFold, TrainingResult, WalkForwardManifest } from '@ktrdr/api-contract';
import { walkForwardWindows, type StandardScaler } from '@ktrdr/features';
import { NoMarketDataError, sliceBars, windowRange } from '@ktrdr/market-data';
import { addSkillSums, skillFromSums } from '@ktrdr/training';
import { foldsProgress, type FoldRunner } from './fold.launcher.js';
import { trainingFoldResultSchema, type TrainingFoldResult } from './fold.schema.js';
import { cycleString, refuseSealedBars, loadSymbolBars, type ResearchDeps } from './research.inputs.js';

/** What is saved beside the weights, so the backtest rebuilds exactly the training features. */
export interface ModelExtra extends Record<string, unknown> {
  strategy_name: string;
  training_operation_id: string;
  feature_names: string[];
  scaler: StandardScaler;
}

export interface TrainingDeps extends ResearchDeps {
  folds: FoldRunner;
}

/** Share of the child's progress bar spent planning (loading the backtest window's bar times). */
const PLAN_PCT = 3;

/**
 * The training phase, walk-forward: the strategy's backtest window is cut into test folds
 * (walkForwardWindows), and each fold is a job of its own (training-fold.work.ts) that trains one
 * model per seed only on bars before its test fold. This phase child creates them, waits for them
 * and pools their test predictions into one skill measurement (docs/RESEARCH.md, Walk-forward).
 * Models go to the blob store (model.blobs.ts), one per fold and seed, held for this child; the
 * run's walk-forward manifest names them, and its address is the result's `model_path`, which is
 * all the backtest needs on whatever host it runs.
 */
export class TrainingExecutor implements PhaseExecutor<'training'> {
  readonly phase = 'training' as const;

  constructor(private readonly deps: TrainingDeps) {}

  async execute(input: PhaseInput, ctx: PhaseContext): Promise<PhaseOutput<'training'>> {
    const { signal } = ctx;
    const name = cycleString(input.cycle, 'strategy_name', 'training');
    const config = await this.deps.strategies.read(name);
    refuseSealedBars(input.cycle, config);
    const plan = evaluationPlan(config);
    ctx.reportProgress({ percentage: 1, current_step: 'Planning walk-forward folds', steps_completed: 0, steps_total: plan.folds });
    const windows = await this.testWindows(config, plan, signal);
    const discard = (): Promise<void> => this.deps.models.discardRun(input.operation_id);
    const seed = config.model.training.seed;
    const seeds = Array.from({ length: plan.seeds }, (_, i) => seed + i);
    // One job per fold and seed: fifteen short jobs spread evenly over the workers where five
    // uneven ones (the last fold trains on twice the bars of the first) left one of them idle.
    const jobs = windows.flatMap((_, i) => seeds.map((s, j) => ({ fold: i + 1, seedIndex: j, seed: s })));
    const label = (j: (typeof jobs)[number]): string =>
      `fold ${j.fold}/${windows.length}` + (seeds.length > 1 ? `, seed ${j.seedIndex + 1}/${seeds.length}` : '');
    try {
      const records = await this.deps.folds.run({
        kind: 'train',
        parentId: input.operation_id,
        cycleId: input.parent_operation_id,
        folds: jobs.map((j) => ({ strategy_name: name, fold: j.fold, windows, seeds: [j.seed] })),
        names: jobs.map(label),
        signal,
        onProgress: (folds, names) => ctx.reportProgress(foldsProgress('Training', folds, names, PLAN_PCT, 99)),
      });
      const folds = byFold(
        records.map((r) => trainingFoldResultSchema.parse(r.result_summary)),
        windows.length,
      );
      const manifest: WalkForwardManifest = {
        strategy_name: name,
        training_operation_id: input.operation_id,
        plan,
        windows,
        folds: folds.map((f) => ({ fold: f.fold, models: f.seeds.map(({ seed: s, model }) => ({ seed: s, model })) })),
      };
      const modelPath = await this.deps.models.saveManifest(manifest);
      const skill = pooledSkill(folds);
      return {
        result: pooledResult(folds, skill, plan, { model_path: modelPath, symbols: config.training_data.symbols, timeframe: baseTimeframe(config), seed }),
        artifacts: { history: historyArtifact(config, folds, skill) },
        discard,
      };
    } catch (e) {
      await discard();
      throw e;
    }
  }

  /** The backtest window's bar times (every symbol's, merged) cut into the plan's test folds, as ISO [from, to). */
  private async testWindows(config: StrategyConfig, plan: EvaluationPlan, signal: AbortSignal): Promise<[string, string][]> {
    const tf = baseTimeframe(config);
    const window = config.backtest.date_range;
    const times = new Set<number>();
    for (const symbol of config.training_data.symbols) {
      const bars = await loadSymbolBars(this.deps.marketData, config, symbol, window, signal);
      const inWindow = sliceBars(bars[tf]!, windowRange(window)).time;
      // Walk-forward trains for the backtest window's folds: without its bars there is nothing to train for.
      if (inWindow.length === 0) throw new NoMarketDataError(symbol, tf, window.start, window.end);
      for (const t of inWindow) times.add(t);
    }
    const sorted = Float64Array.from(times).sort();
    return walkForwardWindows(sorted, plan.folds).map((w) => [new Date(w.from).toISOString(), new Date(w.to).toISOString()]);
  }
}

/**
 * One result per fold from its seeds' jobs (in seed order): the first seed's numbers (its skill
 * sums, curves and fit), and every seed's model and test accuracy.
 */
function byFold(results: readonly TrainingFoldResult[], folds: number): TrainingFoldResult[] {
  return Array.from({ length: folds }, (_, k) => {
    const own = results.filter((r) => r.fold === k + 1);
    return { ...own[0]!, seeds: own.flatMap((r) => r.seeds) };
  });
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/**
 * Skill pooled over the folds' test predictions (first seed), each test row scored against its own
 * fold's training class shares. The majority baseline is that of each fold's own test part —
 * Σ_folds max_c n_c / N, always answering the fold's most frequent class — not the pooled part's:
 * the class shares drift between folds, and a model that loses to every fold's constant answer
 * must not read as skilled because the pooled majority class is rarer than each fold's.
 */
type PooledSkill = ReturnType<typeof skillFromSums>;

export function pooledSkill(folds: readonly Pick<TrainingFoldResult, 'sums'>[]): PooledSkill {
  const pooled = skillFromSums(folds.map((f) => f.sums).reduce(addSkillSums));
  const rows = folds.reduce((n, f) => n + f.sums.rows, 0);
  const majority = folds.reduce((n, f) => n + Math.max(...f.sums.counts), 0) / rows;
  return { ...pooled, majority_baseline: rows > 0 ? majority : Number.NaN };
}

/**
 * The phase's result from its folds. Skill (accuracy and its baselines) is measured on every
 * fold's test predictions pooled (pooledSkill). The fit's losses and validation accuracy are the folds'
 * means (the gate asks whether training learned, fold by fold); the curves, epochs and class
 * balance are the last fold's, which trained on the most bars.
 */
function pooledResult(
  folds: readonly TrainingFoldResult[],
  skill: PooledSkill,
  plan: EvaluationPlan,
  ctx: { model_path: string; symbols: string[]; timeframe: string; seed: number },
): TrainingResult {
  const last = folds[folds.length - 1]!;
  const { accuracy, ...baselines } = skill;
  const perFold: TrainingFold[] = folds.map((f) => ({
    fold: f.fold,
    train: { from: f.train.from, to: f.train.to, rows: f.train.rows },
    validation: { from: f.validation.from, to: f.validation.to, rows: f.validation.rows },
    test: { from: f.test.from, to: f.test.to, rows: f.test.rows },
    ...skillFromSums(f.sums),
    epochs_run: f.epochs_run,
    seed_accuracies: f.seeds.map((x) => x.accuracy),
  }));
  return {
    model_path: ctx.model_path,
    accuracy,
    baseline_accuracy: baselines.majority_baseline,
    ...baselines,
    initial_loss: mean(folds.map((f) => f.initial_loss)),
    final_loss: mean(folds.map((f) => f.final_loss)),
    val_accuracy: mean(folds.map((f) => f.val_accuracy)),
    test_loss: mean(folds.map((f) => f.test_loss)),
    epochs_run: last.epochs_run,
    best_epoch: last.best_epoch,
    epochs_planned: last.epochs_planned,
    stopped_early: last.stopped_early,
    class_balance: last.class_balance,
    samples: { train: last.train.rows, validation: last.validation.rows, test: folds.reduce((n, f) => n + f.test.rows, 0) },
    feature_count: last.feature_count,
    seed: ctx.seed,
    history: { loss: last.history.loss, val_loss: last.history.val_loss },
    symbols: ctx.symbols,
    timeframe: ctx.timeframe,
    evaluation: plan,
    folds: perFold,
  };
}

/** The `history` artifact: the last fold's curves, what it trained on, and the pooled skill. */
function historyArtifact(config: StrategyConfig, folds: readonly TrainingFoldResult[], skill: PooledSkill): HistoryArtifact {
  const last = folds[folds.length - 1]!;
  const { accuracy, ...baselines } = skill;
  return {
    epochs: last.history.loss.map((_, i) => i + 1),
    loss: last.history.loss,
    val_loss: last.history.val_loss,
    accuracy: last.history.acc,
    val_accuracy: last.history.val_acc,
    best_epoch: last.best_epoch,
    stopped_early: last.stopped_early,
    test_accuracy: accuracy,
    baseline_accuracy: baselines.majority_baseline,
    ...baselines,
    class_balance: last.class_balance,
    class_weights: last.class_weights,
    backend: last.backend,
    features: last.features,
    split: { train: last.train, validation: last.validation, test: last.test },
    labels: config.training.labels,
  };
}
