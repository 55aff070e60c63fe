import { useEffect, useState, type FormEvent } from 'react';
import { api } from './api.client';
import { isTerminal, type CampaignAccepted, type CampaignBody, type CampaignList, type CampaignView, type DataSetInfo } from './api.types';
import { CAMPAIGN_REFUSAL_WORDS, stageText, STOP_WORDS, TIMEFRAME_CHOICES, trialsText, VERDICT_WORDS } from './campaign.info';
import { dateTime, num } from './format.util';
import { campaignHref, Link, navigate, useLocation } from './router.hook';
import { Refusal } from './trigger.form';
import { ErrorNote, Section, StatusBadge } from './ui.components';

const PAGE_SIZE = 20;
/** While a listed campaign is active, the list is read again this often (its page is live from the event stream). */
const REFRESH_MS = 5000;

/**
 * Research campaigns, newest first (GET /agent/campaigns), and a small form that starts one
 * (POST /agent/campaigns) and opens its page. The page number lives in the URL.
 */
export function CampaignsView() {
  const { search } = useLocation();
  const page = Math.max(0, Number.parseInt(search.get('page') ?? '0', 10) || 0);
  const [loaded, setLoaded] = useState<{ rows: CampaignView[]; total: number; page: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const anyActive = loaded?.rows.some((c) => !isTerminal(c.status)) ?? false;

  useEffect(() => {
    const ctrl = new AbortController();
    const read = async (): Promise<void> => {
      const q = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(page * PAGE_SIZE) });
      try {
        const list = await api<CampaignList>('GET', `/agent/campaigns?${q}`, undefined, ctrl.signal);
        setLoaded({ rows: list.data, total: list.total_count, page });
        setError(null);
      } catch (e) {
        if (!ctrl.signal.aborted) setError(e);
      }
    };
    void read();
    const t = anyActive ? setInterval(() => document.visibilityState === 'visible' && void read(), REFRESH_MS) : null;
    return () => {
      if (t) clearInterval(t);
      ctrl.abort();
    };
  }, [page, anyActive]);

  const rows = loaded?.rows ?? null;
  const total = loaded?.total ?? 0;
  const shown = loaded?.page ?? page;
  const from = total === 0 ? 0 : shown * PAGE_SIZE + 1;
  const to = Math.min(total, (shown + 1) * PAGE_SIZE);
  const go = (p: number): void => navigate(p > 0 ? `/campaigns?page=${p}` : '/campaigns');
  return (
    <>
      <Section title="Start a research campaign" id="campaign-start">
        <CampaignForm />
      </Section>
      <Section title="Campaigns" id="campaigns">
        <ErrorNote error={error} />
        {rows && rows.length === 0 && (
          <p className="muted" data-testid="no-campaigns">
            No research campaign yet.
          </p>
        )}
        {rows && rows.length > 0 && (
          <div className="table-wrap">
            <table className="history-table stack-on-phone" data-testid="campaigns-table">
              <thead>
                <tr>
                  <th scope="col">Started</th>
                  <th scope="col">Status</th>
                  <th scope="col">Stage</th>
                  <th scope="col" className="n">
                    Trials
                  </th>
                  <th scope="col" className="n">
                    Best DSR
                  </th>
                  <th scope="col">Verdict</th>
                  <th scope="col">Stopped because</th>
                  <th scope="col">Scope</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <CampaignRow key={c.operation_id} c={c} />
                ))}
              </tbody>
            </table>
            <p className="muted small" data-testid="best-dsr-legend">
              Best DSR: the best trial that passed every gate, deflated by the trials recorded up to it (what the stop rule compares). A campaign&apos;s page
              deflates every trial by all of them.
            </p>
          </div>
        )}
        <nav className="pager" aria-label="Campaign pages">
          <button type="button" onClick={() => go(page - 1)} disabled={page === 0}>
            ← Newer
          </button>
          <span className="muted num" data-testid="campaigns-range">
            {total ? `${from}–${to} of ${total}` : ''}
          </span>
          <button type="button" onClick={() => go(page + 1)} disabled={to >= total}>
            Older →
          </button>
        </nav>
      </Section>
    </>
  );
}

function CampaignRow({ c }: { c: CampaignView }) {
  return (
    <tr data-testid="campaign-row" data-operation-id={c.operation_id} data-status={c.status}>
      <td data-label="Started">
        <Link href={campaignHref(c.operation_id)} aria-label={`Open campaign ${c.operation_id}`}>
          {dateTime(c.created_at)}
        </Link>
      </td>
      <td data-label="Status">
        <StatusBadge status={c.status} />
      </td>
      <td data-label="Stage">{stageText(c.status, c.stage)}</td>
      <td data-label="Trials" className="n" data-testid="campaign-trials">
        {trialsText(c)}
        {c.active_cycles.length > 0 ? <span className="muted small"> ({c.active_cycles.length} running)</span> : null}
      </td>
      <td data-label="Best DSR" className="n" data-testid="campaign-best">
        {c.best ? (
          <span title={`trial ${c.best.trial}${c.best.strategy_name ? ` (${c.best.strategy_name})` : ''}, Sharpe ${num(c.best.sharpe)}`}>
            {num(c.best.dsr)}
          </span>
        ) : (
          '—'
        )}
      </td>
      <td data-label="Verdict" data-testid="campaign-verdict">
        {c.verdict ? <span className={`verdict verdict-${c.verdict}`}>{VERDICT_WORDS[c.verdict]}</span> : <span className="muted">—</span>}
      </td>
      <td data-label="Stopped because" className="wrap" data-testid="campaign-stop" title={c.stop_reason ? STOP_WORDS[c.stop_reason] : undefined}>
        {c.stop_reason ? <code>{c.stop_reason}</code> : <span className="muted">—</span>}
      </td>
      <td data-label="Scope" className="mono small">
        {c.scope.symbols.join(', ')} {c.scope.timeframe}
      </td>
    </tr>
  );
}

/** Symbols as typed: separated by commas or spaces. */
const symbolsOf = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Brief, market, how many cycles at most and the search; every other limit keeps the API's default. */
function CampaignForm() {
  const [brief, setBrief] = useState('');
  const [symbols, setSymbols] = useState('SP500');
  const [timeframe, setTimeframe] = useState<(typeof TIMEFRAME_CHOICES)[number]>('1d');
  const [maxCycles, setMaxCycles] = useState('20');
  const [searchMode, setSearchMode] = useState<'directed' | 'random'>('directed');
  const [known, setKnown] = useState<DataSetInfo[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  // The market data there is, as suggestions for the symbols field (the API checks the scope itself).
  useEffect(() => {
    const ctrl = new AbortController();
    api<{ data: DataSetInfo[] }>('GET', '/data', undefined, ctrl.signal)
      .then((r) => setKnown(r.data))
      .catch(() => undefined);
    return () => ctrl.abort();
  }, []);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body: CampaignBody = { search: searchMode, scope: { symbols: symbolsOf(symbols), timeframe } };
    if (brief.trim()) body.brief = brief.trim();
    if (maxCycles.trim()) body.max_cycles = Number(maxCycles); // a bad number is worded by the API
    try {
      const res = await api<CampaignAccepted>('POST', '/agent/campaigns', body);
      navigate(campaignHref(res.operation_id));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const suggestions = [...new Set(known.filter((d) => d.timeframe === timeframe && !d.symbol.includes('*')).map((d) => d.symbol))];
  return (
    <form className="campaign-form" onSubmit={(e) => void submit(e)} aria-label="Start a research campaign">
      <div className="field field-wide">
        <label htmlFor="campaign-brief">Brief</label>
        <textarea
          id="campaign-brief"
          rows={2}
          value={brief}
          onChange={(e) => setBrief(e.target.value)}
          placeholder="e.g. momentum and mean reversion on daily S&P 500"
        />
      </div>
      <div className="field">
        <label htmlFor="campaign-symbols">Symbols</label>
        <input
          id="campaign-symbols"
          type="text"
          value={symbols}
          onChange={(e) => setSymbols(e.target.value)}
          list="campaign-symbol-list"
          aria-describedby="campaign-symbols-help"
        />
        <datalist id="campaign-symbol-list">
          {suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <small id="campaign-symbols-help" className="muted">
          Up to 5, separated by commas.
        </small>
      </div>
      <div className="field">
        <label htmlFor="campaign-timeframe">Timeframe</label>
        <select id="campaign-timeframe" value={timeframe} onChange={(e) => setTimeframe(e.target.value as (typeof TIMEFRAME_CHOICES)[number])}>
          {TIMEFRAME_CHOICES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="campaign-max-cycles">Max cycles</label>
        <input id="campaign-max-cycles" type="number" min={1} max={1000} step={1} value={maxCycles} onChange={(e) => setMaxCycles(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="campaign-search">Search</label>
        <select id="campaign-search" value={searchMode} onChange={(e) => setSearchMode(e.target.value as 'directed' | 'random')}>
          <option value="directed">directed (learns from the ledger)</option>
          <option value="random">random (the control)</option>
        </select>
      </div>
      <div className="field field-submit">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Starting…' : 'Start campaign'}
        </button>
      </div>
      <div className="form-feedback" aria-live="polite">
        {error ? <Refusal error={error} words={CAMPAIGN_REFUSAL_WORDS} /> : null}
      </div>
    </form>
  );
}
