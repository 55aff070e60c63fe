import { assessmentSchema, parseStrategy, type StrategyConfig } from '@ktrdr/agent-domain';
import { CancelledError, ErrorCode, LlmError } from '@ktrdr/errors';
import { assessmentPrompt } from './assessment.prompt';
import { ClaudeAssessor } from './claude.assessor';
import { createClaudeClient } from './claude.client';
import { FakeAnthropicServer, textMessage, toolUseMessage } from '../../../tools/testing/fake-anthropic.server';
import { loadLlmConfig } from './llm.config';
import type { AssessInput, BacktestMetrics, TrainingMetrics } from './llm.types';
import { OfflineAssessor, assessOffline } from './offline.assessor';
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
    expect(a.strengths).toHaveLength(4); // six criteria scored above 0: the best four
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
        { total_return: -0.08, sharpe_ratio: -0.7, max_drawdown: 0.45, win_rate: 0.38, profit_factor: 0.8, total_trades: 7, benchmark_return: 0.2 },
      ),
    );
    expect(a.verdict).toBe('poor');
    expect(a.weaknesses).toHaveLength(4);
    expect(a.weaknesses[0]).toBe('Sharpe ratio -0.70: clearly negative risk-adjusted return (below -0.5)');
    expect(a.weaknesses).toContain('Max drawdown 45.0%: too deep (above 40% of peak equity)');
    // Nothing scored above 0: the least weak points, marked as such.
    expect(a.strengths).toEqual([
      'Least weak point: Only 7 trades: thin evidence (fewer than 20)',
      expect.stringMatching(/^Least weak point: The model has no edge: test accuracy 41.0%/),
    ]);
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

  it('honours a cancelled signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(new OfflineAssessor().assess(input(), { signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
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
