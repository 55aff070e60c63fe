import { readCampaignParameters } from '@ktrdr/api-contract';
import { campaignReport, campaignVerdict, chooseFinalists, familyLessons, stopReason, unproductiveStreak, type ScoredTrial } from './campaign.rules';
import { holdoutStrategy, holdoutWindow, lastSearchDay, sealStrategy, SealedWindowError } from './campaign.holdout';
import { ideaFamily, strategyContentHash, themeOf } from './strategy.identity';
import { parseStrategy, type StrategyConfig } from './strategy.schema';

const T = { minDsr: 0.95, maxPbo: 0.2 };
const defaults = readCampaignParameters({});
const progress = { started: 3, elapsedSeconds: 10, spentUsd: 0, unproductiveStreak: 0, bestDsr: 0.5 };

describe('campaign stop rules', () => {
  it('fire in order: target, cycles, time, budget, unproductive; none while all hold', () => {
    expect(stopReason(defaults, progress)).toBeNull();
    expect(stopReason({ ...defaults, target_dsr: 0.5 }, progress)).toBe('target_reached');
    expect(stopReason({ ...defaults, target_dsr: 0.5, max_cycles: 3 }, progress)).toBe('target_reached');
    expect(stopReason({ ...defaults, max_cycles: 3, max_duration_seconds: 5 }, progress)).toBe('max_cycles');
    expect(stopReason({ ...defaults, max_duration_seconds: 10, budget_usd: 0 }, progress)).toBe('max_duration');
    expect(stopReason({ ...defaults, budget_usd: 1 }, { ...progress, spentUsd: 1.2 })).toBe('budget');
    expect(stopReason(defaults, { ...progress, unproductiveStreak: 5 })).toBe('unproductive');
    expect(stopReason(defaults, { ...progress, unproductiveStreak: 4 })).toBeNull();
  });

  it('count trials since the best DSR was last raised; a trial without a DSR raises nothing', () => {
    const at = (...d: (number | null)[]) => d.map((dsr_at_record, i) => ({ trial: i + 1, dsr_at_record }));
    expect(unproductiveStreak(at())).toEqual({ best: null, bestTrial: null, streak: 0 });
    expect(unproductiveStreak(at(null, null))).toEqual({ best: null, bestTrial: null, streak: 2 });
    expect(unproductiveStreak(at(0.3, 0.2, 0.6, null, 0.6, 0.1))).toEqual({ best: 0.6, bestTrial: 3, streak: 3 });
    // Order is by trial number, not by the order given.
    expect(unproductiveStreak([...at(0.3, 0.9)].reverse())).toEqual({ best: 0.9, bestTrial: 2, streak: 0 });
  });
});

const scored = (trial: number, dsr: number | null, extra: Partial<ScoredTrial> = {}): ScoredTrial => ({
  trial,
  dsr,
  dsr_at_record: dsr,
  outcome: 'passed',
  family: 'trend/zigzag',
  strategy_name: `s${trial}`,
  sharpe_ratio: dsr === null ? null : dsr - 0.2,
  ...extra,
});
const look = (trial: number, sharpe: number | null) => ({
  trial,
  cycle_id: `c${trial}`,
  status: 'completed' as const,
  sharpe_ratio: sharpe,
  total_return: null,
  max_drawdown: null,
  total_trades: null,
  win_rate: null,
  benchmark_return: null,
  error: null,
});

describe('finalists and the verdict', () => {
  it('finalists are the top k by DSR, ties to the earlier trial, trials without one left out', () => {
    const f = chooseFinalists([scored(1, 0.5), scored(2, null), scored(3, 0.9), scored(4, 0.5), scored(5, 0.7)], 3);
    expect(f.map((t) => t.trial)).toEqual([3, 5, 1]);
  });

  it('found only when DSR, PBO and the holdout Sharpe all pass; otherwise names the first failure, then the others', () => {
    const best = { ...scored(4, 0.97), holdout: look(4, 0.8) };
    expect(campaignVerdict([best, { ...scored(2, 0.6), holdout: look(2, -1) }], 0.1, T)).toEqual({
      verdict: 'found',
      reason: 'trial 4 (s4): DSR 0.97 ≥ 0.95, PBO 0.10 ≤ 0.20, holdout Sharpe 0.80 > 0',
    });
    expect(campaignVerdict([{ ...best, dsr: 0.62 }], 0.1, T)).toEqual({ verdict: 'nothing_found', reason: 'trial 4 (s4): DSR 0.62 < 0.95' });
    expect(campaignVerdict([{ ...best, holdout: look(4, -0.31) }], 0.41, T).reason).toBe('trial 4 (s4): PBO 0.41 > 0.20; also holdout Sharpe -0.31 ≤ 0');
    expect(campaignVerdict([best], null, T).reason).toMatch(/^trial 4 \(s4\): PBO unavailable/);
    expect(campaignVerdict([{ ...best, holdout: null }], 0.1, T).reason).toBe('trial 4 (s4): no holdout result (not evaluated)');
    expect(campaignVerdict([], 0.1, T)).toEqual({ verdict: 'nothing_found', reason: 'no finalist: no trial passed every gate with out-of-sample returns' });
  });
});

describe('what the campaign learned', () => {
  const trials = [
    scored(1, 0.8, { family: 'mean_reversion/triple_barrier' }),
    scored(2, 0.4, { family: 'trend/zigzag', outcome: 'gate_failed' }),
    scored(3, 0.2, { family: 'trend/zigzag', outcome: 'gate_failed' }),
    scored(4, 0.6, { family: 'mean_reversion/triple_barrier' }),
    scored(5, null, { family: null, outcome: 'failed', sharpe_ratio: null }),
  ];

  it('per family: trials, passed, best DSR, mean Sharpe; best family first', () => {
    const lessons = familyLessons(trials);
    expect(lessons.map((l) => l.family)).toEqual(['mean_reversion/triple_barrier', 'trend/zigzag', 'unknown (no design)']);
    expect(lessons[0]).toEqual({ family: 'mean_reversion/triple_barrier', trials: 2, passed: 2, best_dsr: 0.8, mean_sharpe: expect.closeTo(0.5, 12) });
    expect(lessons[1]).toMatchObject({ trials: 2, passed: 0, best_dsr: 0.4 });
    expect(lessons[2]).toMatchObject({ trials: 1, best_dsr: null, mean_sharpe: null });
  });

  it('the report says it in words', () => {
    const lessons = familyLessons(trials);
    const report = campaignReport({
      trials,
      lessons,
      stop_reason: 'unproductive',
      verdict: 'nothing_found',
      verdict_reason: 'trial 1 (s1): DSR 0.80 < 0.95',
      pbo: 0.3,
      thresholds: T,
    });
    expect(report).toEqual([
      '5 trials: 2 passed every gate, 2 stopped at a gate, 1 failed.',
      'The search stopped because too many trials in a row did not improve the best DSR (unproductive).',
      'Families that helped (passed the gates, DSR ≥ 0.50): mean_reversion/triple_barrier (best DSR 0.80, 2 trials).',
      'Families that never passed the gates: trend/zigzag (2 trials).',
      'Probability of backtest overfitting across the trials: 0.30 (at most 0.20 for a finding).',
      'Nothing found: trial 1 (s1): DSR 0.80 < 0.95.',
    ]);
  });
});

const base = (): StrategyConfig => {
  const parsed = parseStrategy({
    name: 'probe',
    description: 'a probe',
    hypothesis: 'rsi reverts',
    training_data: { symbols: ['SP500'], timeframes: ['1d'], date_range: { start: '2000-01-01', end: '2007-12-31' } },
    indicators: { rsi_14: { type: 'rsi', period: 14 }, sma_20: { type: 'sma', period: 20 } },
    fuzzy_sets: {
      rsi_14: { indicator: 'rsi_14', low: { type: 'triangular', parameters: [0, 25, 50] }, high: { type: 'triangular', parameters: [50, 75, 100] } },
    },
    nn_inputs: [{ fuzzy_set: 'rsi_14' }],
    model: { type: 'mlp', architecture: { hidden_layers: [16] }, training: { epochs: 10 } },
    training: { labels: { source: 'zigzag', zigzag_threshold: 0.03, label_lookahead: 10 }, data_split: { train: 0.7, validation: 0.15, test: 0.15 } },
    backtest: { date_range: { start: '2008-01-01', end: '2020-04-17' } },
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.config;
};

describe('the sealed holdout', () => {
  it('is the last fraction of the span, at least a year on daily bars, at most half of it', () => {
    // 2000-01-03 → 2020-04-17 is 7410 days; 20 % is 1482 days before the end.
    expect(holdoutWindow('2000-01-03', '2020-04-17', '1d', 0.2)).toEqual({ from: '2016-03-27', to: '2020-04-17' });
    // Two years of daily bars: 20 % would be 146 days; a year is the floor.
    expect(holdoutWindow('2018-01-01', '2020-01-01', '1d', 0.2)).toEqual({ from: '2019-01-01', to: '2020-01-01' });
    // Hourly bars have no floor; 1.5 years of daily bars cap the year at half the span.
    expect(holdoutWindow('2024-01-01', '2024-01-11', '1h', 0.2)).toEqual({ from: '2024-01-09', to: '2024-01-11' });
    expect(holdoutWindow('2019-01-01', '2020-07-01', '1d', 0.2).from).toBe('2019-10-01');
    expect(lastSearchDay({ from: '2016-03-27' })).toBe('2016-03-26');
  });

  it('a trial’s strategy is cut to end the day before it, and refused when it would start inside it', () => {
    const cut = sealStrategy(base(), '2016-03-27');
    expect(cut.clamped).toBe(true);
    expect(cut.config.backtest.date_range).toEqual({ start: '2008-01-01', end: '2016-03-26' });
    expect(cut.config.training_data.date_range.end).toBe('2007-12-31');
    expect(sealStrategy(base(), '2021-01-01')).toEqual({ config: base(), clamped: false });
    expect(() => sealStrategy(base(), '2008-01-01')).toThrow(SealedWindowError);
  });

  it('a finalist’s look: the same design, one fold whose test part is the holdout, trained on every bar before it', () => {
    const h = holdoutStrategy(base(), { from: '2016-03-27', to: '2020-04-17' }, 'probe_holdout');
    expect(h.name).toBe('probe_holdout');
    expect(h.training_data.date_range).toEqual({ start: '2000-01-01', end: '2016-03-26' });
    expect(h.backtest.date_range).toEqual({ start: '2016-03-27', end: '2020-04-17' });
    expect(h.evaluation.folds).toBe(1);
    expect(h.evaluation.seeds).toBe(base().evaluation.seeds);
    expect(parseStrategy(h).ok).toBe(true);
  });
});

describe('strategy identity', () => {
  it('the content hash ignores names and words and changes with anything that trades', () => {
    const a = base();
    expect(strategyContentHash({ ...a, name: 'other', description: 'x', hypothesis: 'y', version: '9' })).toBe(strategyContentHash(a));
    // Key order does not matter.
    expect(strategyContentHash({ ...a, indicators: { sma_20: a.indicators['sma_20']!, rsi_14: a.indicators['rsi_14']! } })).toBe(strategyContentHash(a));
    expect(strategyContentHash({ ...a, indicators: { ...a.indicators, rsi_14: { type: 'rsi', period: 21 } } })).not.toBe(strategyContentHash(a));
    expect(strategyContentHash({ ...a, decisions: { ...a.decisions, confidence_threshold: 0.9 } })).not.toBe(strategyContentHash(a));
    expect(strategyContentHash(a)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('the idea family is the theme most of its indicators express and its label source', () => {
    expect(ideaFamily(base())).toBe('mean_reversion/zigzag');
    expect(themeOf(['sma', 'ema', 'rsi'])).toBe('trend');
    expect(themeOf(['atr', 'bbands'])).toBe('volatility');
    expect(themeOf([])).toBe('mixed');
  });
});
