import { assessmentSchema, parseStrategy, type StrategyConfig } from '@ktrdr/agent-domain';
import { CancelledError, ErrorCode, LlmError } from '@ktrdr/errors';
import { assessmentPrompt } from './assessment.prompt';
import { ClaudeAssessor } from './claude.assessor';
import { createClaudeClient } from './claude.client';
import { FakeAnthropicServer, textMessage, toolUseMessage } from '../../../tools/testing/fake-anthropic.server';
import { loadLlmConfig } from './llm.config';
import { createLlmServices } from './llm.factory';
import type { AssessInput, BacktestMetrics, TrainingMetrics } from './llm.types';
import { OfflineAssessor, assessOffline } from './offline.assessor';
import { checkPromising, enforcePromisingRule } from './promising.rule';
import { EXAMPLE_STRATEGY } from './strategy.example';

const parsed = parseStrategy(EXAMPLE_STRATEGY);
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const strategy: StrategyConfig = parsed.config;

const training = (t: Partial<TrainingMetrics> = {}): TrainingMetrics => ({
  accuracy: 0.52,
  baseline_accuracy: 0.44,
  initial_loss: 1.09,
  final_loss: 0.93,
  ...t,
});
const backtest = (b: Partial<BacktestMetrics> = {}): BacktestMetrics => ({
  total_return: 0.31,
  sharpe_ratio: 1.21,
  max_drawdown: 0.12,
  win_rate: 0.58,
  profit_factor: 1.8,
  total_trades: 42,
  benchmark_return: 0.22,
  random_entry_p_value: 0.02,
  ...b,
});
const input = (t?: Partial<TrainingMetrics>, b?: Partial<BacktestMetrics>): AssessInput => ({
  model: 'claude-sonnet-5-5',
  strategy,
  training: training(t),
  backtest: backtest(b),
});

describe('offline assessor (rubric)', () => {
  it('calls strong numbers promising and quotes them', () => {
    const a = assessOffline(input());
    expect(assessmentSchema.parse(a)).toEqual(a);
    expect(a.verdict).toBe('promising');
    expect(a.strengths[0]).toBe('Sharpe ratio 1.21: strong risk-adjusted return (≥ 1.0)');
    expect(a.strengths).toHaveLength(4); // seven criteria scored above 0: the best four
    // Nothing scored below 0: caveats about the evidence and the small-ish model edge fill in.
    expect(a.weaknesses).toEqual([
      'The evidence is one backtest with 42 trades; it may not hold on another window or symbol',
      "Test accuracy 52.0% is 8.0 points above always predicting the test bars' most frequent class: a modest margin for a classifier",
    ]);
    expect(a.suggestions.some((s) => s.startsWith('Refine around what works: vary the periods of rsi_14, sma_50'))).toBe(true);
  });

  it('never calls a model without skill promising, however good the backtest, and says it has none', () => {
    const base = input();
    const a = assessOffline({ ...base, training: { ...base.training, accuracy: 0.397, baseline_accuracy: 0.491 } });
    expect(a.verdict).not.toBe('promising');
    expect([...a.strengths, ...a.weaknesses].join(' ')).not.toMatch(/has an edge|points above/);
    expect(a.weaknesses.join(' ')).toContain("The model has no edge: test accuracy 39.7% vs 49.1% for always predicting the test bars' most frequent class");
  });

  it('calls losses with a negative Sharpe poor, with the weaknesses first and fitting suggestions', () => {
    const a = assessOffline(
      input(
        { accuracy: 0.41, baseline_accuracy: 0.43 },
        {
          total_return: -0.08,
          sharpe_ratio: -0.7,
          max_drawdown: 0.45,
          win_rate: 0.38,
          profit_factor: 0.8,
          total_trades: 7,
          benchmark_return: 0.2,
          random_entry_p_value: 0.64,
        },
      ),
    );
    expect(a.verdict).toBe('poor');
    expect(a.weaknesses).toHaveLength(4);
    expect(a.weaknesses[0]).toBe('Sharpe ratio -0.70: clearly negative risk-adjusted return (below -0.5)');
    expect(a.weaknesses).toContain('Max drawdown 45.0%: too deep (above 40% of peak equity)');
    // Nothing scored above 0: the least weak points, marked as such, but never the model's missing edge.
    expect(a.strengths).toEqual([
      'Least weak point: Only 7 trades: thin evidence (fewer than 20)',
      'Least weak point: Trails buy-and-hold: return -8.0% vs buy-and-hold 20.0% (-28.0 points)',
    ]);
    expect(a.strengths.join(' ')).not.toMatch(/edge/);
    expect(a.suggestions).toHaveLength(4);
    expect(a.suggestions[0]).toContain("Test accuracy 41.0% is no better than the 43.0% of always predicting the test bars' most frequent class");
    expect(a.suggestions[1]).toBe('Only 7 trades: lower decisions.confidence_threshold (now 0.50) or use a longer backtest window to gather more evidence.');
  });

  it('calls mixed numbers mediocre', () => {
    const a = assessOffline(
      input(
        { accuracy: 0.47, baseline_accuracy: 0.45 },
        { total_return: 0.05, sharpe_ratio: 0.35, max_drawdown: 0.22, win_rate: 0.5, profit_factor: 1.1, total_trades: 25, benchmark_return: 0.12 },
      ),
    );
    expect(a.verdict).toBe('mediocre');
    for (const list of [a.strengths, a.weaknesses, a.suggestions]) {
      expect(list.length).toBeGreaterThanOrEqual(2);
      expect(list.length).toBeLessThanOrEqual(4);
    }
  });

  it('treats no losing trade as a strength and too few trades as a weakness', () => {
    const a = assessOffline(input({}, { profit_factor: null, total_trades: 3, win_rate: 1 }));
    expect(a.strengths).toContain('No losing trade among 3 (profit factor undefined)');
    expect(a.weaknesses[0]).toBe('Only 3 trades: too few to judge (fewer than 5)');
    expect(a.verdict).not.toBe('promising');
  });

  it('is never promising when random entries did about as well (p above the gate), unless the threshold allows it', () => {
    const lucky = input(undefined, { random_entry_p_value: 0.25 });
    const a = assessOffline(lucky);
    expect(a.verdict).toBe('mediocre');
    expect(a.weaknesses).toContain('Random entries did as well in 25.0% of the runs (p 0.250 > 0.10): it could be luck');
    expect(a.suggestions).toContain(
      'Random entries with the same trades did as well in 25.0% of the runs: the timing adds little so far; look for inputs that separate good entries from bad ones before tuning the rest.',
    );
    const loose = assessOffline(lucky, { maxPValue: 0.3 });
    expect(loose.verdict).toBe('promising');
    expect(loose.strengths.join(' ')).not.toContain('Random entries'); // +1, but below the best four
  });

  it('is never promising without a p-value, and says nothing shows the result beats random entries', () => {
    const a = assessOffline(input(undefined, { random_entry_p_value: undefined }));
    expect(a.verdict).toBe('mediocre');
    expect(a.weaknesses[0]).toBe('No random-entry p-value: nothing shows the result beats random entries with the same trades and costs');
  });

  it("judges skill against the test part's majority baseline when the result has it, and then claims no edge", () => {
    // baseline_accuracy says +8 points; the majority baseline says the model is a point below it.
    const a = assessOffline(input({ accuracy: 0.52, baseline_accuracy: 0.44, majority_baseline: 0.53 }));
    expect(a.verdict).toBe('mediocre');
    expect(a.strengths.join(' ')).not.toMatch(/edge/);
    expect(a.weaknesses).toContain(
      "The model has no edge: test accuracy 52.0% vs 53.0% for always predicting the test bars' most frequent class (-1.0 points)",
    );
  });

  it('reads the walk-forward numbers when present: folds, seeds and regimes', () => {
    const wf = input(undefined, {
      folds: [],
      fold_dispersion: {
        folds: 5,
        return_mean: 0.05,
        return_std: 0.04,
        sharpe_mean: 0.9,
        sharpe_std: 0.5,
        positive_share: 0.8,
        worst_return: -0.02,
        best_return: 0.11,
      },
      seed_robustness: {
        seeds: [
          { seed: 1, total_return: 0.3, sharpe_ratio: 1.2 },
          { seed: 2, total_return: -0.05, sharpe_ratio: -0.2 },
          { seed: 3, total_return: -0.01, sharpe_ratio: -0.1 },
        ],
        profitable: 1,
        share: 1 / 3,
      },
      regimes: [
        { regime: 'bull_calm', bars: 400, share: 0.5, total_return: 0.2, sharpe_ratio: 1.5, benchmark_return: 0.15, exposure: 0.7 },
        { regime: 'bear_volatile', bars: 120, share: 0.15, total_return: -0.04, sharpe_ratio: -0.6, benchmark_return: -0.09, exposure: 0.4 },
      ],
    });
    const a = assessOffline(wf);
    expect(assessmentSchema.parse(a)).toEqual(a);
    // Strong headline numbers fill the strengths; the seeds and the worst regime are the weaknesses.
    expect(a.weaknesses).toEqual([
      'Seed luck: profitable out of sample under only 1 of 3 training seeds',
      'Did worst in bear_volatile markets: -4.0% over 120 bars (buy-and-hold -9.0%); by regime: bull_calm 20.0% (buy-and-hold 15.0%), bear_volatile -4.0% (buy-and-hold -9.0%)',
    ]);
    // With weaker headline numbers the folds' +1 (4 of 5 positive) reaches the strengths.
    const folds = assessOffline({ ...wf, backtest: { ...wf.backtest, sharpe_ratio: 0.1, max_drawdown: 0.2, win_rate: 0.5, profit_factor: 1.2 } });
    expect(folds.verdict).toBe('mediocre');
    expect(folds.strengths).toContain('Consistent across time: positive in 4 of 5 walk-forward folds (returns -2.0% to 11.0%)');
    expect(folds.weaknesses[0]).toBe('Seed luck: profitable out of sample under only 1 of 3 training seeds');
    // Profitable in every regime is a strength (a neutral one: it fills a short list).
    const everywhere = assessOffline({
      ...wf,
      training: training({ accuracy: 0.45 }),
      backtest: {
        ...backtest({
          sharpe_ratio: 0.1,
          max_drawdown: 0.35,
          win_rate: 0.4,
          profit_factor: 1.2,
          total_trades: 10,
          benchmark_return: 0.5,
          random_entry_p_value: 0.5,
        }),
        regimes: [{ ...wf.backtest.regimes![0]!, total_return: 0.02, benchmark_return: 0.01 }],
      },
    });
    expect(everywhere.strengths).toEqual([
      'Profitable over the backtest: total return 31.0%',
      'Made money in every market regime: bull_calm 2.0% (buy-and-hold 1.0%)',
    ]);
    for (const x of [a, folds, everywhere]) for (const list of [x.strengths, x.weaknesses, x.suggestions]) expect(list.length).toBeLessThanOrEqual(4);
  });

  it('takes the p-value bound from BACKTEST_GATE_MAX_P_VALUE, like the backtest gate', async () => {
    expect(loadLlmConfig({}).promisingMaxPValue).toBe(0.1);
    const services = createLlmServices(loadLlmConfig({ BACKTEST_GATE_MAX_P_VALUE: '0.3' }));
    expect(services.mode).toBe('offline');
    const out = await services.assessor.assess(input(undefined, { random_entry_p_value: 0.25 }), { signal: new AbortController().signal });
    expect(out.assessment.verdict).toBe('promising');
  });

  it('honours a cancelled signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(new OfflineAssessor().assess(input(), { signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('the promising rule', () => {
  it('names every reason with its numbers', () => {
    expect(checkPromising(input())).toEqual({ allowed: true, reasons: [] });
    expect(checkPromising(input({ accuracy: 0.4, majority_baseline: 0.49 }, { random_entry_p_value: 0.31 }))).toEqual({
      allowed: false,
      reasons: ['test accuracy 40.0% is not above the majority baseline 49.0% (no skill)', 'random entries did as well in 31.0% of the runs (p 0.310 > 0.10)'],
    });
    expect(checkPromising(input(undefined, { random_entry_p_value: undefined })).reasons).toEqual([
      'there is no random-entry p-value, so nothing shows the backtest beat random entries',
    ]);
    expect(checkPromising(input(undefined, { random_entry_p_value: 0.1 })).allowed).toBe(true); // at the threshold counts, as in the gate
    expect(checkPromising(input({ accuracy: 0.44 })).allowed).toBe(false); // equal to the baseline is no skill
  });

  it('downgrades an unsupported promising to mediocre with a first weakness saying why, keeping at most four', () => {
    const claimed = { verdict: 'promising' as const, strengths: ['a'], weaknesses: ['w1', 'w2', 'w3', 'w4'], suggestions: ['s'] };
    const out = enforcePromisingRule(claimed, input(undefined, { random_entry_p_value: 0.5 }));
    expect(out.verdict).toBe('mediocre');
    expect(out.weaknesses).toEqual([
      'Downgraded from promising: random entries did as well in 50.0% of the runs (p 0.500 > 0.10); a promising verdict needs test accuracy above the majority baseline and a random-entry p-value of at most 0.10',
      'w1',
      'w2',
      'w3',
    ]);
    expect(assessmentSchema.parse(out)).toEqual(out);
    expect(enforcePromisingRule(claimed, input())).toBe(claimed);
    const poor = { ...claimed, verdict: 'poor' as const };
    expect(enforcePromisingRule(poor, input(undefined, { random_entry_p_value: 0.5 }))).toBe(poor);
  });
});

describe('Claude assessor against a local Messages API', () => {
  let fake: FakeAnthropicServer;
  beforeAll(async () => {
    fake = await FakeAnthropicServer.start();
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  const assessor = (): ClaudeAssessor => {
    const config = loadLlmConfig({ ANTHROPIC_API_KEY: 'sk-ant-test-SECRET123', ANTHROPIC_BASE_URL: fake.url, KTRDR_LLM_MAX_RETRIES: '0' });
    return new ClaudeAssessor(createClaudeClient(config), config);
  };
  const good = {
    verdict: 'mediocre',
    strengths: ['Sharpe ratio 1.21 is strong', 'Beats buy-and-hold by 9.0 points'],
    weaknesses: ['Test accuracy 52.0% is only 8 points above baseline', 'Only 42 trades'],
    suggestions: ['Re-test on SYNTH_* data', 'Vary the RSI period'],
  };

  it('forces save_assessment with the numbers in the prompt and returns the assessment', async () => {
    fake.reply(toolUseMessage('save_assessment', good, { input_tokens: 1500, output_tokens: 300 }, 'claude-haiku-5-5'));
    const out = await assessor().assess({ ...input(), model: 'claude-haiku-5-5' }, { signal: new AbortController().signal });
    expect(out).toMatchObject({ assessment: good, source: 'claude', model: 'claude-haiku-5-5', usage: { input_tokens: 1500, output_tokens: 300 }, turns: 1 });
    expect(out.cost_usd).toBeCloseTo((1500 * 1 + 300 * 5) / 1e6, 12);
    const body = fake.requests[0]!.body as { tool_choice: unknown; messages: { content: string }[] };
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'save_assessment' });
    const prompt = body.messages[0]!.content;
    expect(prompt).toContain(
      "test accuracy: 52.0% (always predicting the test bars' most frequent class would score 44.0%; edge 8.0%; an edge of zero or less means no skill)",
    );
    expect(prompt).toContain('total return: 31.0%; buy-and-hold: 22.0%; difference: 9.0%');
    expect(prompt).toContain('Sharpe ratio: 1.21');
    expect(prompt).toContain('trades: 42; win rate: 58.0%; profit factor: 1.80');
    expect(prompt).toContain('2 to 4 strengths, 2 to 4 weaknesses and 2 to 4 concrete suggestions');
    expect(prompt).toContain('- random entries (same bars, as many trades, same holds and costs) did at least as well in 2.0% of the runs (p 0.020)');
    expect(prompt).toContain(
      '- the numbers meet the minimum for "promising" (a promising verdict needs test accuracy above the majority baseline and a random-entry p-value of at most 0.10)',
    );
    expect(prompt).not.toContain('Walk-forward');
    expect(prompt).not.toContain('market regime');
  });

  it('turns a promising the numbers do not support into mediocre, saying why, and tells Claude the rule beforehand', async () => {
    fake.reply(toolUseMessage('save_assessment', { ...good, verdict: 'promising' }));
    const lucky = input({ majority_baseline: 0.5 }, { random_entry_p_value: 0.31 });
    const out = await assessor().assess(lucky, { signal: new AbortController().signal });
    expect(out.assessment.verdict).toBe('mediocre');
    expect(out.assessment.weaknesses).toEqual([
      'Downgraded from promising: random entries did as well in 31.0% of the runs (p 0.310 > 0.10); a promising verdict needs test accuracy above the majority baseline and a random-entry p-value of at most 0.10',
      ...good.weaknesses,
    ]);
    expect(out.assessment.strengths).toEqual(good.strengths);
    const prompt = (fake.requests[0]!.body as { messages: { content: string }[] }).messages[0]!.content;
    expect(prompt).toContain(
      '- "promising" is ruled out here: random entries did as well in 31.0% of the runs (p 0.310 > 0.10) (a promising verdict needs test accuracy above the majority baseline and a random-entry p-value of at most 0.10). A "promising" answer that breaks the rule is saved as "mediocre".',
    );
    expect(prompt).toContain('would score 50.0%; edge 2.0%'); // the majority baseline, not baseline_accuracy
  });

  it('keeps a promising the numbers support, and reads the bound from the settings', async () => {
    fake.reply(toolUseMessage('save_assessment', { ...good, verdict: 'promising' }), toolUseMessage('save_assessment', { ...good, verdict: 'promising' }));
    const ok = await assessor().assess(input(), { signal: new AbortController().signal });
    expect(ok.assessment).toEqual({ ...good, verdict: 'promising' });
    const config = loadLlmConfig({
      ANTHROPIC_API_KEY: 'sk-ant-test-SECRET123',
      ANTHROPIC_BASE_URL: fake.url,
      KTRDR_LLM_MAX_RETRIES: '0',
      BACKTEST_GATE_MAX_P_VALUE: '0.4',
    });
    const loose = await new ClaudeAssessor(createClaudeClient(config), config).assess(input(undefined, { random_entry_p_value: 0.31 }), {
      signal: new AbortController().signal,
    });
    expect(loose.assessment.verdict).toBe('promising');
  });

  it('shows the walk-forward numbers, seeds, regimes and costs when the result has them', () => {
    const prompt = assessmentPrompt(
      input(undefined, {
        initial_capital: 100_000,
        costs_paid: 1_234.5,
        random_entry_simulations: 1000,
        evaluation: { scheme: 'expanding', folds: 2, purge: 10, embargo: 5, seeds: 2 },
        folds: [
          {
            fold: 1,
            start: '2017-01-03T00:00:00.000Z',
            end: '2018-06-29T00:00:00.000Z',
            bars: 374,
            total_return: 0.12,
            sharpe_ratio: 1.1,
            max_drawdown: 0.08,
            total_trades: 20,
            win_rate: 0.6,
            benchmark_return: 0.2,
          },
          {
            fold: 2,
            start: '2018-07-02T00:00:00.000Z',
            end: '2020-04-17T00:00:00.000Z',
            bars: 454,
            total_return: -0.03,
            sharpe_ratio: -0.2,
            max_drawdown: 0.2,
            total_trades: 22,
            win_rate: 0.45,
            benchmark_return: 0.05,
          },
        ],
        fold_dispersion: {
          folds: 2,
          return_mean: 0.045,
          return_std: 0.106,
          sharpe_mean: 0.45,
          sharpe_std: 0.92,
          positive_share: 0.5,
          worst_return: -0.03,
          best_return: 0.12,
        },
        seed_robustness: {
          seeds: [
            { seed: 7, total_return: 0.09, sharpe_ratio: 0.8 },
            { seed: 8, total_return: -0.01, sharpe_ratio: -0.1 },
          ],
          profitable: 1,
          share: 0.5,
        },
        regimes: [{ regime: 'bear_volatile', bars: 100, share: 0.12, total_return: -0.05, sharpe_ratio: -0.9, benchmark_return: -0.15, exposure: 0.3 }],
      }),
    );
    expect(prompt).toContain('did at least as well in 2.0% of 1000 runs (p 0.020)');
    expect(prompt).toContain('- costs paid, commission plus slippage: 1234.50 (1.2% of the initial capital)');
    expect(prompt).toContain(
      '# Walk-forward evaluation (the numbers above are its test folds stitched together)\n- expanding windows, 2 folds, purge 10 bars, embargo 5 bars, 2 training seeds\n- folds with a positive return: 1 of 2 (50.0%); fold returns mean 4.5% (std 10.6%), worst -3.0%, best 12.0%; fold Sharpe mean 0.45 (std 0.92)\n  - fold 1 (2017-01-03 → 2018-06-29): return 12.0% (buy-and-hold 20.0%); Sharpe 1.10; 20 trades\n  - fold 2',
    );
    expect(prompt).toContain('- training seeds profitable out of sample: 1 of 2 (50.0%): seed 7 9.0%, seed 8 -1.0%');
    expect(prompt).toContain('- bear_volatile: 12.0% of the bars; return -5.0% vs buy-and-hold -15.0%; Sharpe -0.90; in the market 30.0%');
  });

  it("shows a multi-symbol backtest as a portfolio with each symbol's own line", () => {
    const sleeve = (symbol: string, total_return: number, total_trades: number) => ({
      symbol,
      bars: 800,
      total_return,
      sharpe_ratio: 0.9,
      max_drawdown: 0.15,
      win_rate: 0.6,
      profit_factor: 1.5,
      total_trades,
      exposure: 0.5,
      benchmark_return: 0.2,
      initial_capital: 50_000,
      final_equity: 50_000 * (1 + total_return),
    });
    const multi = assessmentPrompt(input(undefined, { symbol: 'SP500,SYNTH_A', per_symbol: [sleeve('SP500', 0.4, 30), sleeve('SYNTH_A', 0.22, 12)] }));
    expect(multi).toContain(
      '- the numbers above are a portfolio of 2 equal-weight sleeves, one per symbol:\n  - SP500: return 40.0% (buy-and-hold 20.0%); Sharpe 0.90; max drawdown 15.0%; 30 trades, win rate 60.0%\n  - SYNTH_A: return 22.0%',
    );
    expect(assessmentPrompt(input())).not.toContain('sleeves');
  });

  it('corrects an invalid assessment once', async () => {
    fake.reply(toolUseMessage('save_assessment', { ...good, verdict: 'great', suggestions: [] }), toolUseMessage('save_assessment', good));
    const out = await assessor().assess(input(), { signal: new AbortController().signal });
    expect(out.turns).toBe(2);
    const result = (fake.requests[1]!.body as { messages: { content: { content: string }[] }[] }).messages[2]!.content[0]!.content;
    expect(result).toContain('verdict: ');
    expect(result).toContain('suggestions: ');
  });

  it('fails with "Claude did not save an assessment" when the tool is not called', async () => {
    fake.reply(textMessage('Looks fine to me.'));
    const e = await assessor()
      .assess(input(), { signal: new AbortController().signal })
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(LlmError);
    expect((e as LlmError).code).toBe(ErrorCode.LlmNoToolCall);
    expect((e as Error).message).toBe('Claude did not save an assessment');
  });

  it('fails with the first errors when the assessment stays invalid', async () => {
    fake.always(toolUseMessage('save_assessment', { ...good, verdict: 'great' }));
    const e = await assessor()
      .assess(input(), { signal: new AbortController().signal })
      .catch((err: unknown) => err);
    expect((e as LlmError).code).toBe(ErrorCode.LlmInvalidOutput);
    expect((e as Error).message).toMatch(/^Claude produced an invalid assessment: verdict: /);
  });
});
