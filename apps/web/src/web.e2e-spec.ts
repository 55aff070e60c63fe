import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CampaignView, HoldoutResult, Trial, TrialRecord } from '@ktrdr/api-contract';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { OPEN_GATES_ENV } from '../../../tools/testing/research.fixtures';
import { eventually, repoRoot, startStack, type Stack } from '../../../tools/testing/stack.harness';
import { STOP_WORDS, VERDICT_WORDS } from './campaign.info';

/**
 * The web view in a real browser: Debian's Chromium driven by playwright-core against the
 * built API (which serves apps/web/dist at `/`) and research worker on a real Redis. Stub phases for
 * trigger / cancel / failure / history; then real phases for a completed cycle's charts, behind an
 * API token for the token prompt. Every page fails its test on a console error or an uncaught one.
 *
 * KTRDR_SCREENSHOTS=docs/screenshots writes the README's screenshots (1280 and 390 px wide); an
 * absolute directory (e.g. /tmp/shots) works too.
 */

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const SHOTS = process.env['KTRDR_SCREENSHOTS'] ? resolve(repoRoot(), process.env['KTRDR_SCREENSHOTS']) : null;
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

interface Op {
  operation_id: string;
  status: string;
  error_message: string | null;
  metadata: { parameters: Record<string, unknown> };
}

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
}, 30_000);
afterAll(async () => browser?.close());

/**
 * Chromium logs every 4xx answer to a fetch as a console error ("Failed to load resource"), even one
 * the page expects and shows (a refusal, the 401 that makes it ask for the token). A test takes
 * out exactly the lines it caused on purpose, by status and URL; anything else fails it.
 */
function takeHttpErrors(p: WatchedPage, status: number, path: string): number {
  const hit = (e: string) => e.includes(`status of ${status}`) && e.includes(path);
  const n = p.errors.filter(hit).length;
  const rest = p.errors.filter((e) => !hit(e));
  p.errors.length = 0;
  p.errors.push(...rest);
  return n;
}

/** A page that records console errors and uncaught exceptions. */
interface WatchedPage {
  page: Page;
  context: BrowserContext;
  errors: string[];
  close(): Promise<void>;
}
/** Pages the current test opened: closed after it, and none may have logged an error. */
let openPages: WatchedPage[] = [];
async function openPage(baseURL: string, viewport = DESKTOP): Promise<WatchedPage> {
  const context = await browser.newContext({ baseURL, viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()} @ ${m.location().url}`));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  const watched = { page, context, errors, close: () => context.close() };
  openPages.push(watched);
  return watched;
}
afterEach(async () => {
  const errors = openPages.flatMap((p) => p.errors);
  await Promise.all(openPages.map((p) => p.close()));
  openPages = [];
  expect(errors).toEqual([]);
});

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  // Charts draw on animation frames: wait until the page has painted two more of them.
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

const card = (page: Page, id: string) => page.locator(`[data-testid="active-cycle"][data-operation-id="${id}"]`);

describe('web view on stub phases', () => {
  let stack: Stack;
  const open = (viewport = DESKTOP) => openPage(stack.apiUrl, viewport);

  beforeAll(async () => {
    stack = await startStack({ workerEnv: { KTRDR_STUB_DELAY_MS: '1500' } });
  }, 60_000);
  afterAll(async () => stack?.stop());

  it('serves the page at / and at client routes, and leaves the REST API JSON', async () => {
    for (const path of [
      '/',
      '/history',
      '/cycles/op_agent_research_20260101_000000_00000000',
      '/campaigns',
      '/campaigns/op_agent_campaign_20260101_000000_00000000',
    ]) {
      const res = await fetch(`${stack.apiUrl}${path}`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<div id="root">');
    }
    const api = await fetch(`${stack.apiUrl}/api/v1/nope`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/json/);
  });

  it('triggers from the page, shows the phase move live, words a refusal, and cancels both records', async () => {
    const p = await open();
    const { page } = p;
    await page.goto('/');
    await expect(page.getByTestId('no-active').textContent()).resolves.toContain('No research cycle');
    await page.getByLabel('Bypass quality gates').check();
    await page.getByRole('button', { name: 'Start research cycle' }).click();
    const started = page.locator('[data-testid="active-cycle"]');
    await started.waitFor();
    const id = (await started.getAttribute('data-operation-id'))!;
    expect(id).toMatch(/^op_agent_research_/);
    const c = card(page, id);
    await c.getByTestId('cycle-phase').filter({ hasText: 'Designing' }).waitFor();
    await c.getByTestId('cycle-phase').filter({ hasText: 'Training' }).waitFor();
    expect(await c.getByTestId('child-status').textContent()).toBe('running');
    await c.getByTestId('progress-step').filter({ hasText: /\S/ }).waitFor();

    // A second trigger while this one runs: the refusal in words, and the API's own message.
    await page.getByRole('button', { name: 'Start research cycle' }).click();
    const refusal = page.getByTestId('refusal');
    await refusal.waitFor();
    expect(await refusal.getAttribute('data-reason')).toBe('active_cycle_exists');
    expect(await refusal.textContent()).toContain('A research cycle is already running.');
    expect(await refusal.getByTestId('api-error').textContent()).toContain(`Active cycle exists: ${id}`);
    expect(takeHttpErrors(p, 409, '/api/v1/agent/trigger')).toBe(1);

    if (SHOTS) {
      await shot(page, 'now-1280');
      const phone = await open(PHONE);
      await phone.page.goto('/');
      await card(phone.page, id).getByTestId('progress-step').filter({ hasText: /\S/ }).waitFor();
      await shot(phone.page, 'now-390');
    }

    await c.getByRole('button', { name: 'Cancel cycle' }).click();
    await c.getByRole('button', { name: 'Yes, cancel it' }).click();
    await c.getByTestId('cycle-status').filter({ hasText: 'cancelled' }).waitFor({ timeout: 5000 });
    await c.getByTestId('child-status').filter({ hasText: 'cancelled' }).waitFor({ timeout: 5000 });

    const parent = await stack.request<{ data: Op }>('GET', `/operations/${id}`);
    expect(parent.body.data.status).toBe('cancelled');
    const children = await stack.request<{ data: Op[] }>('GET', `/operations/${id}/children`);
    expect(children.body.data.length).toBeGreaterThan(0);
    expect(children.body.data.at(-1)!.status).toBe('cancelled');
    // The cancelled card stays, so the outcome is visible without a reload, and offers the cycle page.
    await c.getByRole('link', { name: 'Open cycle' }).waitFor();
    // It still names the strategy it was training.
    expect(await c.getByTestId('cycle-strategy').textContent()).toBe('v3_minimal');
  });

  it('a failed cycle shows its error message in the history and on its page, and Resume opens the new cycle', async () => {
    // One normal cycle to completion, then a worker whose backtest fails, for a mixed history.
    const ok = await stack.request<{ operation_id: string }>('POST', '/agent/trigger', { bypass_gates: true });
    await eventually(
      async () => ((await stack.request<{ data: Op }>('GET', `/operations/${ok.body.operation_id}`)).body.data.status === 'completed' ? true : undefined),
      'stub cycle completed',
      30_000,
      200,
    );
    const first = stack.workers[0]!;
    first.child.kill('SIGTERM');
    await first.exited;
    const failure = 'no market data for SP500 1h between 2021-01-01 and 2021-06-30';
    await stack.startWorker('all', { KTRDR_STUB_DELAY_MS: '300', KTRDR_STUB_FAILURES: JSON.stringify({ backtesting: failure }) });
    const bad = await stack.request<{ operation_id: string }>('POST', '/agent/trigger');
    const failedId = bad.body.operation_id;
    const failed = await eventually(
      async () => {
        const op = (await stack.request<{ data: Op }>('GET', `/operations/${failedId}`)).body.data;
        return op.status === 'failed' ? op : undefined;
      },
      'cycle failed',
      30_000,
      100,
    );
    expect(failed.error_message).toBe(`Backtest failed: ${failure}`);

    const { page } = await open();
    await page.goto('/history');
    const rows = page.getByTestId('history-row');
    await rows.first().waitFor();
    // Newest first: the failed cycle, then the completed one, then the cancelled one.
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).toEqual(['failed', 'completed', 'cancelled']);
    expect(await page.getByTestId('history-error').first().textContent()).toContain(`Backtest failed: ${failure}`);
    const completedRow = page.locator(`[data-testid="history-row"][data-operation-id="${ok.body.operation_id}"]`);
    expect(await completedRow.textContent()).toContain('stub');
    expect(await completedRow.locator('td[data-label="Sharpe"]').textContent()).toMatch(/^-?\d+\.\d\d$/);
    expect(await page.getByTestId('history-range').textContent()).toBe('1–3 of 3');
    // The cancelled cycle keeps its strategy's name; the return's colour is explained under the table.
    const cancelledRow = page.locator('[data-testid="history-row"][data-status="cancelled"]');
    expect(await cancelledRow.locator('td[data-label="Strategy"]').textContent()).toBe('v3_minimal');
    expect(await page.getByTestId('return-legend').textContent()).toContain('trailed buy-and-hold, even when it made money');
    await shot(page, 'history-1280');

    // Filter by outcome: the URL carries it, and only failed rows remain.
    await page.getByLabel('Outcome').selectOption('failed');
    await page.waitForURL(/outcome=failed/);
    await page.getByTestId('history-range').filter({ hasText: '1–1 of 1' }).waitFor();
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).toEqual(['failed']);

    // Keyboard: the row's link opens the cycle page.
    await page.getByRole('link', { name: `Open cycle ${failedId}` }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/cycles/${failedId}$`));
    await page.getByTestId('cycle-status').filter({ hasText: 'failed' }).waitFor();
    expect(await page.getByTestId('cycle-error').textContent()).toBe(`Backtest failed: ${failure}`);
    await page.locator('[data-testid="child-row"][data-type="backtesting"]').getByText(failure).waitFor();
    await page.getByRole('button', { name: 'Resume cycle' }).waitFor();

    const phone = await open(PHONE);
    await phone.page.goto('/history');
    await phone.page.getByTestId('history-row').first().waitFor();
    await shot(phone.page, 'history-390');

    // Resume (POST /agent/resume/{id}) opens the new cycle, which names the one it resumed.
    await page.getByRole('button', { name: 'Resume cycle' }).click();
    await page.waitForURL((url) => /\/cycles\/op_agent_research_/.test(url.pathname) && !url.pathname.endsWith(failedId));
    const resumedId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    await page.getByRole('link', { name: failedId }).waitFor();
    const resumed = (await stack.request<{ data: Op }>('GET', `/operations/${resumedId}`)).body.data;
    expect(resumed.metadata.parameters['resumed_from']).toBe(failedId);
    // It starts at the backtest, which this worker fails again: the page follows it there live.
    await page.getByTestId('cycle-status').filter({ hasText: 'failed' }).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('cycle-error').textContent()).toBe(`Backtest failed: ${failure}`);
  });

  it('paginates the history ten at a time', async () => {
    // Seed finished cycles cheaply: trigger and cancel at once.
    for (let i = 0; i < 9; i++) {
      const t = await stack.request<{ operation_id: string }>('POST', '/agent/trigger');
      expect(t.status).toBe(202);
      expect((await stack.request('DELETE', `/agent/cancel/${t.body.operation_id}`)).status).toBe(200);
    }
    const { page } = await open();
    await page.goto('/history');
    // 4 cycles from the tests above (cancelled, completed, failed, its failed resume) and these 9.
    await page.getByTestId('history-range').filter({ hasText: '1–10 of 13' }).waitFor();
    expect(await page.getByTestId('history-row').count()).toBe(10);
    // Cancelled before their design finished: they say why they have no strategy rather than a bare dash.
    expect(await page.locator('td[data-label="Strategy"]').first().textContent()).toBe('none: cancelled before the design finished');
    await page.getByRole('button', { name: 'Older →' }).click();
    await page.getByTestId('history-range').filter({ hasText: '11–13 of 13' }).waitFor();
    expect(await page.getByTestId('history-row').count()).toBe(3);
    expect(await page.getByRole('button', { name: 'Older →' }).isDisabled()).toBe(true);
    await page.goBack();
    await page.getByTestId('history-range').filter({ hasText: '1–10 of 13' }).waitFor();
  });
});

/** What the campaign routes answer, as the tests read them. */
interface Leaderboard {
  data: (Trial & { rank: number })[];
  trials: number;
  pbo: number | null;
  pbo_trials: number;
  dsr_threshold: number;
  pbo_threshold: number;
}
interface Trials {
  data: Trial[];
  dsr_threshold: number;
}
/** The page's number format (format.util num): two decimals, a dash for none. */
const two = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : x.toFixed(2));

/** Normal draws from a seeded generator (mulberry32 and Box–Muller): the seeded returns, and so their DSR and PBO, are the same on every run. */
function normals(seed: number, n: number, mean: number, sd: number): number[] {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()));
}

/** The six trials a seeded ledger holds: three passed, one stopped by a gate (all with returns), one failed, one cancelled. */
const SEEDED = [
  { outcome: 'passed', family: 'momentum/zigzag', mean: 0.0004, reason: null },
  { outcome: 'passed', family: 'momentum/zigzag', mean: 0.0018, reason: null },
  {
    outcome: 'gate_failed',
    family: 'mean_reversion/zigzag',
    mean: -0.0003,
    reason: 'Training gate failed: no_skill (accuracy 48.1% ≤ majority baseline 50.3%)',
  },
  { outcome: 'passed', family: 'mean_reversion/zigzag', mean: 0.001, reason: null },
  { outcome: 'failed', family: 'trend/forward_return', mean: null, reason: 'Training failed: no market data for SP500 1d between 2010-01-04 and 2011-02-07' },
  { outcome: 'cancelled', family: null, mean: null, reason: 'Cancelled by user' },
] as const;
/** The DSR of each seeded trial as the campaign's last step scored it (trial 2 above the threshold), and the PBO over the four with returns. */
const SEEDED_DSR = [0.31, 0.97, 0.12, 0.64, null, null];
const SEEDED_PBO = 0.14;
/** Trial 2's one look at the holdout (completed); trial 4's look was cancelled with the campaign. */
const LOOK_2 = { sharpe_ratio: 0.61, total_return: 0.084, max_drawdown: 0.112, total_trades: 14, win_rate: 0.57, benchmark_return: 0.12 };

/**
 * A campaign cancelled while its finalists took their holdout look, seeded in Redis: its ledger
 * (six trials, their out-of-sample returns, two holdout looks) written the way CampaignLedger writes
 * it (libs/operations campaign.ledger.ts: one hash of trials by cycle id, one of returns, one of
 * looks by trial number, and the scores the campaign's last step computed over them) and the
 * campaign's record moved to the holdout stage with its finalists.
 */
async function seedLedger(stack: Stack, campaignId: string): Promise<void> {
  const base = `${stack.prefix}:{ops}:`;
  const ledger = (part: string) => `${base}ledger:${campaignId}:${part}`;
  const times = Array.from({ length: 400 }, (_, i) => Date.UTC(2010, 0, 4) + i * 86_400_000);
  const cycleIdOf = (n: number) => `op_agent_research_20260101_00000${n}_5eed000${n}`;
  for (const [i, s] of SEEDED.entries()) {
    const n = i + 1;
    const cycleId = cycleIdOf(n);
    const r = s.mean === null ? null : normals(40 + n, times.length, s.mean, 0.01);
    const mean = r ? r.reduce((a, b) => a + b, 0) / r.length : null;
    const sd = r && mean !== null ? Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1)) : null;
    const perBar = mean !== null && sd ? mean / sd : null;
    const record: TrialRecord = {
      trial: n,
      cycle_id: cycleId,
      campaign_id: campaignId,
      strategy_name: s.family ? `seeded_${s.family.split('/')[0]}_${n}` : null,
      strategy_hash: s.outcome === 'cancelled' ? null : `5eed${n}`,
      idea: s.family ? { family: s.family, hypothesis: null } : null,
      params: null,
      outcome: s.outcome,
      reason: s.reason,
      metrics: {
        accuracy: r ? 0.52 : null,
        majority_baseline: r ? 0.5 : null,
        sharpe_ratio: perBar === null ? null : perBar * Math.sqrt(252),
        total_return: r ? r.reduce((acc, v) => acc * (1 + v), 1) - 1 : null,
        max_drawdown: r ? 0.08 + n / 100 : null,
        win_rate: r ? 0.5 : null,
        total_trades: r ? 20 + n : null,
        random_entry_p_value: r ? 0.2 : null,
        psr: null,
        per_bar_sharpe: perBar,
        bars: r?.length ?? 0,
      },
      recorded_at: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
      dsr_at_record: null,
    };
    await stack.redis.hset(ledger('trials'), cycleId, JSON.stringify(record));
    if (r) await stack.redis.hset(ledger('returns'), cycleId, JSON.stringify({ t: times, r }));
  }
  await stack.redis.set(
    ledger('scores'),
    JSON.stringify({
      dsr: Object.fromEntries(SEEDED_DSR.map((dsr, i) => [cycleIdOf(i + 1), dsr])),
      expected_max_sharpe: 0.05,
      trials: 5,
      pbo: SEEDED_PBO,
      pbo_trials: 4,
      pbo_bars: times.length,
      computed_at: new Date(Date.UTC(2026, 0, 1, 0, 7)).toISOString(),
    }),
  );
  const look = (trial: number, extra: Partial<HoldoutResult>): HoldoutResult => ({
    trial,
    cycle_id: `op_agent_research_20260102_00000${trial}_100c000${trial}`,
    status: 'completed',
    sharpe_ratio: null,
    total_return: null,
    max_drawdown: null,
    total_trades: null,
    win_rate: null,
    benchmark_return: null,
    error: null,
    ...extra,
  });
  await stack.redis.hset(ledger('holdout'), '2', JSON.stringify(look(2, LOOK_2)));
  await stack.redis.hset(ledger('holdout'), '4', JSON.stringify(look(4, { status: 'cancelled', error: 'Cancelled by user' })));
  await stack.redis.hset(`${base}op:${campaignId}`, { 'm:stage': '"holdout"', 'm:stop_reason': '"max_cycles"', 'm:finalist_trials': '[2,4]' });
}

const campaignRow = (page: Page, id: string) => page.locator(`[data-testid="campaign-row"][data-operation-id="${id}"]`);

describe('campaigns on stub phases', () => {
  let stack: Stack;
  const open = (viewport = DESKTOP) => openPage(stack.apiUrl, viewport);
  const campaign = async (id: string): Promise<CampaignView> => (await stack.request<{ data: CampaignView }>('GET', `/agent/campaigns/${id}`)).body.data;

  beforeAll(async () => {
    stack = await startStack({ workerEnv: { KTRDR_STUB_DELAY_MS: '300' } });
  }, 60_000);
  afterAll(async () => stack?.stop());

  it('starts a campaign from the form, follows it live to its end, and lists it', async () => {
    const { page } = await open();
    await page.goto('/campaigns');
    await page.getByTestId('no-campaigns').waitFor();
    await page.getByLabel('Brief').fill('momentum on daily S&P 500');
    await page.getByLabel('Symbols').fill('SP500');
    await page.getByLabel('Timeframe').selectOption('1d');
    await page.getByLabel('Max cycles').fill('3');
    await page.getByLabel('Search', { exact: true }).selectOption('random');
    await page.getByRole('button', { name: 'Start campaign' }).click();
    await page.waitForURL(/\/campaigns\/op_agent_campaign_/);
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);

    // Live, no reload: running with a cycle of its own, then each trial counted, then done.
    await page.locator('[data-testid="campaign-status"][data-status="running"]').waitFor();
    await page.getByTestId('active-trial').first().waitFor();
    await page
      .getByTestId('campaign-trials')
      .filter({ hasText: /^[12]\/3/ })
      .waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="campaign-status"][data-status="completed"]').waitFor({ timeout: 30_000 });
    await page.getByTestId('campaign-verdict').waitFor();

    const c = await campaign(id);
    expect(c.status).toBe('completed');
    expect(c.brief).toBe('momentum on daily S&P 500');
    expect(c.limits.search).toBe('random');
    expect(c.limits.max_cycles).toBe(3);
    expect(c.scope).toEqual({ symbols: ['SP500'], timeframe: '1d' });
    expect(await page.getByTestId('campaign-trials').textContent()).toBe('3/3');
    expect(await page.getByTestId('campaign-stop-reason').textContent()).toBe('The search stopped because it ran its maximum number of cycles (max_cycles).');
    expect(await page.getByTestId('campaign-verdict').textContent()).toBe('nothing found');
    expect(await page.getByTestId('campaign-verdict-reason').textContent()).toBe(`Nothing found: ${c.verdict_reason}`);
    expect(await page.getByTestId('campaign-holdout').textContent()).toBe(`${c.holdout!.from} → ${c.holdout!.to}`);
    // Stub cycles leave no out-of-sample returns: no DSR, so an empty leaderboard that says why; the trials are still plotted.
    expect(await page.getByTestId('leaderboard-empty').textContent()).toContain('Stub cycles produce none');
    expect(await page.getByTestId('trials-chart').getAttribute('data-trials')).toBe('3');
    expect(await page.getByTestId('dsr-point').count()).toBe(0);
    expect((await page.getByTestId('sharpe-point').count()) + (await page.getByTestId('no-result-point').count())).toBe(3);
    expect(await page.getByTestId('report-sentence').allTextContents()).toEqual(c.report);

    // The list: status, trials i/N, verdict and stop reason; its link opens the page again.
    await page.getByRole('link', { name: 'Campaigns' }).click();
    const row = campaignRow(page, id);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('completed');
    expect(await row.getByTestId('campaign-trials').textContent()).toBe('3/3');
    expect(await row.getByTestId('campaign-verdict').textContent()).toBe('nothing found');
    expect(await row.getByTestId('campaign-stop').textContent()).toBe('max_cycles');
    expect(await page.getByTestId('campaigns-range').textContent()).toBe('1–1 of 1');
    await row.getByRole('link', { name: `Open campaign ${id}` }).click();
    await page.waitForURL(new RegExp(`/campaigns/${id}$`));
    await page.getByTestId('campaign-stop-reason').waitFor();
  }, 60_000);

  it('a start the API refuses shows its message', async () => {
    const p = await open();
    await p.page.goto('/campaigns');
    await p.page.getByLabel('Symbols').fill('NOPE_XYZ');
    await p.page.getByRole('button', { name: 'Start campaign' }).click();
    const refusal = p.page.getByTestId('refusal');
    await refusal.waitFor();
    expect(await refusal.getByTestId('api-error').textContent()).toBe(
      'Invalid body: scope.symbols: no market data for NOPE_XYZ 1d; GET /api/v1/data lists what there is',
    );
    expect(p.page.url()).toMatch(/\/campaigns$/);
    expect(takeHttpErrors(p, 422, '/api/v1/agent/campaigns')).toBe(1);
  });

  it('cancel from the page leaves the campaign and its cycles cancelled, and Resume starts a new one on the same ledger', async () => {
    // Phases that last, so a cycle is surely running when Cancel is pressed.
    const fast = stack.workers[0]!;
    fast.child.kill('SIGTERM');
    await fast.exited;
    await stack.startWorker('all', { KTRDR_STUB_DELAY_MS: '3000' });
    const started = await stack.request<{ operation_id: string }>('POST', '/agent/campaigns', { max_cycles: 50, stop_after_unproductive: 50 });
    expect(started.status).toBe(202);
    const id = started.body.operation_id;
    const { page } = await open();
    await page.goto(`/campaigns/${id}`);
    const running = page.getByTestId('active-trial').first();
    await running.waitFor({ timeout: 15_000 });
    const cycleId = (await running.getAttribute('data-operation-id'))!;
    expect(await page.getByRole('button', { name: 'Resume campaign' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Cancel campaign' }).click();
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.locator('[data-testid="campaign-status"][data-status="cancelled"]').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('campaign-stop-reason').textContent()).toBe('The search stopped because it was cancelled (cancelled).');
    expect(await page.getByRole('button', { name: 'Cancel campaign' }).count()).toBe(0);

    // Through the API: the campaign and every cycle under it ended, the running one cancelled.
    expect((await campaign(id)).status).toBe('cancelled');
    const children = (await stack.request<{ data: Op[] }>('GET', `/operations/${id}/children`)).body.data;
    expect(children.length).toBeGreaterThan(0);
    expect(children.filter((ch) => ch.status === 'pending' || ch.status === 'running')).toEqual([]);
    expect(children.find((ch) => ch.operation_id === cycleId)!.status).toBe('cancelled');

    // Resume opens the new campaign, which names the one it resumed and keeps its ledger and holdout.
    await page.getByRole('button', { name: 'Resume campaign' }).click();
    await page.waitForURL((url) => /\/campaigns\/op_agent_campaign_/.test(url.pathname) && !url.pathname.endsWith(id));
    const resumedId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    await page.getByRole('link', { name: id }).waitFor();
    const resumed = await campaign(resumedId);
    expect(resumed.resumed_from).toBe(id);
    expect(resumed.ledger_id).toBe(id);
    expect(resumed.holdout).toEqual((await campaign(id)).holdout);
    expect((await stack.request('DELETE', `/agent/campaigns/${resumedId}`)).status).toBe(200);
    await page.locator('[data-testid="campaign-status"][data-status="cancelled"]').waitFor({ timeout: 5000 });
  }, 60_000);

  it('a campaign cancelled during its holdout looks: leaderboard, trials plotted with the failed ones, PBO, finalists, report; Resume refused in words', async () => {
    const started = await stack.request<{ operation_id: string }>('POST', '/agent/campaigns', { max_cycles: 6, finalists: 2 });
    const id = started.body.operation_id;
    expect((await stack.request('DELETE', `/agent/campaigns/${id}`)).status).toBe(200);
    await seedLedger(stack, id);
    const c = await campaign(id);
    const board = (await stack.request<Leaderboard>('GET', `/agent/campaigns/${id}/leaderboard`)).body;
    const trials = (await stack.request<Trials>('GET', `/agent/campaigns/${id}/trials`)).body;
    expect(c.trials).toBe(6);
    expect(board.data.map((t) => t.trial).sort()).toEqual([1, 2, 3, 4]);
    expect(board.pbo).not.toBeNull();

    const p = await open();
    const { page } = p;
    await page.goto(`/campaigns/${id}`);
    await page.getByTestId('leaderboard').waitFor();
    expect(await page.getByTestId('campaign-stage').textContent()).toBe('Cancelled while evaluating finalists on the holdout');
    expect(await page.getByTestId('campaign-stop-reason').textContent()).toBe('The search stopped because it ran its maximum number of cycles (max_cycles).');

    // Leaderboard: the trials with returns, in the API's order, each DSR as the API scored it, each trial linked to its cycle.
    const rows = page.getByTestId('leaderboard-row');
    expect(await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-trial'))))).toEqual(board.data.map((t) => t.trial));
    expect(await page.getByTestId('dsr-value').allTextContents()).toEqual(board.data.map((t) => two(t.dsr)));
    expect(await page.getByTestId('leaderboard-sharpe').allTextContents()).toEqual(board.data.map((t) => two(t.metrics.sharpe_ratio)));
    expect(await rows.first().getByTestId('trial-link').getAttribute('href')).toBe(`/cycles/${board.data[0]!.cycle_id}`);
    expect(await rows.locator('[data-outcome="gate_failed"]').count()).toBe(1);

    // The plot: a DSR and a Sharpe point for each of the four, the failed and the cancelled trial in the strip beneath, the threshold drawn.
    const chart = page.getByTestId('trials-chart');
    expect(await chart.getAttribute('data-trials')).toBe('6');
    expect(await chart.getByTestId('dsr-point').count()).toBe(4);
    expect(await chart.getByTestId('sharpe-point').count()).toBe(4);
    expect(await chart.locator('[data-testid="dsr-point"][data-outcome="gate_failed"]').count()).toBe(1);
    expect(await chart.getByTestId('no-result-point').evaluateAll((els) => els.map((e) => e.getAttribute('data-outcome')))).toEqual(['failed', 'cancelled']);
    expect(Number(await chart.getByTestId('dsr-threshold-line').getAttribute('data-value'))).toBe(trials.dsr_threshold);
    // Drawn where it belongs: the threshold line sits at its share of the DSR pane's height, above every point below it.
    const geometry = await page.evaluate(() => {
      const line = document.querySelector('[data-testid="dsr-threshold-line"] line')!.getBoundingClientRect();
      const points = Array.from(document.querySelectorAll('[data-testid="dsr-point"]')).map((g) => ({
        trial: Number(g.getAttribute('data-trial')),
        y: g.getBoundingClientRect().top + g.getBoundingClientRect().height / 2,
      }));
      return { lineY: line.top, points };
    });
    for (const pt of geometry.points) {
      const dsr = board.data.find((t) => t.trial === pt.trial)!.dsr!;
      expect(dsr < trials.dsr_threshold ? pt.y > geometry.lineY : pt.y <= geometry.lineY + 1).toBe(true);
    }

    // PBO with its threshold.
    expect(await page.getByTestId('pbo-value').textContent()).toBe(two(board.pbo));
    expect(await page.getByTestId('pbo-threshold').textContent()).toContain(two(board.pbo_threshold));
    await page.getByTestId('pbo-gauge').waitFor();

    // Finalists: trial 2's holdout look beside its walk-forward numbers; trial 4's look cancelled, with why.
    const f2 = page.locator('[data-testid="finalist-row"][data-trial="2"]');
    expect(await f2.getByTestId('finalist-holdout-sharpe').textContent()).toBe('0.61');
    expect(await f2.getByTestId('finalist-search-sharpe').textContent()).toBe(two(trials.data[1]!.metrics.sharpe_ratio));
    expect(await page.locator('[data-testid="finalist-row"][data-trial="4"]').getAttribute('data-status')).toBe('cancelled');
    expect(await page.getByTestId('finalist-error').textContent()).toBe('Trial 4: Cancelled by user');
    // Drawn beside each other: trial 2 with both marks joined, trial 4 with its walk-forward mark only.
    expect(await page.locator('[data-testid="holdout-pair"][data-trial="2"] line').count()).toBe(1);
    expect(await page.locator('[data-testid="holdout-pair"][data-trial="4"] rect').count()).toBe(0);

    // Report and lessons as the API words them; every trial in the table, the failed one with its reason.
    expect(await page.getByTestId('report-sentence').allTextContents()).toEqual(c.report);
    expect(c.report[0]).toBe('6 trials: 3 passed every gate, 1 stopped at a gate, 1 failed, 1 cancelled.');
    expect(await page.getByTestId('lesson-row').count()).toBe(c.lessons.length);
    await page.getByText('All 6 trials, 3 of them not passed, with their reasons').click();
    expect(await page.locator('[data-testid="trial-row"][data-trial="5"]').textContent()).toContain(SEEDED[4].reason);
    expect(await page.getByTestId('campaign-best').textContent()).toBe(
      `#${board.data.find((t) => t.outcome === 'passed')!.trial} · DSR ${two(board.data.find((t) => t.outcome === 'passed')!.dsr)}`,
    );

    // A finalist has looked at the holdout: resuming is refused (409 holdout_used), in words and the API's own message.
    await page.getByRole('button', { name: 'Resume campaign' }).click();
    const refusal = page.getByTestId('refusal');
    await refusal.waitFor();
    expect(await refusal.getAttribute('data-reason')).toBe('holdout_used');
    expect(await refusal.textContent()).toContain('Its holdout has already been looked at');
    expect(await refusal.getByTestId('api-error').textContent()).toBe(
      `Cannot resume ${id}: its holdout was already evaluated (trials 2, 4); a second look is refused`,
    );
    expect(takeHttpErrors(p, 409, `/agent/campaigns/${id}/resume`)).toBe(1);
    expect(page.url()).toMatch(new RegExp(`/campaigns/${id}$`));

    // On a phone nothing is wider than the screen: the tables scroll inside their frames.
    const phone = await open(PHONE);
    await phone.page.goto(`/campaigns/${id}`);
    await phone.page.getByTestId('trials-chart').waitFor();
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  });
});

/** The walk-forward numbers a seeded cycle carries (checked on the page below). */
const WF = {
  plan: { scheme: 'expanding', folds: 5, purge: 20, embargo: 20, seeds: 3 },
  accuracy: [0.541, 0.518, 0.537, 0.502, 0.529],
  majority: [0.48, 0.502, 0.491, 0.51, 0.47],
  returns: [0.081, -0.034, 0.072, 0.015, 0.044],
  benchmark: [-0.12, 0.55, 0.61, 0.08, -0.05],
  sharpe: [0.92, -0.31, 0.66, 0.21, 0.48],
  trades: [22, 19, 20, 17, 21],
};

/**
 * A completed walk-forward cycle seeded in Redis: a copy of the finished cycle `from` (its record,
 * its four phase children, their artifacts), under new ids, with the walk-forward fields a cycle
 * evaluated in five folds carries laid over its training and backtest results, and the fold starts
 * on its equity artifact. Written as the store writes them: one hash per record (`m:` metadata
 * parameters as JSON), a list of children, one hash field per artifact.
 */
async function seedWalkForwardCycle(
  stack: Stack,
  from: string,
): Promise<{ id: string; evidence: { sharpe_ci95: number[]; cost_sensitivity: { break_even_cost: number } } }> {
  const key = (kind: string, id: string) => `${stack.prefix}:{ops}:${kind}:${id}`;
  const renamed = (id: string, n: number) => id.replace(/[0-9a-f]{8}$/, `f01d000${n}`);
  const cycleId = renamed(from, 0);
  const childIds = await stack.redis.lrange(key('children', from), 0, -1);
  const ids = new Map(childIds.map((id, i) => [id, renamed(id, i + 1)]));
  const cycle = await stack.redis.hgetall(key('op', from));
  const equity = JSON.parse(
    (await stack.redis.hget(
      key(
        'art',
        childIds.find((c) => c.startsWith('op_backtesting_'))!,
      ),
      'equity',
    ))!,
  ) as {
    t: string[];
  };
  // Five test folds over the backtest window, cut on the equity curve's own points.
  const cut = WF.accuracy.map((_, k) => Math.floor((k * equity.t.length) / 5));
  const spans = cut.map((at, k) => [equity.t[at]!, equity.t[(cut[k + 1] ?? equity.t.length) - 1]!] as const);
  const fold_starts = spans.map(([start]) => start);
  const training = (result: Record<string, unknown>) => ({
    ...result,
    evaluation: WF.plan,
    folds: spans.map(([fromIso, toIso], k) => ({
      fold: k + 1,
      train: { from: '2000-01-03T00:00:00.000Z', to: fromIso, rows: 1500 + 300 * k },
      validation: { from: fromIso, to: fromIso, rows: 250 },
      test: { from: fromIso, to: toIso, rows: 600 },
      accuracy: WF.accuracy[k],
      majority_baseline: WF.majority[k],
      stratified_baseline: 0.36,
      balanced_accuracy: 0.4 + k / 100,
      log_loss: 0.98,
      prior_log_loss: 1.04,
      epochs_run: 12 + k,
      seed_accuracies: [WF.accuracy[k], WF.accuracy[k]! - 0.01, WF.accuracy[k]! + 0.005],
    })),
  });
  // Significance and costs around the run's own return and Sharpe ratio, so the page reads as one run.
  const evidence = (result: Record<string, unknown>) => {
    const ret = result['total_return'] as number;
    const sharpe = result['sharpe_ratio'] as number;
    const drag = Math.abs(ret) / 2 + 0.02;
    const breakEven = ret + drag > 0 ? (ret + drag) / drag : 0;
    return {
      random_entry_p_value: 0.031,
      random_entry_simulations: 1000,
      psr: 0.9712,
      sharpe_ci95: [sharpe - 0.45, sharpe + 0.85],
      cost_sensitivity: {
        runs: [0, 1, 2, 3].map((multiple) => ({ multiple, total_return: ret + drag * (1 - multiple), sharpe_ratio: sharpe * (1.5 - multiple / 2) })),
        break_even_cost: breakEven,
        cost_drag: drag,
      },
    };
  };
  const backtest = (result: Record<string, unknown>) => ({
    ...result,
    evaluation: WF.plan,
    folds: spans.map(([start, end], k) => ({
      fold: k + 1,
      start,
      end,
      bars: 620,
      total_return: WF.returns[k],
      sharpe_ratio: WF.sharpe[k],
      max_drawdown: 0.08 + k / 100,
      total_trades: WF.trades[k],
      win_rate: 0.5,
      benchmark_return: WF.benchmark[k],
    })),
    fold_dispersion: {
      folds: 5,
      return_mean: 0.0356,
      return_std: 0.0455,
      sharpe_mean: 0.392,
      sharpe_std: 0.4637,
      positive_share: 0.8,
      worst_return: -0.034,
      best_return: 0.081,
    },
    seed_robustness: {
      seeds: [
        // The first seed is the strategy's own: the stitched run above.
        { seed: 42, total_return: result['total_return'], sharpe_ratio: result['sharpe_ratio'] },
        { seed: 43, total_return: -0.012, sharpe_ratio: -0.05 },
        { seed: 44, total_return: 0.061, sharpe_ratio: 0.22 },
      ],
      profitable: 2,
      share: 2 / 3,
    },
    regimes: [
      { regime: 'bull_calm', bars: 1420, share: 0.4595, total_return: 0.091, sharpe_ratio: 0.81, benchmark_return: 0.92, exposure: 0.403 },
      { regime: 'bull_volatile', bars: 512, share: 0.1657, total_return: 0.042, sharpe_ratio: 0.35, benchmark_return: 0.31, exposure: 0.38 },
      { regime: 'bear_calm', bars: 610, share: 0.1974, total_return: 0.013, sharpe_ratio: 0.12, benchmark_return: -0.08, exposure: 0.41 },
      { regime: 'bear_volatile', bars: 548, share: 0.1773, total_return: -0.021, sharpe_ratio: -0.18, benchmark_return: -0.31, exposure: 0.44 },
    ],
    ...evidence(result),
    turnover: 12.43,
    commission_paid: 8231.4,
    costs_paid: 12345.6,
  });
  const json = (v: string | undefined) => JSON.parse(v ?? 'null') as Record<string, unknown>;
  for (const [old, id] of ids) {
    const h = await stack.redis.hgetall(key('op', old));
    const result = json(h['result_summary']);
    const laid = h['operation_type'] === 'training' ? training(result) : h['operation_type'] === 'backtesting' ? backtest(result) : result;
    await stack.redis.hset(key('op', id), { ...h, operation_id: id, parent_operation_id: cycleId, result_summary: JSON.stringify(laid) });
    const art = await stack.redis.hgetall(key('art', old));
    if (art['equity']) art['equity'] = JSON.stringify({ ...json(art['equity']), fold_starts });
    if (Object.keys(art).length) await stack.redis.hset(key('art', id), art);
    await stack.redis.rpush(key('children', cycleId), id);
  }
  const summary = json(cycle['result_summary']);
  await stack.redis.hset(key('op', cycleId), {
    ...cycle,
    operation_id: cycleId,
    ...Object.fromEntries(
      ['m:design_op_id', 'm:training_op_id', 'm:backtest_op_id', 'm:assessment_op_id']
        .filter((k) => cycle[k])
        .map((k) => [k, JSON.stringify(ids.get(JSON.parse(cycle[k]!) as string) ?? null)]),
    ),
    'm:training_result': JSON.stringify(training(json(cycle['m:training_result']))),
    'm:backtest_result': JSON.stringify(backtest(json(cycle['m:backtest_result']))),
    result_summary: JSON.stringify({ ...summary, backtest_result: backtest(summary['backtest_result'] as Record<string, unknown>) }),
  });
  return { id: cycleId, evidence: evidence(json(cycle['m:backtest_result'])) };
}

describe('web view on real phases, behind an API token', () => {
  const TOKEN = 'web-e2e-token-7f3a';
  let stack: Stack;
  let cycleId: string;
  const open = (viewport = DESKTOP) => openPage(stack.apiUrl, viewport);
  const authed = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${stack.apiUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeAll(async () => {
    // Open gates: the real campaign below needs trials that may be finalists; the real cycles here bypass the gates anyway.
    stack = await startStack({ apiEnv: { KTRDR_API_TOKEN: TOKEN }, workerEnv: { KTRDR_STUB_WORKERS: 'false', KTRDR_STUB_PHASES: '', ...OPEN_GATES_ENV } });
    expect((await stack.request('GET', '/agent/status')).status).toBe(401);
    const t = await authed<{ operation_id: string }>('POST', '/agent/trigger', { strategy: 'v3_minimal', bypass_gates: true });
    expect(t.status).toBe(202);
    cycleId = t.body.operation_id;
    const done = await eventually(
      async () => {
        const op = (await authed<{ data: Op }>('GET', `/operations/${cycleId}`)).body.data;
        return op.status === 'completed' || op.status === 'failed' ? op : undefined;
      },
      'real cycle finished',
      120_000,
      500,
    );
    expect(done.error_message).toBeNull();
    expect(done.status).toBe('completed');
  }, 180_000);
  afterAll(async () => stack?.stop());

  it('asks for the token once on 401, then works and remembers it', async () => {
    const p = await open();
    const { page } = p;
    await page.goto('/');
    const dialog = page.getByTestId('token-dialog');
    await dialog.waitFor({ state: 'visible' });
    // A wrong token is refused and the question stays.
    await page.getByLabel('Token', { exact: true }).fill('wrong');
    await page.getByRole('button', { name: 'Use token' }).click();
    await dialog.getByText('The API did not accept that token.').waitFor();
    await page.getByLabel('Token', { exact: true }).fill(TOKEN);
    await page.getByRole('button', { name: 'Use token' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId('no-active').waitFor();
    // The 401s that made the page ask (status, strategies, then the wrong token's retries).
    expect(takeHttpErrors(p, 401, '/api/v1/')).toBeGreaterThanOrEqual(2);
    // Remembered: a reload and another view need no question.
    await page.reload();
    await page.getByTestId('no-active').waitFor();
    await page.goto('/history');
    await page.getByTestId('history-row').first().waitFor();
    expect(await dialog.isVisible()).toBe(false);
  });

  it('a completed real cycle: children, strategy, training curves, equity vs buy-and-hold drawn, metrics, assessment', async () => {
    const { page, context } = await open();
    await context.addInitScript((token) => localStorage.setItem('ktrdr.apiToken', token), TOKEN);
    await page.goto(`/cycles/${cycleId}`);
    await page.getByTestId('cycle-status').filter({ hasText: 'completed' }).waitFor();
    const childRows = page.getByTestId('child-row');
    expect(await childRows.count()).toBe(4);
    for (const type of ['training', 'backtesting', 'agent_assessment']) {
      await page.locator(`[data-testid="child-row"][data-type="${type}"] [data-status="completed"]`).waitFor();
    }
    await page.getByTestId('strategy-panel').getByText('rsi_14').first().waitFor();
    await page.getByTestId('metrics-table').waitFor();
    expect(await page.getByTestId('metric-return').textContent()).toMatch(/^[+-]?\d+\.\d%$/);
    expect(await page.getByTestId('metric-benchmark').textContent()).toMatch(/^[+-]?\d+\.\d%$/);
    await page
      .getByTestId('assessment')
      .getByText(/Verdict:/)
      .waitFor();
    await page.getByTestId('training-loss').waitFor();
    expect(await page.getByRole('button', { name: 'Resume cycle' }).count()).toBe(0);
    // How training ended, and a legend that names each line with the backtest's own numbers.
    expect(await page.getByTestId('training-end').textContent()).toMatch(/^(Stopped early at epoch \d+ of 50: validation loss|Ran all 50 epochs)/);
    // Skill beside the baselines of the same test bars.
    expect(await page.getByTestId('training-skill').textContent()).toMatch(
      /^Test accuracy \d+\.\d%: (\d+\.\d points better than|no better than) always predicting the most frequent class \(\d+\.\d%\)\. Balanced accuracy \d+\.\d%; .* Log-loss \d\.\d{3} against \d\.\d{3}/,
    );
    const ret = (await page.getByTestId('metric-return').textContent())!;
    const bench = (await page.getByTestId('metric-benchmark').textContent())!;
    expect(await page.getByTestId('legend-strategy').textContent()).toBe(`━ Strategy ${ret}`);
    expect(await page.getByTestId('legend-benchmark').textContent()).toBe(`━ Buy & hold ${bench}`);
    expect(await page.getByTestId('equity-versus').textContent()).toContain(`buy-and-hold (${bench})`);

    // Drawn: the chart's canvases hold pixels of the strategy line and of the buy-and-hold line.
    const counts = await page.waitForFunction(
      () => {
        const near = (d: Uint8ClampedArray, i: number, rgb: number[]) =>
          Math.abs(d[i]! - rgb[0]!) + Math.abs(d[i + 1]! - rgb[1]!) + Math.abs(d[i + 2]! - rgb[2]!) < 60 && d[i + 3]! > 200;
        let strategy = 0;
        let benchmark = 0;
        let painted = 0;
        for (const c of Array.from(document.querySelectorAll<HTMLCanvasElement>('[data-testid="equity-chart"] canvas'))) {
          if (!c.width || !c.height) continue;
          const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          for (let i = 0; i < d.length; i += 4) {
            if (d[i + 3]! > 0 && !(d[i]! > 245 && d[i + 1]! > 245 && d[i + 2]! > 245)) painted++;
            if (near(d, i, [29, 78, 216])) strategy++;
            if (near(d, i, [217, 119, 6])) benchmark++;
          }
        }
        return strategy > 100 && benchmark > 100 ? { strategy, benchmark, painted } : null;
      },
      undefined,
      { timeout: 10_000 },
    );
    const drawn = (await counts.jsonValue())!;
    expect(drawn.painted).toBeGreaterThan(drawn.strategy + drawn.benchmark);
    // The real cycle was evaluated walk-forward (v3_minimal: 5 folds × 3 seeds): its folds, their markers, seeds and regimes show.
    expect(await page.getByTestId('fold-row').count()).toBe(5);
    expect(await page.getByTestId('fold-marker').count()).toBe(5);
    expect(await page.getByTestId('seeds-profitable').textContent()).toMatch(/^[0-3] of 3 seeds profitable$/);
    expect(await page.getByTestId('regime-row').count()).toBeGreaterThan(0);
    await shot(page, 'cycle-1280');

    const phone = await open(PHONE);
    await phone.context.addInitScript((token) => localStorage.setItem('ktrdr.apiToken', token), TOKEN);
    await phone.page.goto(`/cycles/${cycleId}`);
    await phone.page.getByTestId('metrics-table').waitFor();
    await phone.page.locator('[data-testid="equity-chart"] canvas').first().waitFor();
    // Nothing wider than the phone: no sideways scrolling of the page itself.
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(phone.page, 'cycle-390');
  });

  it('a completed walk-forward cycle: folds table beside training skill, fold markers on the equity, evidence, seeds, regimes', async () => {
    const { id: wfId, evidence } = await seedWalkForwardCycle(stack, cycleId);
    const { page, context } = await open();
    await context.addInitScript((token) => localStorage.setItem('ktrdr.apiToken', token), TOKEN);
    await page.goto(`/cycles/${wfId}`);
    await page.getByTestId('cycle-status').filter({ hasText: 'completed' }).waitFor();

    // The folds table: one row per fold, training skill beside the backtest on the same bars.
    const rows = page.getByTestId('fold-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(5);
    expect(await page.getByTestId('fold-accuracy').allTextContents()).toEqual(['54.1%', '51.8%', '53.7%', '50.2%', '52.9%']);
    expect(await page.getByTestId('fold-return').allTextContents()).toEqual(['+8.1%', '-3.4%', '+7.2%', '+1.5%', '+4.4%']);
    expect(await rows.first().textContent()).toContain('48.0%');
    expect(await page.getByTestId('walk-forward-plan').textContent()).toContain(
      '5 test folds, expanding window, purge 20 bars, embargo 20 bars, 3 training seeds per fold',
    );
    expect(await page.getByTestId('training-skill').textContent()).toContain('Pooled over the 5 test folds');

    // Fold dispersion, seed robustness and the regime table.
    expect(await page.getByTestId('fold-dispersion').textContent()).toContain('4 of 5');
    expect(await page.getByTestId('seeds-profitable').textContent()).toBe('2 of 3 seeds profitable');
    const regimes = page.getByTestId('regime-row');
    expect(await regimes.evaluateAll((els) => els.map((e) => e.getAttribute('data-regime')))).toEqual([
      'bull_calm',
      'bull_volatile',
      'bear_calm',
      'bear_volatile',
    ]);
    expect(await regimes.first().textContent()).toMatch(/^Bull, calm1420.*46\.0%\+9\.1%\+92\.0%0\.8140\.3%$/);

    // Significance and costs, drawn: the break-even multiple marked on the cost chart.
    expect(await page.getByTestId('p-value').textContent()).toBe('0.031 unlikely to be luck');
    const [lo, hi] = evidence.sharpe_ci95.map((v) => v.toFixed(2));
    expect(await page.getByTestId('sharpe-ci').textContent()).toBe(`${lo} to ${hi}`);
    expect(await page.getByTestId('cost-point').count()).toBe(4);
    const breakEven = evidence.cost_sensitivity.break_even_cost;
    if (breakEven > 0) expect(await page.getByTestId('break-even-marker').textContent()).toBe(`break-even ${breakEven.toFixed(2)}×`);
    expect(await page.getByTestId('fold-sharpe').count()).toBe(5);
    expect(await page.getByTestId('costs-paid').textContent()).toContain('Costs paid 12,346');

    // The fold markers stand on the stitched equity chart, in order, left to right, inside it.
    await page.locator('[data-testid="equity-chart"][data-drawn="true"]').waitFor();
    const markers = await page.waitForFunction(
      () => {
        const chart = document.querySelector('[data-testid="equity-chart"]')!.getBoundingClientRect();
        const xs = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="fold-marker"]'))
          .filter((m) => m.style.display !== 'none' && m.style.transform)
          .map((m) => m.getBoundingClientRect().left - chart.left);
        return xs.length === 5 ? { xs, width: chart.width } : null;
      },
      undefined,
      { timeout: 10_000 },
    );
    const { xs, width } = (await markers.jsonValue())!;
    expect(xs[0]).toBeLessThan(width * 0.05);
    for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeGreaterThan(xs[i - 1]! + width * 0.1);
    expect(xs.at(-1)!).toBeLessThan(width);
    expect(await page.getByTestId('equity-legend').textContent()).toContain('start of a test fold');
    // No screenshot here: the README's show real cycles, and these numbers are laid over one.

    const phone = await open(PHONE);
    await phone.context.addInitScript((token) => localStorage.setItem('ktrdr.apiToken', token), TOKEN);
    await phone.page.goto(`/cycles/${wfId}`);
    await phone.page.getByTestId('regime-table').waitFor();
    await phone.page.locator('[data-testid="equity-chart"][data-drawn="true"]').waitFor();
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  });

  it('a real campaign behind the token: live from its stream, then its leaderboard, trials in order, PBO, finalists on the holdout and report; listed', async () => {
    // A synthetic market with a planted edge (prices pulled back to their 5-day mean), so designs trade; with the open gates the best take their holdout look.
    const started = await authed<{ operation_id: string }>('POST', '/agent/campaigns', {
      brief: 'mean reversion on a market with a planted edge',
      scope: { symbols: ['SYNTH_EDGE_DEMO'], timeframe: '1d' },
      max_cycles: 12,
      stop_after_unproductive: 12,
      seed: 2,
    });
    expect(started.status).toBe(202);
    const id = started.body.operation_id;
    const { page, context } = await open();
    await context.addInitScript((token) => localStorage.setItem('ktrdr.apiToken', token), TOKEN);
    await page.goto(`/campaigns/${id}`);
    // Live through the token (the events stream takes it in the query): running, a cycle of its own, trials counted as they end, then done.
    await page.locator('[data-testid="campaign-status"][data-status="running"]').waitFor();
    await page.getByTestId('active-trial').first().waitFor({ timeout: 20_000 });
    await page
      .getByTestId('campaign-trials')
      .filter({ hasText: /^([1-9]|1[01])\/12/ })
      .waitFor({ timeout: 90_000 });
    await page.locator('[data-testid="campaign-status"][data-status="completed"]').waitFor({ timeout: 180_000 });
    await page.getByTestId('campaign-verdict').waitFor();

    const c = (await authed<{ data: CampaignView }>('GET', `/agent/campaigns/${id}`)).body.data;
    const trials = (await authed<Trials>('GET', `/agent/campaigns/${id}/trials`)).body;
    const board = (await authed<Leaderboard>('GET', `/agent/campaigns/${id}/leaderboard`)).body;
    expect(c.stage).toBe('done');
    expect(c.trials).toBe(12);
    expect(c.verdict).not.toBeNull();
    // Real cycles leave out-of-sample returns: every trial is scored, the PBO exists, and the best passed trials took their look.
    expect(board.data.length).toBeGreaterThanOrEqual(2);
    expect(board.pbo).not.toBeNull();
    expect(c.finalists.length).toBeGreaterThan(0);

    expect(await page.getByTestId('campaign-trials').textContent()).toBe('12/12');
    expect(await page.getByTestId('campaign-verdict').textContent()).toBe(VERDICT_WORDS[c.verdict!]);
    expect(await page.getByTestId('campaign-verdict-reason').textContent()).toBe(`${c.verdict === 'found' ? 'Found' : 'Nothing found'}: ${c.verdict_reason}`);
    expect(await page.getByTestId('campaign-stop-reason').textContent()).toBe(`The search stopped because ${STOP_WORDS[c.stop_reason!]} (${c.stop_reason}).`);

    // The leaderboard as the API ranks it, each trial linked to its cycle.
    const shown = board.data.slice(0, 10);
    const rows = page.getByTestId('leaderboard-row');
    expect(await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-trial'))))).toEqual(shown.map((t) => t.trial));
    expect(await page.getByTestId('dsr-value').allTextContents()).toEqual(shown.map((t) => two(t.dsr)));
    expect(await rows.getByTestId('trial-link').evaluateAll((els) => els.map((e) => e.getAttribute('href')))).toEqual(
      shown.map((t) => `/cycles/${t.cycle_id}`),
    );

    // Every trial in order: a DSR point for each scored one, a Sharpe point for each with a backtest, the threshold line.
    const chart = page.getByTestId('trials-chart');
    expect(await chart.getAttribute('data-trials')).toBe('12');
    expect(await chart.getByTestId('dsr-point').count()).toBe(trials.data.filter((t) => t.dsr !== null).length);
    expect(await chart.getByTestId('sharpe-point').count()).toBe(trials.data.filter((t) => t.metrics.sharpe_ratio !== null).length);
    expect(Number(await chart.getByTestId('dsr-threshold-line').getAttribute('data-value'))).toBe(trials.dsr_threshold);
    expect(await page.getByTestId('pbo-value').textContent()).toBe(two(board.pbo));
    expect(await page.getByTestId('pbo-threshold').textContent()).toContain(two(board.pbo_threshold));

    // Each finalist's one look at the holdout beside the same design's walk-forward numbers.
    expect(await page.getByTestId('finalist-row').count()).toBe(c.finalists.length);
    for (const f of c.finalists) {
      const row = page.locator(`[data-testid="finalist-row"][data-trial="${f.trial}"]`);
      expect(await row.getAttribute('data-status')).toBe(f.status);
      expect(await row.getByTestId('finalist-holdout-sharpe').textContent()).toBe(two(f.sharpe_ratio));
      expect(await row.getByTestId('finalist-search-sharpe').textContent()).toBe(two(trials.data.find((t) => t.trial === f.trial)!.metrics.sharpe_ratio));
    }
    expect(await page.getByTestId('holdout-pair').count()).toBe(c.finalists.length);
    expect(await page.getByTestId('report-sentence').allTextContents()).toEqual(c.report);
    expect(await page.getByTestId('lesson-row').count()).toBe(c.lessons.length);
    await shot(page, 'campaign-1280');

    const phone = await open(PHONE);
    await phone.context.addInitScript((token) => localStorage.setItem('ktrdr.apiToken', token), TOKEN);
    await phone.page.goto(`/campaigns/${id}`);
    await phone.page.getByTestId('finalists-table').waitFor();
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(phone.page, 'campaign-390');

    // A trial's link opens its cycle, which names its campaign; a finalist's look opens the holdout cycle, which says so.
    await rows.first().getByTestId('trial-link').click();
    await page.waitForURL(new RegExp(`/cycles/${shown[0]!.cycle_id}$`));
    expect(await page.getByTestId('cycle-campaign').textContent()).toBe(`${id} · a trial of its search`);
    await page.goBack();
    const look = c.finalists[0]!;
    await page.getByRole('link', { name: `Open trial ${look.trial}'s holdout cycle` }).click();
    await page.waitForURL(new RegExp(`/cycles/${look.cycle_id}$`));
    expect(await page.getByTestId('cycle-campaign').textContent()).toBe(`${id} · the one look at the holdout of trial ${look.trial}`);

    // The list: this campaign, and a second one cancelled at once, newest first.
    const other = await authed<{ operation_id: string }>('POST', '/agent/campaigns', { brief: 'mean reversion', max_cycles: 20 });
    expect((await authed('DELETE', `/agent/campaigns/${other.body.operation_id}`)).status).toBe(200);
    await page.getByRole('link', { name: 'Campaigns' }).click();
    const row = campaignRow(page, id);
    await row.waitFor();
    expect(await page.getByTestId('campaign-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).toEqual(['cancelled', 'completed']);
    expect(await row.getByTestId('campaign-trials').textContent()).toBe('12/12');
    expect(await row.getByTestId('campaign-verdict').textContent()).toBe(VERDICT_WORDS[c.verdict!]);
    expect(await row.getByTestId('campaign-stop').textContent()).toBe(c.stop_reason);
    expect(await row.getByTestId('campaign-best').textContent()).toBe(two(c.best?.dsr));
    await shot(page, 'campaigns-1280');
    await phone.page.goto('/campaigns');
    await campaignRow(phone.page, id).waitFor();
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(phone.page, 'campaigns-390');
  }, 300_000);
});
