/**
 * The walk-forward blocks of a cycle's summary and of `operations status` (a cycle, or its training
 * or backtest child): the plan, one row per fold (training skill beside the backtest's numbers on the
 * same test bars), how much the folds disagree, how many training seeds stay profitable, the market
 * regimes, and what the trades cost. Every block reads only what the result has, so a single-split
 * result (from before walk-forward) prints none of them.
 */
import type { BacktestFold, EvaluationPlan, FoldDispersion, Regime, RegimeRow, SeedRobustness, TrainingFold } from '@ktrdr/api-contract';
import { plural } from './plural.format.js';
import { renderTable, type Column } from './table.format.js';

type Loose = Record<string, unknown>;

const record = (v: unknown): Loose | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const records = (v: unknown): Loose[] => (Array.isArray(v) ? v.map(record).filter((r): r is Loose => r !== null) : []);

/** `52.3%`, or `-` when there is no number. */
const pct = (v: unknown): string => (num(v) === null ? '-' : `${((v as number) * 100).toFixed(1)}%`);
/** `+4.1%` / `−1.2%` (a true minus sign, as the Robustness line writes it). */
const signed = (v: unknown): string => {
  const x = num(v);
  return x === null ? '-' : `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}%`;
};
const fixed = (v: unknown, digits = 2): string => (num(v) === null ? '-' : (v as number).toFixed(digits));
/** Money in the account's currency, whole units with thousands separators: `1,234`. */
const money = (v: number): string => Math.round(v).toLocaleString('en-US');
/** An ISO time as its UTC date (folds span weeks at least; a table of times would not fit a terminal). */
const day = (iso: unknown): string => (typeof iso === 'string' && !Number.isNaN(Date.parse(iso)) ? new Date(Date.parse(iso)).toISOString().slice(0, 10) : '-');

/** The walk-forward plan of a result, when it has one (the backtest's first: it covers the cycle). */
export function evaluationOf(...results: unknown[]): EvaluationPlan | null {
  for (const r of results) {
    const e = record(record(r)?.['evaluation']);
    if (e && num(e['folds']) !== null) return e as unknown as EvaluationPlan;
  }
  return null;
}

/** `5 folds (expanding, purge 20, embargo 20), 3 seeds`. */
export function walkForwardText(plan: EvaluationPlan): string {
  return `${plural(plan.folds, 'fold')} (${plan.scheme}, purge ${plan.purge}, embargo ${plan.embargo}), ${plural(plan.seeds, 'seed')}`;
}

interface FoldRow {
  fold: number;
  training: TrainingFold | null;
  backtest: BacktestFold | null;
}

/** Training and backtest folds side by side, by fold number. */
function foldRows(training: unknown, backtest: unknown): FoldRow[] {
  const t = records(record(training)?.['folds']) as unknown as TrainingFold[];
  const b = records(record(backtest)?.['folds']) as unknown as BacktestFold[];
  const numbers = [...new Set([...t, ...b].map((f) => num(f.fold)).filter((n): n is number => n !== null))].sort((x, y) => x - y);
  return numbers.map((fold) => ({ fold, training: t.find((f) => f.fold === fold) ?? null, backtest: b.find((f) => f.fold === fold) ?? null }));
}

/** A fold's test span: the backtest's own bars when it ran, else the training fold's test part. */
function testSpan(r: FoldRow): string {
  const from = r.backtest?.start ?? r.training?.test?.from;
  const to = r.backtest?.end ?? r.training?.test?.to;
  return from || to ? `${day(from)} … ${day(to)}` : '-';
}

/**
 * One row per fold: its test span, the model's accuracy there beside always predicting the test
 * part's most frequent class, and the backtest's return, buy-and-hold, Sharpe and trades on the same
 * bars. A training child has only the first half, a backtest child only the second.
 */
export function foldTableLines(training: unknown, backtest: unknown): string[] {
  const rows = foldRows(training, backtest);
  if (rows.length === 0) return [];
  const columns: Column<FoldRow>[] = [
    { header: 'FOLD', get: (r) => String(r.fold), alignRight: true },
    { header: 'TEST', get: testSpan },
  ];
  if (rows.some((r) => r.training)) {
    columns.push(
      { header: 'ACCURACY', get: (r) => pct(r.training?.accuracy), alignRight: true },
      { header: 'MAJORITY', get: (r) => pct(r.training?.majority_baseline), alignRight: true },
    );
  }
  if (rows.some((r) => r.backtest)) {
    columns.push(
      { header: 'RETURN', get: (r) => signed(r.backtest?.total_return), alignRight: true },
      { header: 'BUY&HOLD', get: (r) => signed(r.backtest?.benchmark_return), alignRight: true },
      { header: 'SHARPE', get: (r) => fixed(r.backtest?.sharpe_ratio), alignRight: true },
      { header: 'TRADES', get: (r) => (num(r.backtest?.total_trades) === null ? '-' : String(r.backtest!.total_trades)), alignRight: true },
    );
  } else {
    // A training child alone: how long each fold trained, and how far its seeds' models disagree.
    columns.push(
      { header: 'EPOCHS', get: (r) => (num(r.training?.epochs_run) === null ? '-' : String(r.training!.epochs_run)), alignRight: true },
      { header: 'SEED SPREAD', get: (r) => seedRange(r.training?.seed_accuracies), alignRight: true },
    );
  }
  return renderTable(rows, columns);
}

/** `51.0–53.4%` over the seeds' test accuracies, the one value for a single seed. */
function seedRange(values: unknown): string {
  const xs = Array.isArray(values) ? values.map(num).filter((v): v is number => v !== null) : [];
  if (xs.length === 0) return '-';
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return xs.length === 1 || lo === hi ? pct(lo) : `${(lo * 100).toFixed(1)}–${pct(hi)}`;
}

/** `3/5 folds positive; Sharpe 0.31 ± 0.62 (mean ± std); return +1.2% ± 4.5%; worst fold −5.1%, best +7.3%`. */
export function foldDispersionText(backtest: unknown): string | null {
  const d = record(record(backtest)?.['fold_dispersion']) as unknown as FoldDispersion | null;
  if (!d || num(d.folds) === null || num(d.positive_share) === null) return null;
  const positive = Math.round(d.positive_share * d.folds);
  const parts = [`${positive}/${d.folds} folds positive`];
  if (num(d.sharpe_mean) !== null) parts.push(`Sharpe ${fixed(d.sharpe_mean)} ± ${fixed(d.sharpe_std)} (mean ± std)`);
  if (num(d.return_mean) !== null) parts.push(`return ${signed(d.return_mean)} ± ${pct(d.return_std)}`);
  if (num(d.worst_return) !== null && num(d.best_return) !== null) parts.push(`worst fold ${signed(d.worst_return)}, best ${signed(d.best_return)}`);
  return parts.join('; ');
}

/** `2/3 seeds profitable out of sample (seed 7 +4.1%, seed 8 −0.3%, seed 9 +1.2%)`. */
export function seedRobustnessText(backtest: unknown): string | null {
  const s = record(record(backtest)?.['seed_robustness']) as unknown as SeedRobustness | null;
  const seeds = records(s?.seeds);
  if (!s || seeds.length === 0) return null;
  const profitable = num(s.profitable) ?? seeds.filter((r) => (num(r['total_return']) ?? 0) > 0).length;
  const each = seeds.map((r) => `seed ${String(r['seed'])} ${signed(r['total_return'])}`).join(', ');
  return `${profitable}/${plural(seeds.length, 'seed')} profitable out of sample (${each})`;
}

const REGIME_WORDS: Record<Regime, string> = {
  bull_calm: 'bull, calm',
  bull_volatile: 'bull, volatile',
  bear_calm: 'bear, calm',
  bear_volatile: 'bear, volatile',
};

/**
 * One aligned line per market regime: its share of the bars, then the strategy against buy-and-hold
 * on those bars, `bull, calm      412 bars (41.2%)  strategy +5.2% vs buy-and-hold +12.1%; Sharpe 0.81; in the market 40.3% of them`.
 */
export function regimeLines(backtest: unknown): string[] {
  const rows = records(record(backtest)?.['regimes']) as unknown as RegimeRow[];
  if (rows.length === 0) return [];
  const names = rows.map((r) => REGIME_WORDS[r.regime] ?? String(r.regime));
  const bars = rows.map((r) => `${fixed(r.bars, 0)} bars (${pct(r.share)})`);
  const nameWidth = Math.max(...names.map((n) => n.length));
  const barsWidth = Math.max(...bars.map((b) => b.length));
  return rows.map((r, i) => {
    const versus = `strategy ${signed(r.total_return)} vs buy-and-hold ${signed(r.benchmark_return)}`;
    return `${names[i]!.padEnd(nameWidth)}  ${bars[i]!.padEnd(barsWidth)}  ${versus}; Sharpe ${fixed(r.sharpe_ratio)}; in the market ${pct(r.exposure)} of them`;
  });
}

/** `1,234 (commission 823, slippage 411; 1.2% of the initial capital)`. */
export function costsPaidText(backtest: unknown): string | null {
  const b = record(backtest);
  const paid = num(b?.['costs_paid']);
  if (paid === null) return null;
  const commission = num(b?.['commission_paid']);
  const capital = num(b?.['initial_capital']);
  const parts: string[] = [];
  if (commission !== null) parts.push(`commission ${money(commission)}, slippage ${money(Math.max(0, paid - commission))}`);
  if (capital !== null && capital > 0) parts.push(`${pct(paid / capital)} of the initial capital`);
  return parts.length ? `${money(paid)} (${parts.join('; ')})` : money(paid);
}

/**
 * Every walk-forward block that the results hold, as indented lines for a summary or a status
 * (`indent` is the label's indent; tables and regime rows go two spaces deeper). Nothing for a
 * single-split result.
 */
export function walkForwardLines(training: unknown, backtest: unknown, indent = '  '): string[] {
  const lines: string[] = [];
  const plan = evaluationOf(backtest, training);
  if (plan) lines.push(`${indent}Walk-forward: ${walkForwardText(plan)}`);
  const table = foldTableLines(training, backtest);
  if (table.length)
    lines.push(`${indent}Folds (out of sample: each fold's test bars, predicted by models trained before them):`, ...table.map((l) => `${indent}  ${l}`));
  const dispersion = foldDispersionText(backtest);
  if (dispersion) lines.push(`${indent}Fold dispersion: ${dispersion}`);
  const seeds = seedRobustnessText(backtest);
  if (seeds) lines.push(`${indent}Seed robustness: ${seeds}`);
  const regimes = regimeLines(backtest);
  if (regimes.length) lines.push(`${indent}Regimes (strategy vs buy-and-hold on the bars of each):`, ...regimes.map((l) => `${indent}  ${l}`));
  const costs = costsPaidText(backtest);
  if (costs) lines.push(`${indent}Costs paid: ${costs}`);
  return lines;
}
