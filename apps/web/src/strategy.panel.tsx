import type { StrategyConfig } from './api.types';

const fmt = (v: unknown): string =>
  Array.isArray(v) ? v.join(', ') : v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** A strategy config as a researcher reads it: data, indicators, fuzzy sets, inputs, model. */
export function StrategyPanel({ config }: { config: StrategyConfig }) {
  const td = config.training_data;
  const indicators = Object.entries(config.indicators ?? {});
  const fuzzy = Object.entries(config.fuzzy_sets ?? {});
  const arch = config.model?.architecture ?? {};
  const train = config.model?.training ?? {};
  return (
    <div className="strategy" data-testid="strategy-panel">
      <p>
        <strong className="mono">{config.name}</strong>
        {config.description ? ` — ${config.description}` : ''}
      </p>
      {config.hypothesis && (
        <p className="muted">
          <em>Hypothesis:</em> {config.hypothesis}
        </p>
      )}
      <dl className="facts">
        <div>
          <dt>Symbols</dt>
          <dd>{fmt(td?.symbols)}</dd>
        </div>
        <div>
          <dt>Timeframes</dt>
          <dd>{fmt(td?.timeframes)}</dd>
        </div>
        <div>
          <dt>Training data</dt>
          <dd>
            {td?.date_range?.start ?? '…'} → {td?.date_range?.end ?? '…'}
          </dd>
        </div>
        <div>
          <dt>Backtest window</dt>
          <dd>
            {config.backtest?.date_range?.start ?? '…'} → {config.backtest?.date_range?.end ?? '…'}
          </dd>
        </div>
      </dl>
      <div className="two-col">
        <div className="table-wrap">
          <table className="compact">
            <caption>Indicators</caption>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Type</th>
                <th scope="col">Parameters</th>
              </tr>
            </thead>
            <tbody>
              {indicators.map(([id, spec]) => {
                const { type, ...rest } = spec;
                return (
                  <tr key={id}>
                    <td className="mono">{id}</td>
                    <td>{fmt(type)}</td>
                    <td className="small">
                      {Object.entries(rest)
                        .map(([k, v]) => `${k}=${fmt(v)}`)
                        .join(', ') || '—'}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <div className="table-wrap">
          <table className="compact">
            <caption>Fuzzy sets</caption>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Input</th>
                <th scope="col">Sets</th>
              </tr>
            </thead>
            <tbody>
              {fuzzy.map(([id, spec]) => {
                const { indicator, ...sets } = spec;
                return (
                  <tr key={id}>
                    <td className="mono">{id}</td>
                    <td className="mono small">{fmt(indicator)}</td>
                    <td className="small">
                      {Object.entries(sets).map(([name, s]) => {
                        const m = (s ?? {}) as { type?: string; parameters?: number[] };
                        return (
                          <span key={name} className="fuzzy-set">
                            {name}{' '}
                            <span className="muted">
                              {m.type ?? ''} [{fmt(m.parameters)}]
                            </span>
                          </span>
                        );
                      })}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </div>
      <dl className="facts">
        <div className="wide">
          <dt>Network inputs</dt>
          <dd>{(config.nn_inputs ?? []).map((i) => `${i.fuzzy_set} (${fmt(i.timeframes)})`).join('; ') || '—'}</dd>
        </div>
        <div className="wide">
          <dt>Model</dt>
          <dd>
            {config.model?.type ?? 'mlp'} · layers {fmt(arch['hidden_layers'])} · {fmt(arch['activation'])} · dropout {fmt(arch['dropout'])} · lr{' '}
            {fmt(train['learning_rate'])} · batch {fmt(train['batch_size'])} · {fmt(train['epochs'])} epochs
          </dd>
        </div>
      </dl>
    </div>
  );
}
