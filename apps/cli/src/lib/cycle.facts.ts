/**
 * Facts about an operation that several outputs state (trigger, status, follow, summaries): who
 * designed and assessed a cycle, which phase a cycle is in or ended in, how far it got, and how its
 * training ended. Each has one wording here, so every command says the same thing the same way.
 */
import type { CycleParameters, OperationInfo } from '@ktrdr/api-contract';
import { isTerminalStatus, readCycleParameters } from '@ktrdr/api-contract';

type Summary = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const record = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/**
 * Who did an LLM-shaped job (`claude`, `offline`, `stub`, as the phase result records it), in
 * words. Claude is named with its model, because only then is that model actually called.
 */
export function llmRoleText(kind: unknown, model: unknown): string | null {
  const k = str(kind);
  if (k === null) return null;
  if (k === 'claude') return str(model) ? `Claude (${str(model)})` : 'Claude';
  return k;
}

/**
 * The cycle's designer once the record knows it: set when the design phase has run, or `none`
 * for a cycle started from an existing strategy (it has no design phase). Null while unknown: the
 * worker alone decides between Claude and the offline designer (by its ANTHROPIC_API_KEY), so the
 * CLI never guesses from the model the trigger echoed.
 */
export function designerText(params: Partial<Pick<CycleParameters, 'designer' | 'model' | 'strategy'>>): string | null {
  const designed = llmRoleText(params.designer, params.model);
  if (designed) return designed;
  const given = str(params.strategy);
  return given ? `none (strategy ${given} given)` : null;
}

/** The assessor of a completed cycle (from its result), in the designer's words. */
export function assessorText(summary: Summary, params: Partial<Pick<CycleParameters, 'model'>>): string | null {
  return llmRoleText(summary['assessor'], params.model);
}

/**
 * A cycle's phase as a reader wants it. The record keeps the last active phase after the cycle
 * ends, which on its own reads as if a finished cycle were still assessing.
 */
export function cyclePhaseText(status: string, phase: unknown): string | null {
  if (status === 'completed') return 'done (completed)';
  const p = str(phase);
  if (isTerminalStatus(status)) return p && p !== 'idle' ? `${p} (${status})` : status;
  return p;
}

/** Progress of an operation: a finished-but-not-completed one says where it stopped, not a live-looking figure. */
export function progressStateText(op: Pick<OperationInfo, 'status'>, percentage: string): string {
  if (op.status === 'failed') return `failed at ${percentage}`;
  if (op.status === 'cancelled') return `cancelled at ${percentage}`;
  return percentage;
}

// ---- training epochs --------------------------------------------------------------------------

/** What the training facts need: the result's own numbers, and the configured epoch count when known. */
export interface TrainingEpochs {
  epochs_run: number;
  best_epoch: number | null;
  /** The strategy's configured epochs (the result's `epochs_planned`, else from the strategy or the progress seen). */
  planned: number | null;
  stopped_early: boolean | null;
  diverged: boolean;
}

/**
 * Reads a training result (a training child's result_summary or a cycle's `training_result`).
 * Newer results say `stopped_early` and `epochs_planned` themselves; older ones are read from the
 * curves: a last validation loss that is not a number means training diverged, and fewer epochs
 * than configured means early stopping.
 */
export function trainingEpochs(result: unknown, plannedFallback: number | null = null): TrainingEpochs | null {
  const r = record(result);
  const run = r ? num(r['epochs_run']) : null;
  if (!r || run === null || run <= 0) return null;
  const planned = num(r['epochs_planned']) ?? plannedFallback;
  const valLoss = record(r['history'])?.['val_loss'];
  // JSON has no NaN: a diverged epoch's loss arrives as null.
  const last = Array.isArray(valLoss) && valLoss.length > 0 ? valLoss[valLoss.length - 1] : undefined;
  const diverged = last !== undefined && num(last) === null;
  const explicit = typeof r['stopped_early'] === 'boolean' ? (r['stopped_early'] as boolean) : null;
  return {
    epochs_run: run,
    best_epoch: num(r['best_epoch']),
    planned,
    stopped_early: explicit ?? (planned !== null ? run < planned : null),
    diverged,
  };
}

/**
 * `stopped at epoch 14/30 (early stop: validation loss did not improve for 10 epochs; kept epoch 4)`,
 * `ran all 30/30 epochs (kept epoch 28)`, or `ran 14 epochs (kept epoch 4)` when the configured
 * count is unknown. The stale count is the patience itself: training stops the epoch the number of
 * epochs since the best one reaches it.
 */
export function trainingEpochsText(t: TrainingEpochs): string {
  const notes: string[] = [];
  let head: string;
  if (t.stopped_early) {
    head = `stopped at epoch ${t.epochs_run}${t.planned !== null ? `/${t.planned}` : ''}`;
    const stale = t.best_epoch !== null ? t.epochs_run - t.best_epoch : null;
    if (t.diverged) notes.push('early stop: validation loss diverged (not a number)');
    else
      notes.push(stale !== null && stale > 0 ? `early stop: validation loss did not improve for ${stale} ${stale === 1 ? 'epoch' : 'epochs'}` : 'early stop');
  } else if (t.planned !== null && t.stopped_early === false) {
    head = `ran all ${t.epochs_run}/${t.planned} epochs`;
  } else {
    head = `ran ${t.epochs_run} ${t.epochs_run === 1 ? 'epoch' : 'epochs'}`;
  }
  if (t.best_epoch !== null && t.best_epoch > 0) notes.push(`kept epoch ${t.best_epoch}`);
  return notes.length ? `${head} (${notes.join('; ')})` : head;
}

/** The configured epochs of a strategy config as the API serves it (`model.training.epochs`). */
export function configuredEpochs(config: unknown): number | null {
  return num(record(record(record(config)?.['model'])?.['training'])?.['epochs']);
}

/** A training result's epoch line for a cycle (`training_result`) or a training operation (its result). */
export function trainingResultOf(op: OperationInfo): unknown {
  if (op.operation_type === 'training') return op.result_summary;
  return readCycleParameters(op.metadata?.parameters).training_result ?? null;
}

/** A backtest result for a cycle (`backtest_result`) or a backtesting operation (its result). */
export function backtestResultOf(op: OperationInfo): unknown {
  if (op.operation_type === 'backtesting') return op.result_summary;
  return readCycleParameters(op.metadata?.parameters).backtest_result ?? null;
}

const pct1 = (v: number): string => `${(v * 100).toFixed(1)}%`;

/**
 * The model's skill beside predictions that use no feature, all on the test part:
 * `test accuracy 53.2% vs 49.1% always predicting its most frequent class (balanced accuracy 41.0%,
 * random by class shares 36.2%); log-loss 0.981 vs 1.046 for the class shares`, then `; pooled over
 * 5 test folds` for a walk-forward result. Null for a result from before these numbers existed.
 */
export function skillText(trainingResult: unknown): string | null {
  const t = record(trainingResult);
  const accuracy = num(t?.['accuracy']);
  const majority = num(t?.['majority_baseline']);
  if (accuracy === null || majority === null) return null;
  const extras: string[] = [];
  const balanced = num(t?.['balanced_accuracy']);
  const stratified = num(t?.['stratified_baseline']);
  if (balanced !== null) extras.push(`balanced accuracy ${pct1(balanced)}`);
  if (stratified !== null) extras.push(`random by class shares ${pct1(stratified)}`);
  let text = `test accuracy ${pct1(accuracy)} vs ${pct1(majority)} always predicting its most frequent class`;
  if (extras.length) text += ` (${extras.join(', ')})`;
  const logLoss = num(t?.['log_loss']);
  const prior = num(t?.['prior_log_loss']);
  if (logLoss !== null && prior !== null) text += `; log-loss ${logLoss.toFixed(3)} vs ${prior.toFixed(3)} for the class shares`;
  // Walk-forward: these are every fold's test predictions pooled (the fold table has each fold's own).
  const folds = Array.isArray(t?.['folds']) ? (t['folds'] as unknown[]).length : 0;
  if (folds > 0) text += `; pooled over ${folds} test ${folds === 1 ? 'fold' : 'folds'}`;
  return text;
}

/**
 * Whether a backtest could be luck, in one line: `random entries did as well in 3.1% of 1000 runs
 * (p 0.031); PSR 0.97; Sharpe 95% interval 0.21 to 2.05`. Null for a result from before these
 * numbers existed.
 */
export function significanceText(backtestResult: unknown): string | null {
  const b = record(backtestResult);
  const p = num(b?.['random_entry_p_value']);
  if (p === null) return null;
  const runs = num(b?.['random_entry_simulations']);
  const parts = [`random entries did as well in ${pct1(p)}${runs !== null ? ` of ${runs} runs` : ''} (p ${p.toFixed(3)})`];
  const psr = num(b?.['psr']);
  if (psr !== null) parts.push(`PSR ${psr.toFixed(2)}`);
  const ci = b?.['sharpe_ci95'];
  if (Array.isArray(ci) && ci.length === 2 && ci.every((v) => typeof v === 'number'))
    parts.push(`Sharpe 95% interval ${(ci[0] as number).toFixed(2)} to ${(ci[1] as number).toFixed(2)}`);
  return parts.join('; ');
}

/**
 * What survives higher costs and how buy-and-hold did on its own: `return +4.1% at 0× costs, +2.3%
 * at 1×, +0.5% at 2×, −1.2% at 3×; break-even at 2.3× the costs; turnover 12.4× the capital;
 * buy-and-hold Sharpe 0.61`. Null for a result from before these numbers existed.
 */
export function robustnessText(backtestResult: unknown): string | null {
  const b = record(backtestResult);
  const c = record(b?.['cost_sensitivity']);
  const runs = Array.isArray(c?.['runs']) ? (c['runs'] as unknown[]).map(record).filter((r): r is Record<string, unknown> => r !== null) : [];
  if (runs.length === 0) return null;
  const signed = (v: number): string => `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(1)}%`;
  const parts = [`return ${runs.map((r) => `${signed(num(r['total_return']) ?? 0)} at ${num(r['multiple'])}×`).join(', ')} costs`];
  const breakEven = c?.['break_even_cost'];
  parts.push(breakEven === null ? 'still positive at 10× the costs' : typeof breakEven === 'number' ? `break-even at ${breakEven.toFixed(2)}× the costs` : '');
  const turnover = num(b?.['turnover']);
  if (turnover !== null) parts.push(`turnover ${turnover.toFixed(1)}× the capital`);
  const benchmarkSharpe = num(b?.['benchmark_sharpe']);
  if (benchmarkSharpe !== null) parts.push(`buy-and-hold Sharpe ${benchmarkSharpe.toFixed(2)}`);
  return parts.filter(Boolean).join('; ');
}
