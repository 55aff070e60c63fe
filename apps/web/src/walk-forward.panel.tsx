import type { BacktestFold, BacktestMetrics, EvaluationPlan, FoldDispersion, RegimeRow, SeedRobustness, TrainingFold, TrainingMetrics } from './api.types';
import { num, pct, signedPct } from './format.util';
import { BacktestColumnHeads } from './metrics.table';

/**
 * How a walk-forward cycle did out of sample: its plan, each fold's training skill beside the
 * backtest on the same test bars, how much the folds and the training seeds disagree, and the
 * strategy against buy-and-hold in each market regime. Rendered only for walk-forward results.
 */

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
/** An ISO time as its UTC day: folds span weeks at least. */
const day = (iso: string | null | undefined): string => (iso && !Number.isNaN(Date.parse(iso)) ? new Date(Date.parse(iso)).toISOString().slice(0, 10) : '—');
const tone = (x: number | null | undefined): string => (typeof x !== 'number' ? '' : x > 0 ? 'pos' : x < 0 ? 'neg' : '');

/** `5 folds, expanding window, purge 20 bars, embargo 20 bars, 3 training seeds per fold`. */
export function planText(plan: EvaluationPlan): string {
  const scheme = plan.scheme === 'rolling' ? 'rolling window' : 'expanding window';
  return `${plural(plan.folds, 'test fold')}, ${scheme}, purge ${plural(plan.purge, 'bar')}, embargo ${plural(plan.embargo, 'bar')}, ${plural(plan.seeds, 'training seed')} per fold`;
}

interface FoldRow {
  fold: number;
  t: TrainingFold | null;
  b: BacktestFold | null;
}

function foldRows(training: TrainingMetrics | null, backtest: BacktestMetrics | null): FoldRow[] {
  const t = training?.folds ?? [];
  const b = backtest?.folds ?? [];
  const numbers = [...new Set([...t.map((f) => f.fold), ...b.map((f) => f.fold)])].sort((x, y) => x - y);
  return numbers.map((fold) => ({ fold, t: t.find((f) => f.fold === fold) ?? null, b: b.find((f) => f.fold === fold) ?? null }));
}

export function WalkForwardPanel({ training, backtest }: { training: TrainingMetrics | null; backtest: BacktestMetrics | null }) {
  const plan = backtest?.evaluation ?? training?.evaluation ?? null;
  return (
    <div className="walk-forward" data-testid="walk-forward">
      {plan ? (
        <p className="small" data-testid="walk-forward-plan">
          Every number here is out of sample: {planText(plan)}. Each test fold is predicted only by models trained on bars before it.
        </p>
      ) : null}
      <FoldsTable rows={foldRows(training, backtest)} />
      <div className="wf-grid">
        {backtest?.fold_dispersion ? <Dispersion d={backtest.fold_dispersion} /> : null}
        {backtest?.seed_robustness ? <Seeds s={backtest.seed_robustness} /> : null}
      </div>
      {backtest?.regimes && backtest.regimes.length > 0 ? <RegimeTable rows={backtest.regimes} /> : null}
    </div>
  );
}

/** One row per fold: training skill on its test bars (left), the backtest on the same bars (right). */
function FoldsTable({ rows }: { rows: FoldRow[] }) {
  if (rows.length === 0) return null;
  const training = rows.some((r) => r.t);
  const backtest = rows.some((r) => r.b);
  return (
    <div>
      <h3>Per fold: the model&apos;s skill on the fold&apos;s test bars beside the backtest on the same bars</h3>
      <div className="table-wrap">
        <table className="compact metrics folds nowrap" data-testid="folds-table">
          <thead>
            <tr className="group">
              <th scope="colgroup" colSpan={2} />
              {training ? (
                <th scope="colgroup" colSpan={4} className="group-head">
                  Training skill
                </th>
              ) : null}
              {backtest ? (
                <th scope="colgroup" colSpan={5} className="group-head">
                  Backtest
                </th>
              ) : null}
            </tr>
            <tr>
              <th scope="col">Fold</th>
              <th scope="col">Test bars</th>
              {training ? (
                <>
                  <th scope="col" className="n group-start">
                    Accuracy
                  </th>
                  <th scope="col" className="n" title="Always predicting the test part's most frequent class">
                    Majority
                  </th>
                  <th scope="col" className="n" title="Accuracy minus the majority baseline">
                    Edge
                  </th>
                  <th scope="col" className="n">
                    Balanced
                  </th>
                </>
              ) : null}
              {backtest ? <BacktestColumnHeads groupStart /> : null}
            </tr>
          </thead>
          <tbody>
            {rows.map(({ fold, t, b }) => {
              const edge = t ? t.accuracy - t.majority_baseline : null;
              return (
                <tr key={fold} data-testid="fold-row" data-fold={fold}>
                  <th scope="row">{fold}</th>
                  <td className="nowrap">
                    {day(b?.start ?? t?.test.from)} → {day(b?.end ?? t?.test.to)}
                    <span className="muted small"> ({b?.bars ?? t?.test.rows ?? '—'} bars)</span>
                  </td>
                  {training ? (
                    <>
                      <td className="n group-start" data-testid="fold-accuracy">
                        {pct(t?.accuracy)}
                      </td>
                      <td className="n">{pct(t?.majority_baseline)}</td>
                      <td className={`n ${tone(edge)}`}>{edge === null ? '—' : `${edge > 0 ? '+' : ''}${(edge * 100).toFixed(1)} pt`}</td>
                      <td className="n">{pct(t?.balanced_accuracy)}</td>
                    </>
                  ) : null}
                  {backtest ? (
                    <>
                      <td className={`n group-start ${b && b.total_return < b.benchmark_return ? 'neg' : 'pos'}`} data-testid="fold-return">
                        {signedPct(b?.total_return)}
                      </td>
                      <td className="n">{signedPct(b?.benchmark_return)}</td>
                      <td className="n">{num(b?.sharpe_ratio)}</td>
                      <td className="n">{pct(b?.max_drawdown)}</td>
                      <td className="n">{b?.total_trades ?? '—'}</td>
                    </>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {backtest ? <p className="muted small">A return is green when it beat buy-and-hold on the fold&apos;s bars, red when it trailed it.</p> : null}
    </div>
  );
}

/** How much the folds disagree: a strategy that works in one fold only is one lucky fold. */
function Dispersion({ d }: { d: FoldDispersion }) {
  const positive = Math.round(d.positive_share * d.folds);
  return (
    <div data-testid="fold-dispersion">
      <h3>Fold dispersion</h3>
      <dl className="facts stat-tiles">
        <div>
          <dt>Positive folds</dt>
          <dd className="stat">
            {positive} of {d.folds}
          </dd>
        </div>
        <div>
          <dt>Sharpe per fold</dt>
          <dd className="stat">
            {num(d.sharpe_mean)} <span className="muted">± {num(d.sharpe_std)}</span>
          </dd>
        </div>
        <div>
          <dt>Return per fold</dt>
          <dd className="stat">
            {signedPct(d.return_mean)} <span className="muted">± {pct(d.return_std)}</span>
          </dd>
        </div>
        <div>
          <dt>Worst / best fold</dt>
          <dd className="stat">
            <span className={tone(d.worst_return)}>{signedPct(d.worst_return)}</span> / <span className={tone(d.best_return)}>{signedPct(d.best_return)}</span>
          </dd>
        </div>
      </dl>
      <p className="muted small">Mean ± standard deviation over the folds.</p>
    </div>
  );
}

/** The same walk-forward run with each training seed's models: does it stay profitable? */
function Seeds({ s }: { s: SeedRobustness }) {
  return (
    <div data-testid="seed-robustness">
      <h3>Seed robustness</h3>
      <p className="small">
        <strong data-testid="seeds-profitable">
          {s.profitable} of {plural(s.seeds.length, 'seed')} profitable
        </strong>{' '}
        out of sample (the same folds, models trained with another seed).
      </p>
      <table className="compact metrics seeds">
        <thead>
          <tr>
            <th scope="col">Seed</th>
            <th scope="col" className="n">
              Return
            </th>
            <th scope="col" className="n">
              Sharpe
            </th>
          </tr>
        </thead>
        <tbody>
          {s.seeds.map((r, i) => (
            <tr key={`${r.seed}-${i}`}>
              <th scope="row">
                {r.seed}
                {i === 0 ? <span className="muted small"> (the strategy&apos;s)</span> : null}
              </th>
              <td className={`n ${tone(r.total_return)}`}>{signedPct(r.total_return)}</td>
              <td className="n">{num(r.sharpe_ratio)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const REGIME_LABEL: Record<RegimeRow['regime'], string> = {
  bull_calm: 'Bull, calm',
  bull_volatile: 'Bull, volatile',
  bear_calm: 'Bear, calm',
  bear_volatile: 'Bear, volatile',
};

/** The strategy against buy-and-hold on the bars of each market regime (trend × volatility). */
function RegimeTable({ rows }: { rows: RegimeRow[] }) {
  return (
    <div>
      <h3>By market regime: the trend and volatility of the market on each bar</h3>
      <div className="table-wrap">
        <table className="compact metrics regimes nowrap" data-testid="regime-table">
          <thead>
            <tr>
              <th scope="col">Regime</th>
              <th scope="col" className="n">
                Bars
              </th>
              <th scope="col" className="n">
                Share
              </th>
              <th scope="col" className="n">
                Strategy
              </th>
              <th scope="col" className="n">
                Buy &amp; hold
              </th>
              <th scope="col" className="n">
                Sharpe
              </th>
              <th scope="col" className="n">
                Time in market
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.regime} data-testid="regime-row" data-regime={r.regime}>
                <th scope="row">{REGIME_LABEL[r.regime] ?? r.regime}</th>
                <td className="n">{r.bars}</td>
                <td className="n">
                  <ShareBar share={r.share} />
                </td>
                <td className={`n ${r.total_return < r.benchmark_return ? 'neg' : 'pos'}`}>{signedPct(r.total_return)}</td>
                <td className="n">{signedPct(r.benchmark_return)}</td>
                <td className="n">{num(r.sharpe_ratio)}</td>
                <td className="n">{pct(r.exposure)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted small">The strategy&apos;s return is green when it beat buy-and-hold on the regime&apos;s bars, red when it trailed it.</p>
    </div>
  );
}

/** A share as its number and a small bar, so the regimes' weights read at a glance. */
function ShareBar({ share }: { share: number }) {
  const w = Math.max(0, Math.min(1, share));
  return (
    <span className="share">
      <svg width="40" height="8" aria-hidden="true" className="share-bar">
        <rect x="0" y="0" width="40" height="8" rx="2" fill="#e2e8f0" />
        <rect x="0" y="0" width={40 * w} height="8" rx="2" fill="#64748b" />
      </svg>
      {pct(share)}
    </span>
  );
}
