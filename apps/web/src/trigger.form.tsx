import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from './api.client';
import type { ListEnvelope, StrategySummary, TriggerAccepted, TriggerBody } from './api.types';
import { ErrorNote } from './ui.components';

/** Refusals of POST /agent/trigger in words; the API's own message follows. */
export const REFUSAL_WORDS: Record<string, string> = {
  active_cycle_exists: 'A research cycle is already running.',
  at_capacity: 'Every research slot is busy.',
  budget_exhausted: "Today's LLM budget is spent.",
  not_resumable: 'This cycle cannot be resumed.',
};

/** A refusal: its reason in words (from `words`, the cycle routes' by default), then the API's own message. */
export function Refusal({ error, words: known = REFUSAL_WORDS }: { error: unknown; words?: Record<string, string> }) {
  if (!(error instanceof ApiError)) return <ErrorNote error={error} />;
  const words = error.reason ? known[error.reason] : undefined;
  return (
    <div className="error-note" role="alert" data-testid="refusal" data-reason={error.reason ?? ''}>
      {words && <strong>{words} </strong>}
      <span data-testid="api-error">{error.message}</span>
    </div>
  );
}

export function TriggerForm({ onStarted }: { onStarted: (id: string) => void }) {
  const [strategies, setStrategies] = useState<StrategySummary[] | null>(null);
  const [strategiesError, setStrategiesError] = useState<unknown>(null);
  const [model, setModel] = useState('');
  const [brief, setBrief] = useState('');
  const [strategy, setStrategy] = useState('');
  const [bypass, setBypass] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [started, setStarted] = useState<string | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    api<ListEnvelope<StrategySummary>>('GET', '/strategies', undefined, ctrl.signal)
      .then((r) => setStrategies(r.data))
      .catch((e: unknown) => !ctrl.signal.aborted && setStrategiesError(e));
    return () => ctrl.abort();
  }, []);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setStarted(null);
    const body: TriggerBody = {};
    if (model) body.model = model;
    if (brief.trim() && !strategy) body.brief = brief.trim();
    if (strategy) body.strategy = strategy;
    if (bypass) body.bypass_gates = true;
    try {
      const res = await api<TriggerAccepted>('POST', '/agent/trigger', body);
      setStarted(res.operation_id);
      onStarted(res.operation_id);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="trigger-form" onSubmit={(e) => void submit(e)} aria-label="Start a research cycle">
      <div className="field">
        <label htmlFor="trigger-model">Model</label>
        <select id="trigger-model" value={model} onChange={(e) => setModel(e.target.value)}>
          <option value="">Default</option>
          <option value="opus">opus</option>
          <option value="sonnet">sonnet</option>
          <option value="haiku">haiku</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="trigger-strategy">Strategy</label>
        <select id="trigger-strategy" value={strategy} onChange={(e) => setStrategy(e.target.value)} aria-describedby="trigger-strategy-help">
          <option value="">Design a new one</option>
          {strategies?.map((s) => (
            <option key={s.name} value={s.name} disabled={!s.valid}>
              {s.name}
              {s.valid ? '' : ' (invalid)'}
            </option>
          ))}
        </select>
        <small id="trigger-strategy-help" className="muted">
          {strategiesError ? `Strategies could not be listed: ${(strategiesError as Error).message}` : 'An existing strategy skips the design phase.'}
        </small>
      </div>
      <div className="field field-wide">
        <label htmlFor="trigger-brief">Brief</label>
        <textarea
          id="trigger-brief"
          rows={2}
          value={strategy ? '' : brief}
          onChange={(e) => setBrief(e.target.value)}
          disabled={!!strategy}
          placeholder={strategy ? 'Not used with an existing strategy' : 'e.g. momentum on daily S&P 500 with RSI and MACD'}
        />
      </div>
      <div className="field field-check">
        <input id="trigger-bypass" type="checkbox" checked={bypass} onChange={(e) => setBypass(e.target.checked)} />
        <label htmlFor="trigger-bypass">Bypass quality gates</label>
      </div>
      <div className="field field-submit">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Starting…' : 'Start research cycle'}
        </button>
      </div>
      <div className="form-feedback" aria-live="polite">
        {error ? (
          <Refusal error={error} />
        ) : started ? (
          <p className="ok">
            Research cycle started: <span className="mono">{started}</span>
          </p>
        ) : null}
      </div>
    </form>
  );
}
