import type { BacktestMetrics, SymbolBacktestMetrics } from './api.types';
import { isWalkForward } from './cycle.info';
import { num, pct, signedPct } from './format.util';
import { CostSensitivityChart, SharpeIntervalChart } from './robustness.charts';

const money = (x: number | undefined) => (x === undefined ? '—' : x.toLocaleString(undefined, { maximumFractionDigits: 0 }));

/**
 * The backtest's key numbers beside buy-and-hold over the same window. For several symbols they are
 * the equal-weight portfolio's, with each symbol's own numbers in a second table.
 */
export function MetricsTable({ m }: { m: BacktestMetrics }) {
  const sleeves = m.per_symbol && m.per_symbol.length > 1 ? m.per_symbol : null;
  const what = sleeves ? `${sleeves.map((s) => s.symbol).join(' + ')} (equal-weight portfolio)` : (m.symbol ?? '');
  const walkForward = isWalkForward(m);
  const folds = m.evaluation?.folds ?? m.folds?.length ?? 0;
  return (
    <div className="table-wrap">
      <table className="compact metrics" data-testid="metrics-table">
        <caption>
          Backtest {what} {m.timeframe ?? ''} {m.start ? `${m.start.slice(0, 10)} → ${(m.end ?? '').slice(0, 10)}` : ''}
          {walkForward ? <span className="muted small"> (out of sample: the {folds} test folds stitched together)</span> : null}
        </caption>
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col" className="n">
              Strategy
            </th>
            <th scope="col" className="n">
              Buy &amp; hold
            </th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Total return</th>
            <td className="n" data-testid="metric-return">
              {signedPct(m.total_return)}
            </td>
            <td className="n" data-testid="metric-benchmark">
              {signedPct(m.benchmark_return)}
            </td>
          </tr>
          <tr>
            <th scope="row">Max drawdown</th>
            <td className="n">{pct(m.max_drawdown)}</td>
            <td className="n">{pct(m.benchmark_max_drawdown)}</td>
          </tr>
          <tr>
            <th scope="row">Sharpe ratio</th>
            <td className="n">{num(m.sharpe_ratio)}</td>
            <td className="n">{typeof m.benchmark_sharpe === 'number' ? num(m.benchmark_sharpe) : '—'}</td>
          </tr>
          <tr>
            <th scope="row">Sortino ratio</th>
            <td className="n">{num(m.sortino_ratio)}</td>
            <td className="n">—</td>
          </tr>
          <tr>
            <th scope="row">CAGR</th>
            <td className="n">{signedPct(m.cagr)}</td>
            <td className="n">—</td>
          </tr>
          <tr>
            <th scope="row">Trades</th>
            <td className="n">{m.total_trades}</td>
            <td className="n">{sleeves ? sleeves.length : 1}</td>
          </tr>
          <tr>
            <th scope="row">Win rate</th>
            <td className="n">{pct(m.win_rate)}</td>
            <td className="n">—</td>
          </tr>
          <tr>
            <th scope="row">Profit factor</th>
            <td className="n">{m.profit_factor === null ? 'no losing trade' : num(m.profit_factor)}</td>
            <td className="n">—</td>
          </tr>
          <tr>
            <th scope="row">Time in market</th>
            <td className="n">{pct(m.exposure)}</td>
            <td className="n">100.0%</td>
          </tr>
          <tr>
            <th scope="row">Final equity</th>
            <td className="n">{money(m.final_equity)}</td>
            <td className="n">{m.initial_capital !== undefined ? money(m.initial_capital * (1 + m.benchmark_return)) : '—'}</td>
          </tr>
        </tbody>
      </table>
      {walkForward ? (
        <Evidence m={m} />
      ) : (
        <>
          <Significance m={m} />
          <CostSensitivity m={m} />
        </>
      )}
      {sleeves ? <SleevesTable sleeves={sleeves} /> : null}
    </div>
  );
}

/**
 * Could it be luck: how often random entries (same bars, as many trades, the strategy's own holds
 * and sides, same costs) did as well; the probability that the true Sharpe ratio is above 0; the
 * bootstrap interval of the Sharpe ratio. Nothing for a result from before these numbers existed.
 */
function Significance({ m }: { m: BacktestMetrics }) {
  if (typeof m.random_entry_p_value !== 'number') return null;
  const p = m.random_entry_p_value;
  const ci = m.sharpe_ci95;
  return (
    <p className="small" data-testid="significance">
      Random entries did as well in {pct(p)} of {m.random_entry_simulations ?? '—'} runs (p {p.toFixed(3)}
      {p <= 0.1 ? ', unlikely to be luck' : ', could well be luck'}).
      {typeof m.psr === 'number' ? ` Probability the true Sharpe ratio is above 0: ${pct(m.psr)}.` : ''}
      {ci ? ` Sharpe ratio 95% interval: ${num(ci[0])} to ${num(ci[1])}.` : ''}
    </p>
  );
}

/** What survives higher costs: the same signals at 0×, 1×, 2×, 3× the costs, and what the trades cost and moved. */
function CostSensitivity({ m }: { m: BacktestMetrics }) {
  const c = m.cost_sensitivity;
  if (!c) return null;
  const breakEven =
    c.break_even_cost === null
      ? 'still positive at 10× the costs'
      : c.break_even_cost === 0
        ? 'no gain even without costs'
        : `break-even at ${num(c.break_even_cost)}× the costs`;
  return (
    <p className="small" data-testid="cost-sensitivity">
      Return at {c.runs.map((r) => `${r.multiple}× costs ${signedPct(r.total_return)}`).join(', ')}; {breakEven}.
      {typeof m.turnover === 'number' ? ` Turnover ${num(m.turnover)}× the capital` : ''}
      {typeof m.commission_paid === 'number' ? `, commission paid ${money(m.commission_paid)}.` : '.'}
    </p>
  );
}

/**
 * A walk-forward result's evidence, drawn: could it be luck (random-entry p-value, PSR, the Sharpe
 * ratio's interval beside each fold's), and what the costs do (return at 0× to 3× with the break-even,
 * turnover, what was paid). Results from before walk-forward keep the two sentences above.
 */
function Evidence({ m }: { m: BacktestMetrics }) {
  const p = m.random_entry_p_value;
  const ci = m.sharpe_ci95;
  const hasSignificance = typeof p === 'number' || typeof m.psr === 'number' || !!ci;
  return (
    <div className="evidence">
      {hasSignificance ? (
        <div data-testid="significance-block">
          <h3>Could it be luck?</h3>
          <dl className="facts stat-tiles">
            {typeof p === 'number' ? (
              <div
                title={`Share of ${m.random_entry_simulations ?? ''} random-entry runs (same bars, as many trades, the strategy's own holds and sides, same costs) that did at least as well`}
              >
                <dt>p vs random entries</dt>
                <dd className="stat" data-testid="p-value">
                  {p.toFixed(3)} <span className={`small ${p <= 0.1 ? 'pos' : 'neg'}`}>{p <= 0.1 ? 'unlikely to be luck' : 'could well be luck'}</span>
                </dd>
              </div>
            ) : null}
            {typeof m.psr === 'number' ? (
              <div title="Probabilistic Sharpe Ratio: the probability that the true Sharpe ratio is above 0">
                <dt>PSR</dt>
                <dd className="stat" data-testid="psr">
                  {pct(m.psr)} <span className="small muted">true Sharpe &gt; 0</span>
                </dd>
              </div>
            ) : null}
            {ci ? (
              <div title="95% bootstrap interval of the Sharpe ratio">
                <dt>Sharpe 95% interval</dt>
                <dd className="stat" data-testid="sharpe-ci">
                  {num(ci[0])} to {num(ci[1])}
                </dd>
              </div>
            ) : null}
          </dl>
          {typeof p === 'number' ? (
            <p className="muted small">
              Random entries did as well in {pct(p)} of {m.random_entry_simulations ?? '—'} runs.
            </p>
          ) : null}
          <SharpeIntervalChart m={m} />
        </div>
      ) : null}
      {m.cost_sensitivity ? (
        <div data-testid="cost-block">
          <h3>What the costs do</h3>
          <CostSensitivityChart m={m} />
          <p className="small" data-testid="costs-paid">
            {costLines(m)}
          </p>
        </div>
      ) : null}
    </div>
  );
}

/** `Costs paid 12,346 (commission 8,231, slippage 4,114), 12.3% of the initial capital; turnover 12.43× the capital; cost drag 5.7%.` */
function costLines(m: BacktestMetrics): string {
  const parts: string[] = [];
  const costs = m.costs_paid;
  const commission = m.commission_paid;
  if (typeof costs === 'number') {
    let text = `Costs paid ${money(costs)}`;
    if (typeof commission === 'number') text += ` (commission ${money(commission)}, slippage ${money(Math.max(0, costs - commission))})`;
    if (m.initial_capital) text += `, ${pct(costs / m.initial_capital)} of the initial capital`;
    parts.push(text);
  } else if (typeof commission === 'number') {
    parts.push(`Commission paid ${money(commission)}`);
  }
  if (typeof m.turnover === 'number') parts.push(`turnover ${num(m.turnover)}× the capital`);
  if (m.cost_sensitivity) parts.push(`the costs took ${pct(m.cost_sensitivity.cost_drag)} of return (at 0× minus at 1×)`);
  const text = parts.join('; ');
  return text ? `${text[0]!.toUpperCase()}${text.slice(1)}.` : '';
}

/**
 * The headline columns of a backtest row (the history table's, the per-symbol table's and the folds
 * table's, where `groupStart` marks the first as the start of the backtest group).
 */
export function BacktestColumnHeads({ groupStart = false }: { groupStart?: boolean }) {
  return (
    <>
      <th scope="col" className={groupStart ? 'n group-start' : 'n'}>
        Return
      </th>
      <th scope="col" className="n">
        Buy &amp; hold
      </th>
      <th scope="col" className="n">
        Sharpe
      </th>
      <th scope="col" className="n">
        Max DD
      </th>
      <th scope="col" className="n">
        Trades
      </th>
    </>
  );
}

/** Each symbol's own numbers in a multi-symbol backtest (its sleeve of the capital). */
function SleevesTable({ sleeves }: { sleeves: SymbolBacktestMetrics[] }) {
  return (
    <table className="compact metrics" data-testid="per-symbol-table">
      <caption>Per symbol (each an equal share of the capital)</caption>
      <thead>
        <tr>
          <th scope="col">Symbol</th>
          <BacktestColumnHeads />
          <th scope="col" className="n">
            Win rate
          </th>
        </tr>
      </thead>
      <tbody>
        {sleeves.map((s) => (
          <tr key={s.symbol}>
            <th scope="row">{s.symbol}</th>
            <td className="n">{signedPct(s.total_return)}</td>
            <td className="n">{signedPct(s.benchmark_return)}</td>
            <td className="n">{num(s.sharpe_ratio)}</td>
            <td className="n">{pct(s.max_drawdown)}</td>
            <td className="n">{s.total_trades}</td>
            <td className="n">{pct(s.win_rate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
