import { ideaFamily, parseStrategy, parseStrategyYaml, strategyContentHash, strategyToYaml, type StrategyConfig } from '@ktrdr/agent-domain';
import {
  CAMPAIGN_FAMILIES,
  CONFIDENCE_THRESHOLDS,
  FAILURE_SCORE,
  HIDDEN_LAYERS,
  armPosteriors,
  drawGenome,
  expectedImprovement,
  freshTrials,
  mutateGenome,
  nearTrials,
  refineChance,
  scoreScale,
  trialScore,
  type Genome,
} from './campaign.search';
import type { AvailableData, CampaignDesignContext, CampaignTrialSummary, DesignInput } from './llm.types';
import { OfflineDesigner, designOffline } from './offline.designer';
import { SeededRandom } from './seeded.random';

/** The listing as the campaign's caller passes it: every row cut to end the day before sealed_from. */
function clipped(sealedFrom: string): AvailableData[] {
  const last = new Date(Date.parse(sealedFrom) - 86_400_000).toISOString().slice(0, 10);
  const rows: AvailableData[] = [
    { symbol: 'SP500', timeframe: '1d', start: '2000-01-03', end: '2020-04-17' },
    { symbol: 'SYNTH_*', timeframe: '1h', start: '2015-01-01', end: '2026-12-31' },
    { symbol: 'SYNTH_*', timeframe: '4h', start: '2015-01-01', end: '2026-12-31' },
    { symbol: 'SYNTH_*', timeframe: '1d', start: '2015-01-01', end: '2026-12-31' },
  ];
  return rows.map((r) => (r.end > last ? { ...r, end: last } : r));
}

interface Campaign {
  search?: 'directed' | 'random';
  trial?: number;
  seed?: number;
  ledger?: CampaignTrialSummary[];
  tried?: string[];
  sealedFrom?: string;
  symbols?: string[];
  timeframe?: string;
  availableData?: AvailableData[];
  brief?: string | null;
}

function input(c: Campaign = {}): DesignInput {
  const sealed = c.sealedFrom ?? '2025-01-01';
  const campaign: CampaignDesignContext = {
    search: c.search ?? 'directed',
    trial: c.trial ?? (c.ledger?.length ?? 0) + 1,
    seed: c.seed ?? 11,
    ledger: c.ledger ?? [],
    tried_hashes: c.tried ?? c.ledger?.flatMap((t) => (t.strategy_hash ? [t.strategy_hash] : [])) ?? [],
    sealed_from: sealed,
    scope: { symbols: c.symbols ?? ['SYNTH_EDGE_A'], timeframe: c.timeframe ?? '1d' },
  };
  return { model: 'claude-sonnet-5-5', brief: c.brief ?? null, availableData: c.availableData ?? clipped(sealed), recent: [], seed: 1, campaign };
}

const types = (c: StrategyConfig): string[] => [...new Set(Object.values(c.indicators).map((i) => i.type))].sort();

/** The ledger row the campaign records for a design, with the scores a test gives it. */
function summary(
  trial: number,
  c: StrategyConfig,
  outcome: CampaignTrialSummary['outcome'],
  sharpe: number | null,
  dsr: number | null = null,
): CampaignTrialSummary {
  return {
    trial,
    family: ideaFamily(c),
    strategy_hash: strategyContentHash(c),
    indicators: types(c),
    label: c.training.labels.source,
    hidden_layers: c.model.architecture.hidden_layers,
    confidence_threshold: c.decisions.confidence_threshold,
    outcome,
    reason: outcome === 'gate_failed' && sharpe === null ? 'no_skill' : null,
    sharpe_ratio: sharpe,
    dsr,
  };
}

/** A campaign run with the given scoring of each design: the ledger after `trials` trials, one at a time. */
function run(trials: number, score: (c: StrategyConfig) => { outcome: CampaignTrialSummary['outcome']; sharpe: number | null }, c: Campaign = {}) {
  const ledger: CampaignTrialSummary[] = [];
  const designs: StrategyConfig[] = [];
  for (let trial = 1; trial <= trials; trial++) {
    const config = designOffline(input({ ...c, trial, ledger: [...ledger] }));
    const s = score(config);
    designs.push(config);
    ledger.push(summary(trial, config, s.outcome, s.sharpe));
  }
  return { ledger, designs };
}

const endsBefore = (c: StrategyConfig, sealedFrom: string): boolean =>
  Date.parse(c.training_data.date_range.end) < Date.parse(sealedFrom) && Date.parse(c.backtest.date_range.end) < Date.parse(sealedFrom);

describe('offline campaign design: market and sealed holdout', () => {
  it.each([
    ['SP500', '1d', '2012-01-01'],
    ['SP500', '1d', '2018-07-02'],
    ['SYNTH_EDGE_A', '1d', '2021-01-01'],
    ['SYNTH_WALK_A', '1d', '2024-12-31'], // the default synthetic windows would end on it (windowsFor allows a day past the data)
    ['SYNTH_EDGE_A', '1h', '2020-06-15'],
    ['SYNTH_DEMO', '4h', '2019-03-01'],
  ])('%s %s with the holdout from %s: every window ends before it, on the scope', (symbol, timeframe, sealedFrom) => {
    for (const search of ['directed', 'random'] as const) {
      for (let trial = 1; trial <= 6; trial++) {
        const c = designOffline(input({ search, trial, symbols: [symbol], timeframe, sealedFrom }));
        expect(c.training_data).toMatchObject({ symbols: [symbol], timeframes: [timeframe] });
        expect(endsBefore(c, sealedFrom)).toBe(true);
        expect(Date.parse(c.backtest.date_range.start)).toBeGreaterThan(Date.parse(c.training_data.date_range.end));
        expect(Date.parse(c.training_data.date_range.start)).toBeGreaterThanOrEqual(Date.parse(symbol === 'SP500' ? '2000-01-01' : '2015-01-01'));
      }
    }
  });

  it('uses the span every scope symbol has', () => {
    const sealedFrom = '2019-01-01';
    const availableData: AvailableData[] = [...clipped(sealedFrom), { symbol: 'EURUSD', timeframe: '1d', start: '2010-01-01', end: '2017-06-30' }];
    const c = designOffline(input({ symbols: ['SP500', 'EURUSD'], timeframe: '1d', sealedFrom, availableData }));
    expect(c.training_data.symbols).toEqual(['SP500', 'EURUSD']);
    expect(Date.parse(c.training_data.date_range.start)).toBeGreaterThanOrEqual(Date.parse('2010-01-01'));
    expect(Date.parse(c.backtest.date_range.end)).toBeLessThanOrEqual(Date.parse('2017-06-30'));
  });

  it('refuses, with the reason, a listing that reaches into the holdout, and a scope it cannot serve', () => {
    // Not clipped: the SP500 sample runs to 2020-04-17, past a holdout from 2015.
    const unclipped: AvailableData[] = [{ symbol: 'SP500', timeframe: '1d', start: '2000-01-03', end: '2020-04-17' }];
    expect(() => designOffline(input({ symbols: ['SP500'], sealedFrom: '2015-01-01', availableData: unclipped }))).toThrow(
      /^offline designer: the windows for SP500 1d \(training 2000-01-01 → 2007-12-31, backtest 2008-01-01 → 2020-04-17\) do not end before the campaign's sealed holdout \(from 2015-01-01\)/,
    );
    expect(() => designOffline(input({ timeframe: '2h' }))).toThrow(/timeframe "2h" is not one of/);
    expect(() => designOffline(input({ symbols: [] }))).toThrow('offline designer: the campaign names no symbol');
  });
});

describe('offline campaign design: the designs', () => {
  it('are valid, named uniquely, of the family they were drawn for, with the default evaluation and the campaign seed', () => {
    const seeds = new Set<number>();
    for (const timeframe of ['1d', '4h', '1h']) {
      for (const search of ['directed', 'random'] as const) {
        const { designs } = run(25, (c) => ({ outcome: 'gate_failed', sharpe: c.decisions.confidence_threshold - 0.45 }), { search, timeframe });
        // Unique within a campaign. (Directed and random campaigns of one seed share their draws'
        // streams, so where directed search picks the family random search drew, they design alike.)
        expect(new Set(designs.map((c) => c.name)).size).toBe(designs.length);
        for (const c of designs) {
          expect(parseStrategy(c)).toMatchObject({ ok: true });
          expect(parseStrategyYaml(strategyToYaml(c))).toMatchObject({ ok: true, config: c });
          expect(c.name).toMatch(/^offline_[a-z_]+_(reversion|trend|momentum|volatility)_[0-9a-f]{8}$/);
          expect(c.name.endsWith(strategyContentHash(c).slice(0, 8))).toBe(true);
          expect(CAMPAIGN_FAMILIES).toContain(ideaFamily(c));
          expect(c.evaluation).toEqual({ folds: 5, scheme: 'expanding', seeds: 3 });
          expect(c.description).toMatch(/^Offline design for campaign trial \d+: /);
          expect(Object.keys(c.indicators).length).toBeGreaterThanOrEqual(2);
          expect(Math.max(...c.model.architecture.hidden_layers)).toBeLessThanOrEqual(64);
          seeds.add(c.model.training.seed);
        }
      }
    }
    expect(seeds.size).toBe(1); // one seed for every trial of the campaign
  });

  it('sizes the labels for the timeframe', () => {
    for (const timeframe of ['1d', '1h']) {
      const { designs } = run(40, () => ({ outcome: 'failed', sharpe: null }), { search: 'random', timeframe });
      for (const c of designs) {
        const l = c.training.labels;
        if (l.source === 'zigzag') expect(l.zigzag_threshold).toBeLessThan(timeframe === '1d' ? 0.07 : 0.015);
        if (l.source === 'forward_return') expect(l.horizon).toBeGreaterThanOrEqual(timeframe === '1d' ? 3 : 6);
        if (l.source === 'triple_barrier') expect(l.profit_take).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('honours "short" in the brief, and the designer returns the design with no cost', async () => {
    expect(designOffline(input({ brief: 'long/short mean reversion' })).decisions.position_mode).toBe('long_short');
    const out = await new OfflineDesigner().design(input(), { signal: new AbortController().signal });
    expect(out).toMatchObject({ source: 'offline', cost_usd: 0, turns: 0 });
    expect(out.config).toEqual(designOffline(input()));
  });
});

describe('offline campaign search: random', () => {
  it('draws each trial independently from (seed, trial): the ledger changes nothing', () => {
    const { ledger, designs } = run(30, () => ({ outcome: 'gate_failed', sharpe: 0.4 }), { search: 'random' });
    for (const trial of [3, 17, 30]) {
      // The same trial with no history and no tried hashes draws the same design.
      expect(designOffline(input({ search: 'random', trial, ledger: [], tried: [] }))).toEqual(designs[trial - 1]);
      expect(designOffline(input({ search: 'random', trial, ledger: ledger.slice(0, trial - 1) }))).toEqual(designs[trial - 1]);
    }
    expect(designOffline(input({ search: 'random', trial: 3, seed: 12 }))).not.toEqual(designs[2]);
  });

  it('covers the whole space: every family, model size and threshold', () => {
    const families = new Set<string>();
    const hidden = new Set<string>();
    const thresholds = new Set<number>();
    const params = new Set<string>();
    for (let trial = 1; trial <= 200; trial++) {
      const c = designOffline(input({ search: 'random', trial }));
      families.add(ideaFamily(c));
      hidden.add(c.model.architecture.hidden_layers.join(','));
      thresholds.add(c.decisions.confidence_threshold);
      for (const id of Object.keys(c.indicators)) params.add(id);
    }
    expect([...families].sort()).toEqual([...CAMPAIGN_FAMILIES].sort());
    expect(hidden.size).toBe(HIDDEN_LAYERS.length);
    expect(thresholds.size).toBe(CONFIDENCE_THRESHOLDS.length);
    expect(params.size).toBeGreaterThan(25); // indicator × parameter variants
  });
});

describe('offline campaign search: directed', () => {
  /** A market where only mean reversion with forward-return or triple-barrier labels works; zigzag models never trade. */
  const edge = (c: StrategyConfig): { outcome: CampaignTrialSummary['outcome']; sharpe: number | null } => {
    const family = ideaFamily(c);
    if (family.endsWith('/zigzag')) return { outcome: 'gate_failed', sharpe: null };
    if (family.startsWith('mean_reversion/')) return { outcome: 'passed', sharpe: 1.2 + (c.decisions.confidence_threshold - 0.45) };
    return { outcome: 'gate_failed', sharpe: -0.2 };
  };

  it('is deterministic given the seed and the ledger', () => {
    const a = run(20, edge);
    const b = run(20, edge);
    expect(b.designs).toEqual(a.designs);
    expect(run(20, edge, { seed: 99 }).designs).not.toEqual(a.designs);
  });

  it('learns from the ledger: it draws the families that score and refines the best trial, more than random search does', () => {
    const good = (c: StrategyConfig): boolean => edge(c).outcome === 'passed';
    const directed = run(60, edge);
    const random = run(60, edge, { search: 'random' });
    const lateGood = (ds: StrategyConfig[]): number => ds.slice(30).filter(good).length;
    // Random search lands in the 2 good families of 12 about 1 time in 6; directed search, once it has seen them, most of the time.
    expect(lateGood(random.designs)).toBeLessThan(12);
    expect(lateGood(directed.designs)).toBeGreaterThan(20);
    const refines = (c: StrategyConfig): boolean => c.description.includes('refines trial');
    const refinements = directed.designs.filter(refines);
    expect(refinements.length).toBeGreaterThan(8);
    // Replayed exactly: the designer recognises its own earlier trials from their content hashes.
    for (const c of refinements) expect(c.description).not.toContain('as read from the ledger');
    expect(random.designs.filter(refines)).toHaveLength(0);
    // A refinement keeps the idea it refines: the indicators and the labels.
    for (const [i, c] of directed.designs.entries()) {
      const parent = /refines trial (\d+)/.exec(c.description);
      if (!parent) continue;
      const p = directed.designs[Number(parent[1]) - 1]!;
      expect(types(c)).toEqual(types(p));
      expect(c.training.labels).toEqual(p.training.labels);
      expect(i + 1).toBeGreaterThan(Number(parent[1]));
    }
  });

  it('treats failures as evidence against their theme and label source and ignores cancelled trials', () => {
    const c = designOffline(input());
    const base = summary(1, c, 'failed', null);
    expect(trialScore(base)).toBe(FAILURE_SCORE);
    expect(trialScore({ outcome: 'gate_failed', sharpe_ratio: null })).toBe(FAILURE_SCORE);
    expect(trialScore({ outcome: 'gate_failed', sharpe_ratio: 0.7 })).toBe(0.7);
    expect(trialScore({ outcome: 'passed', sharpe_ratio: 9 })).toBe(3);
    expect(trialScore({ outcome: 'cancelled', sharpe_ratio: null })).toBeNull();
    // 36 distinct random designs: every trend design and every zigzag one failed, the volatility ones
    // were cancelled, the rest passed with an ordinary Sharpe ratio.
    const ledger = run(
      36,
      (d) => {
        const family = ideaFamily(d);
        if (family.startsWith('trend/') || family.endsWith('/zigzag')) return { outcome: 'failed', sharpe: null };
        return { outcome: 'passed', sharpe: 0.2 + (d.decisions.confidence_threshold - 0.45) };
      },
      { search: 'random' },
    ).ledger.map((t) => (t.family.startsWith('volatility/') ? { ...t, outcome: 'cancelled' as const, sharpe_ratio: null } : t));
    const { themes, sources } = armPosteriors(ledger);
    const arm = (arms: typeof themes, name: string) => arms.find((p) => p.arm === name)!;
    expect(arm(themes, 'volatility').trials).toBe(0);
    expect(arm(themes, 'trend').mean).toBeLessThan(arm(themes, 'mean_reversion').mean - 0.3);
    expect(arm(themes, 'trend').mean).toBeLessThan(arm(themes, 'volatility').mean);
    expect(arm(sources, 'zigzag').mean).toBeLessThan(arm(sources, 'forward_return').mean - 0.3);
    expect(arm(themes, 'trend').sd).toBeLessThan(arm(themes, 'volatility').sd);
    // Its fresh designs are of those themes and label sources far less often than random search's.
    let failedDrawn = 0;
    let fresh = 0;
    for (let trial = 37; trial <= 136; trial++) {
      const d = designOffline(input({ trial, ledger }));
      if (d.description.includes('refines trial')) continue;
      fresh++;
      const family = ideaFamily(d);
      if (family.startsWith('trend/') || family.endsWith('/zigzag')) failedDrawn++;
    }
    expect(fresh).toBeGreaterThan(20);
    expect(failedDrawn / fresh).toBeLessThan(0.3); // half of random search's designs are trend or zigzag ones
  });

  it('refines more often the more the best trial stands out from the fresh designs', () => {
    // The expected improvement of a normal N(0, 1) over 0 is φ(0).
    expect(expectedImprovement({ mean: 0, sd: 1 }, 0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 6);
    expect(expectedImprovement({ mean: 1, sd: 0.5 }, 0)).toBeGreaterThan(1);
    expect(expectedImprovement({ mean: -3, sd: 0.5 }, 0)).toBeLessThan(1e-5);
    // Twelve fresh designs with distinct summaries (no two one change apart), Sharpe ratios 0 to 0.55.
    const fresh = run(12, () => ({ outcome: 'passed', sharpe: 0 }), { search: 'random' }).ledger.map((t, i) => ({ ...t, sharpe_ratio: i / 20 }));
    expect(freshTrials(fresh)).toHaveLength(fresh.length);
    const { mean, sd } = scoreScale(fresh);
    const chance = (x: number): number => refineChance({ ...fresh[0]!, sharpe_ratio: x }, fresh);
    expect(chance(mean)).toBeCloseTo(1 / 3, 3);
    expect(chance(mean + sd)).toBeCloseTo(0.58, 2);
    expect(chance(mean + 2 * sd)).toBeCloseTo(0.88, 2);
    expect(chance(mean + 3 * sd)).toBeGreaterThan(0.98);
  });

  it('learns what a fresh design scores from the fresh trials alone: one change from an earlier trial is a refinement', () => {
    const first = run(1, () => ({ outcome: 'passed', sharpe: 1.5 })).ledger[0]!;
    const threshold = CONFIDENCE_THRESHOLDS.indexOf(first.confidence_threshold!);
    const neighbour = CONFIDENCE_THRESHOLDS[threshold === 0 ? 1 : threshold - 1]!;
    const child = { ...first, trial: 2, strategy_hash: 'child', confidence_threshold: neighbour, sharpe_ratio: 1.4 };
    const far = { ...child, trial: 3, strategy_hash: 'far', hidden_layers: [1, 2, 3] };
    const other = { ...first, trial: 4, strategy_hash: 'other', family: 'trend/zigzag' };
    expect(nearTrials(first, child)).toBe(true);
    expect(nearTrials(first, far)).toBe(false); // two changes
    expect(nearTrials(first, other)).toBe(false); // another theme
    expect(freshTrials([first, child, far, other]).map((t) => t.trial)).toEqual([1, 3, 4]);
  });

  it('refines a trial it did not design (or cannot replay) from its summary', () => {
    const foreign: CampaignTrialSummary = {
      trial: 1,
      family: 'mean_reversion/triple_barrier',
      strategy_hash: '0123456789abcdef',
      indicators: ['bbands', 'rsi'],
      label: 'triple_barrier',
      hidden_layers: [32, 16],
      confidence_threshold: 0.45,
      outcome: 'passed',
      reason: null,
      sharpe_ratio: 1.5,
      dsr: 0.9,
    };
    const refined = Array.from({ length: 40 }, (_, i) => designOffline(input({ trial: i + 2, ledger: [foreign] }))).filter((c) =>
      c.description.includes('refines trial 1'),
    );
    expect(refined.length).toBeGreaterThan(5);
    for (const c of refined) {
      expect(c.description).toContain('as read from the ledger');
      expect(parseStrategy(c)).toMatchObject({ ok: true });
    }
  });

  it('replays the trial it refines even when that trial was designed before later trials were recorded (concurrent trials)', () => {
    // Trials 1-8 scored; trials 9-12 designed while 9, 10 and 11 were still running.
    const first = run(8, edge);
    const ledger = [...first.ledger];
    for (let trial = 9; trial <= 12; trial++) {
      const config = designOffline(input({ trial, ledger: ledger.filter((t) => t.trial <= 8), tried: [...ledger.map((t) => t.strategy_hash!)] }));
      ledger.push(summary(trial, config, 'passed', 2 + trial / 100));
    }
    // Trial 12 is now the best; a refinement of it must recover its exact design.
    const refinements = Array.from({ length: 30 }, (_, i) => designOffline(input({ trial: 13 + i, ledger }))).filter((c) =>
      c.description.includes('refines trial 12'),
    );
    expect(refinements.length).toBeGreaterThan(3);
    for (const c of refinements) expect(c.description).not.toContain('as read from the ledger');
  });

  it('replays a trial whose cycle ended after the one started next (the ledger numbers trials as they end)', () => {
    // Trials 1-8 scored; cycles 9 and 10 designed side by side, cycle 10 ending first: it is trial 9 in the ledger.
    const first = run(8, edge);
    const ledger = [...first.ledger];
    const at = (trial: number) => designOffline(input({ trial, ledger: first.ledger, tried: first.ledger.map((t) => t.strategy_hash!) }));
    const nine = at(9);
    const ten = designOffline(input({ trial: 10, ledger: first.ledger, tried: [...first.ledger.map((t) => t.strategy_hash!), strategyContentHash(nine)] }));
    ledger.push(summary(9, ten, 'passed', 2.5), summary(10, nine, 'passed', 0.1));
    // Ledger trial 9 (designed as trial 10) is the best; its refinements recover its exact design.
    const refinements = Array.from({ length: 30 }, (_, i) => designOffline(input({ trial: 11 + i, ledger }))).filter((c) =>
      c.description.includes('refines trial 9 '),
    );
    expect(refinements.length).toBeGreaterThan(10);
    for (const c of refinements) {
      expect(c.description).not.toContain('as read from the ledger');
      expect(c.training.labels).toEqual(ten.training.labels);
    }
  });
});

describe('offline campaign search: never a design already tried', () => {
  it.each(['directed', 'random'] as const)('%s: redraws, then widens the change, and never returns a tried hash', (search) => {
    const { ledger } = run(10, (c) => ({ outcome: 'passed', sharpe: c.decisions.confidence_threshold }), { search });
    const tried = ledger.map((t) => t.strategy_hash!);
    // The same trial asked again and again, each answer added to the tried hashes: 60 different designs.
    for (let i = 0; i < 60; i++) {
      const c = designOffline(input({ search, trial: 11, ledger, tried }));
      const hash = strategyContentHash(c);
      expect(tried).not.toContain(hash);
      tried.push(hash);
    }
  });

  it('refuses a repeat of a refinement, too', () => {
    const base = run(10, (c) => ({ outcome: 'passed', sharpe: c.decisions.confidence_threshold }));
    const trial = Array.from({ length: 40 }, (_, i) => 11 + i).find((t) =>
      designOffline(input({ trial: t, ledger: base.ledger })).description.includes('refines trial'),
    )!;
    expect(trial).toBeDefined();
    const tried = base.ledger.map((t) => t.strategy_hash!);
    const seen: string[] = [];
    for (let i = 0; i < 40; i++) {
      const c = designOffline(input({ trial, ledger: base.ledger, tried }));
      expect(tried).not.toContain(strategyContentHash(c));
      seen.push(c.description.includes('refines trial') ? 'refine' : 'fresh');
      tried.push(strategyContentHash(c));
    }
    // Refinements first; once the close neighbours are used up, fresh designs.
    expect(seen[0]).toBe('refine');
    expect(seen.slice(-5)).toContain('fresh');
  });
});

describe('genomes', () => {
  it('a local mutation keeps the indicator set and the labels', () => {
    for (let s = 0; s < 300; s++) {
      const rng = new SeededRandom(s + 1);
      const parent = drawGenome(CAMPAIGN_FAMILIES[s % CAMPAIGN_FAMILIES.length]!, rng);
      const { genome } = mutateGenome(parent, rng, '1d', 1, true);
      expect(genome).not.toEqual(parent);
      expect(genome.indicators.map((i) => i.type)).toEqual(parent.indicators.map((i) => i.type));
      expect(genome.label).toEqual(parent.label);
      expect(genome.theme).toBe(parent.theme);
    }
  });

  it('one mutation step changes exactly one choice', () => {
    const leaves = (g: Genome): string[] => {
      const out: string[] = [];
      const walk = (v: unknown, path: string): void => {
        if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
        else out.push(`${path}=${String(v)}`);
      };
      walk({ ...g, indicators: Object.fromEntries(g.indicators.map((i) => [i.type, i])) }, '');
      return out;
    };
    for (let s = 0; s < 300; s++) {
      const rng = new SeededRandom(s + 1);
      const parent = drawGenome(CAMPAIGN_FAMILIES[s % CAMPAIGN_FAMILIES.length]!, rng);
      const { genome, change } = mutateGenome(parent, rng, '1d', 1);
      expect(change).not.toContain(';');
      const before = new Set(leaves(parent));
      const after = new Set(leaves(genome));
      const changed = [...after].filter((l) => !before.has(l));
      const removed = [...before].filter((l) => !after.has(l));
      const indicatorsChanged = parent.indicators.map((i) => i.type).join() !== genome.indicators.map((i) => i.type).join();
      if (indicatorsChanged) {
        // One indicator in, out or swapped: the rest keep their genes.
        const kept = parent.indicators.filter((i) => genome.indicators.some((j) => j.type === i.type));
        for (const i of kept) expect(genome.indicators.find((j) => j.type === i.type)).toEqual(i);
        expect(Math.abs(parent.indicators.length - genome.indicators.length)).toBeLessThanOrEqual(1);
      } else if (parent.label.source !== genome.label.source) {
        expect(changed.every((l) => l.startsWith('.label.'))).toBe(true);
      } else {
        expect(changed).toHaveLength(1);
        expect(removed).toHaveLength(1);
      }
    }
  });
});
