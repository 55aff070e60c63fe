import {
  IDEA_THEMES,
  INDICATOR_TYPES,
  LABEL_SOURCES,
  THEME_INDICATORS,
  TIMEFRAME_MS,
  hashString,
  strategyContentHash,
  themeOf,
  type IdeaTheme,
  type IndicatorType,
  type LabelSource,
  type LabelsConfig,
  type StrategyConfig,
  type Timeframe,
} from '@ktrdr/agent-domain';
import type { CampaignDesignContext, CampaignTrialSummary } from './llm.types.js';
import { PARAM_VARIANTS } from './offline.ranges.js';
import { SeededRandom } from './seeded.random.js';

/**
 * The offline designer's search over a campaign: which design the next trial tries.
 *
 * A design is a genome — the choices a researcher varies — rendered into a strategy by the
 * offline designer (`render`): the indicator set and each one's parameters (PARAM_VARIANTS), each
 * fuzzy set's width and middle shape, the label source and its parameters (sized for the
 * timeframe), the model's hidden layers, activation, dropout and learning rate, and the decision
 * confidence threshold. Fixed across a campaign, on purpose:
 * - the evaluation block stays the schema default (5 expanding folds, purge and embargo of the
 *   label horizon, 3 seeds): it is the test every trial is judged by, and a search that tuned its
 *   own test (fewer folds, other seeds) would select for luck in the test rather than for ideas;
 * - the model's training seed is derived from the campaign's seed, so a new trial is always a new
 *   design, never the same design under another seed (which would dodge the repeat rule while
 *   learning nothing);
 * - the market and the windows are the campaign's, costs the backtest's defaults.
 *
 * `random` search (the control): each trial an independent draw, every choice uniform, seeded by
 * (seed, trial). `directed` search: see `chooseDirected`. Both never return a design whose content
 * hash was tried: they redraw, widening the change after many redraws. A fresh draw's stream
 * depends on (seed, trial, attempt) only, not on how its family was chosen: a directed and a random
 * campaign of one seed that pick the same family for a trial draw the same design there (common
 * random numbers, which makes the two easier to compare), and an earlier trial's draw can be
 * replayed from its family alone (recoverGenome).
 */

/** Label-independent ideas: `<theme>/<label source>`, 4 × 3 of them. */
export const CAMPAIGN_FAMILIES: readonly string[] = IDEA_THEMES.flatMap((t) => LABEL_SOURCES.map((l) => `${t}/${l}`));

/** Model sizes, smallest first (a mutation moves to a neighbour). */
export const HIDDEN_LAYERS: readonly (readonly number[])[] = [[8], [16], [16, 8], [32], [32, 16], [64, 32]];
export const ACTIVATIONS = ['relu', 'tanh'] as const;
export const DROPOUTS: readonly number[] = [0, 0.1, 0.2];
export const LEARNING_RATES: readonly number[] = [0.001, 0.002, 0.003];
/** The probability a BUY or SELL needs to be acted on. */
export const CONFIDENCE_THRESHOLDS: readonly number[] = [0.35, 0.4, 0.45, 0.5, 0.55, 0.6];
/** Width of the outer fuzzy sets around the middle, as a multiple of the output's usual low/high readings. */
export const SET_SPREADS: readonly number[] = [0.7, 0.85, 1, 1.15, 1.3];
export const SET_MIDDLES = ['triangular', 'gaussian'] as const;

/** Zigzag swing as a multiple of 4 % × √(bar length in days) (the offline designer's usual swing), and its look-ahead in bars. */
export const ZIGZAG_SWINGS: readonly number[] = [0.5, 0.75, 1, 1.25, 1.5];
export const ZIGZAG_LOOKAHEADS: readonly number[] = [10, 20, 30];
/** Forward-return threshold beyond costs, as a share of a typical move over the horizon (1 % a day × √(horizon in days)). */
export const FORWARD_THRESHOLDS: readonly number[] = [0, 0.25, 0.5];
/** Triple-barrier barriers in multiples of the rolling one-bar volatility, and that volatility's window. */
export const BARRIER_MULTIPLES: readonly number[] = [1, 1.5, 2, 3];
export const VOLATILITY_WINDOWS: readonly number[] = [20, 50];

/** Label horizons in bars: a few days on daily and weekly bars, from a quarter day to two days on intraday bars. */
export function labelHorizons(tf: Timeframe): readonly number[] {
  if (TIMEFRAME_MS[tf] >= TIMEFRAME_MS['1d']) return [3, 5, 10, 20];
  if (TIMEFRAME_MS[tf] >= TIMEFRAME_MS['4h']) return [3, 6, 12, 24];
  return [6, 12, 24, 48];
}

/** Price moves (and so fraction-of-price thresholds) grow with √(bar length); the offline designer's scale. */
export function timeframeScale(tf: Timeframe): number {
  return Math.min(3, Math.max(0.05, Math.sqrt(TIMEFRAME_MS[tf] / TIMEFRAME_MS['1d'])));
}

export interface IndicatorGene {
  type: IndicatorType;
  /** Index into PARAM_VARIANTS[type]. */
  variant: number;
  /** Index into SET_SPREADS. */
  spread: number;
  /** Index into SET_MIDDLES. */
  middle: number;
}

/** Indices into the option tables above (horizons: labelHorizons of the timeframe). */
export type LabelGene =
  | { source: 'zigzag'; swing: number; lookahead: number }
  | { source: 'forward_return'; horizon: number; threshold: number }
  | { source: 'triple_barrier'; horizon: number; profit_take: number; stop_loss: number; window: number };

/** One design as the search sees it: every choice an index into its option table. */
export interface Genome {
  theme: IdeaTheme;
  /** In INDICATOR_TYPES order, so the same set always renders alike. */
  indicators: IndicatorGene[];
  label: LabelGene;
  hidden: number;
  activation: number;
  dropout: number;
  learningRate: number;
  threshold: number;
}

/** The `training.labels` block of a label gene on a timeframe. */
export function labelsOf(gene: LabelGene, tf: Timeframe): LabelsConfig {
  const scale = timeframeScale(tf);
  const horizons = labelHorizons(tf);
  switch (gene.source) {
    case 'zigzag':
      return {
        source: 'zigzag',
        zigzag_threshold: round(Math.min(0.15, Math.max(0.004, 0.04 * scale * ZIGZAG_SWINGS[gene.swing]!)), 3),
        label_lookahead: ZIGZAG_LOOKAHEADS[gene.lookahead]!,
      };
    case 'forward_return': {
      const horizon = horizons[gene.horizon]!;
      const typicalMove = 0.01 * Math.sqrt((horizon * TIMEFRAME_MS[tf]) / TIMEFRAME_MS['1d']);
      // `cost` left out: the default, the round trip the backtest charges (labelCost).
      return { source: 'forward_return', horizon, threshold: round(FORWARD_THRESHOLDS[gene.threshold]! * typicalMove, 3) };
    }
    case 'triple_barrier':
      return {
        source: 'triple_barrier',
        horizon: horizons[gene.horizon]!,
        profit_take: BARRIER_MULTIPLES[gene.profit_take]!,
        stop_loss: BARRIER_MULTIPLES[gene.stop_loss]!,
        volatility_window: VOLATILITY_WINDOWS[gene.window]!,
      };
  }
}

const round = (v: number, digits: number): number => Number(v.toPrecision(digits));
export const familyOf = (g: Pick<Genome, 'theme' | 'label'>): string => `${g.theme}/${g.label.source}`;

// ---- drawing and mutating genomes --------------------------------------------------------------

/**
 * Indicator sets of 2 or 3 from each theme's pool whose theme (themeOf) is that theme, so a design
 * drawn for a family belongs to it (momentum's {rsi, cci}, for one, reads as mean reversion).
 */
const THEME_SETS: Readonly<Record<IdeaTheme, readonly (readonly IndicatorType[])[]>> = Object.fromEntries(
  IDEA_THEMES.map((theme) => [theme, subsets(canonicalOrder(THEME_INDICATORS[theme])).filter((s) => s.length >= 2 && s.length <= 3 && themeOf(s) === theme)]),
) as Record<IdeaTheme, IndicatorType[][]>;

function canonicalOrder(types: readonly IndicatorType[]): IndicatorType[] {
  return [...types].sort((a, b) => INDICATOR_TYPES.indexOf(a) - INDICATOR_TYPES.indexOf(b));
}

function subsets<T>(items: readonly T[]): T[][] {
  const out: T[][] = [[]];
  for (const item of items) for (const s of out.slice()) out.push([...s, item]);
  return out.filter((s) => s.length > 0);
}

const index = (rng: SeededRandom, options: { length: number }): number => rng.int(0, options.length - 1);

function drawIndicator(type: IndicatorType, rng: SeededRandom): IndicatorGene {
  return { type, variant: index(rng, PARAM_VARIANTS[type]), spread: index(rng, SET_SPREADS), middle: index(rng, SET_MIDDLES) };
}

function drawLabel(source: LabelSource, rng: SeededRandom): LabelGene {
  const horizons = 4; // every labelHorizons list has four
  switch (source) {
    case 'zigzag':
      return { source, swing: index(rng, ZIGZAG_SWINGS), lookahead: index(rng, ZIGZAG_LOOKAHEADS) };
    case 'forward_return':
      return { source, horizon: rng.int(0, horizons - 1), threshold: index(rng, FORWARD_THRESHOLDS) };
    case 'triple_barrier':
      return {
        source,
        horizon: rng.int(0, horizons - 1),
        profit_take: index(rng, BARRIER_MULTIPLES),
        stop_loss: index(rng, BARRIER_MULTIPLES),
        window: index(rng, VOLATILITY_WINDOWS),
      };
  }
}

/** A fresh design of a family: every choice uniform among its options. */
export function drawGenome(family: string, rng: SeededRandom): Genome {
  const { theme, source } = parseFamily(family)!;
  const types = rng.pick(THEME_SETS[theme]);
  return {
    theme,
    indicators: types.map((t) => drawIndicator(t, rng)),
    label: drawLabel(source, rng),
    hidden: index(rng, HIDDEN_LAYERS),
    activation: index(rng, ACTIVATIONS),
    dropout: index(rng, DROPOUTS),
    learningRate: index(rng, LEARNING_RATES),
    threshold: index(rng, CONFIDENCE_THRESHOLDS),
  };
}

export function parseFamily(family: string): { theme: IdeaTheme; source: LabelSource } | null {
  const [theme, source] = family.split('/');
  if (!(IDEA_THEMES as readonly string[]).includes(theme ?? '') || !(LABEL_SOURCES as readonly string[]).includes(source ?? '')) return null;
  return { theme: theme as IdeaTheme, source: source as LabelSource };
}

/** Another index than `current`: a neighbour for ordered options (sizes, thresholds), any other for the rest. */
function step(current: number, length: number, rng: SeededRandom, ordered: boolean): number {
  if (length < 2) return current;
  if (ordered) {
    const down = current > 0;
    const up = current < length - 1;
    return current + (down && up ? (rng.next() < 0.5 ? -1 : 1) : up ? 1 : -1);
  }
  const other = rng.int(0, length - 2);
  return other >= current ? other + 1 : other;
}

const describeParams = (type: IndicatorType, variant: number): string => `${type}(${Object.values(PARAM_VARIANTS[type][variant]!).join(', ')})`;

type Mutation = (g: Genome, rng: SeededRandom, tf: Timeframe) => { genome: Genome; change: string } | null;

const MUTATIONS: readonly { weight: number; apply: Mutation }[] = [
  {
    // One indicator's parameters.
    weight: 3,
    apply: (g, rng) => {
      const i = rng.int(0, g.indicators.length - 1);
      const ind = g.indicators[i]!;
      const variant = step(ind.variant, PARAM_VARIANTS[ind.type].length, rng, false);
      if (variant === ind.variant) return null;
      const indicators = g.indicators.map((x, j) => (j === i ? { ...x, variant } : x));
      return { genome: { ...g, indicators }, change: `${describeParams(ind.type, ind.variant)} → ${describeParams(ind.type, variant)}` };
    },
  },
  {
    // One indicator swapped for, added from or dropped to another set of the theme's pool.
    weight: 2,
    apply: (g, rng) => {
      const now = g.indicators.map((i) => i.type);
      const sets = THEME_SETS[g.theme].filter((s) => {
        const added = s.filter((t) => !now.includes(t)).length;
        const removed = now.filter((t) => !s.includes(t)).length;
        return added + removed > 0 && added <= 1 && removed <= 1;
      });
      if (!sets.length) return null;
      const next = rng.pick(sets);
      const indicators = next.map((t) => g.indicators.find((i) => i.type === t) ?? drawIndicator(t, rng));
      const gone = now.filter((t) => !next.includes(t));
      const added = next.filter((t) => !now.includes(t));
      const change = gone.length && added.length ? `${gone[0]} → ${added[0]}` : added.length ? `+${added[0]}` : `−${gone[0]}`;
      return { genome: { ...g, indicators }, change: `indicators ${change}` };
    },
  },
  {
    // One fuzzy set's width or middle shape.
    weight: 1,
    apply: (g, rng) => {
      const i = rng.int(0, g.indicators.length - 1);
      const ind = g.indicators[i]!;
      const widen = rng.next() < 0.6;
      const next = widen ? { ...ind, spread: step(ind.spread, SET_SPREADS.length, rng, true) } : { ...ind, middle: 1 - ind.middle };
      const change = widen
        ? `${ind.type} set spread ${SET_SPREADS[ind.spread]} → ${SET_SPREADS[next.spread]}`
        : `${ind.type} middle set ${SET_MIDDLES[ind.middle]} → ${SET_MIDDLES[next.middle]}`;
      return { genome: { ...g, indicators: g.indicators.map((x, j) => (j === i ? next : x)) }, change };
    },
  },
  {
    // One label parameter.
    weight: 2,
    apply: (g, rng, tf) => {
      const l = g.label;
      const keys: { key: string; length: number }[] =
        l.source === 'zigzag'
          ? [
              { key: 'swing', length: ZIGZAG_SWINGS.length },
              { key: 'lookahead', length: ZIGZAG_LOOKAHEADS.length },
            ]
          : l.source === 'forward_return'
            ? [
                { key: 'horizon', length: 4 },
                { key: 'threshold', length: FORWARD_THRESHOLDS.length },
              ]
            : [
                { key: 'horizon', length: 4 },
                { key: 'profit_take', length: BARRIER_MULTIPLES.length },
                { key: 'stop_loss', length: BARRIER_MULTIPLES.length },
                { key: 'window', length: VOLATILITY_WINDOWS.length },
              ];
      const { key, length } = rng.pick(keys);
      const current = (l as unknown as Record<string, number>)[key]!;
      const label = { ...l, [key]: step(current, length, rng, true) } as LabelGene;
      return { genome: { ...g, label }, change: `labels ${labelText(labelsOf(l, tf))} → ${labelText(labelsOf(label, tf))}` };
    },
  },
  {
    // Another label source (another family of the same theme).
    weight: 1,
    apply: (g, rng, tf) => {
      const source = rng.pick(LABEL_SOURCES.filter((s) => s !== g.label.source));
      const label = drawLabel(source, rng);
      return { genome: { ...g, label }, change: `labels ${labelText(labelsOf(g.label, tf))} → ${labelText(labelsOf(label, tf))}` };
    },
  },
  {
    // Model size.
    weight: 1,
    apply: (g, rng) => {
      const hidden = step(g.hidden, HIDDEN_LAYERS.length, rng, true);
      return { genome: { ...g, hidden }, change: `hidden layers [${HIDDEN_LAYERS[g.hidden]!.join(', ')}] → [${HIDDEN_LAYERS[hidden]!.join(', ')}]` };
    },
  },
  {
    // Decision threshold.
    weight: 2,
    apply: (g, rng) => {
      const threshold = step(g.threshold, CONFIDENCE_THRESHOLDS.length, rng, true);
      return { genome: { ...g, threshold }, change: `confidence threshold ${CONFIDENCE_THRESHOLDS[g.threshold]} → ${CONFIDENCE_THRESHOLDS[threshold]}` };
    },
  },
  {
    // One training setting.
    weight: 1,
    apply: (g, rng) => {
      const which = rng.int(0, 2);
      if (which === 0)
        return { genome: { ...g, activation: 1 - g.activation }, change: `activation ${ACTIVATIONS[g.activation]} → ${ACTIVATIONS[1 - g.activation]}` };
      if (which === 1) {
        const dropout = step(g.dropout, DROPOUTS.length, rng, true);
        return { genome: { ...g, dropout }, change: `dropout ${DROPOUTS[g.dropout]} → ${DROPOUTS[dropout]}` };
      }
      const learningRate = step(g.learningRate, LEARNING_RATES.length, rng, true);
      return { genome: { ...g, learningRate }, change: `learning rate ${LEARNING_RATES[g.learningRate]} → ${LEARNING_RATES[learningRate]}` };
    },
  },
];
const MUTATION_WEIGHT = MUTATIONS.reduce((s, m) => s + m.weight, 0);

export function labelText(l: LabelsConfig): string {
  switch (l.source) {
    case 'zigzag':
      return `zigzag ${l.zigzag_threshold} within ${l.label_lookahead} bars`;
    case 'forward_return':
      return `forward return over ${l.horizon} bars beyond costs + ${l.threshold}`;
    case 'triple_barrier':
      return `triple barrier ${l.profit_take}σ/${l.stop_loss}σ within ${l.horizon} bars (σ over ${l.volatility_window})`;
  }
}

/** `steps` changes, each one mutation drawn by weight (one that changes nothing is drawn again). */
export function mutateGenome(parent: Genome, rng: SeededRandom, tf: Timeframe, steps: number): { genome: Genome; change: string } {
  let genome = parent;
  const changes: string[] = [];
  for (let s = 0; s < steps; s++) {
    for (let attempt = 0; attempt < 20; attempt++) {
      let pick = rng.next() * MUTATION_WEIGHT;
      const m = MUTATIONS.find((x) => (pick -= x.weight) < 0) ?? MUTATIONS[0]!;
      const out = m.apply(genome, rng, tf);
      if (out && JSON.stringify(out.genome) !== JSON.stringify(genome)) {
        genome = out.genome;
        changes.push(out.change);
        break;
      }
    }
  }
  return { genome, change: changes.join('; ') || 'no change' };
}

// ---- learning from the ledger ------------------------------------------------------------------

/** Score of a failure without a backtest (a training gate, an error): evidence against its family. */
export const FAILURE_SCORE = -1;
const SCORE_CLAMP = 3;
/** The prior N(0, PRIOR_SD²) on a family's mean score and the spread of one trial's score about it. */
const PRIOR_SD = 1;
const TRIAL_SD = 1;
/** Share of directed trials that refine the best trial instead of drawing from a family. */
export const EXPLOIT_SHARE = 0.35;
/** Refused fresh draws of the chosen family before any family's are drawn (refinements: twice as many). */
const WIDEN_AFTER = 16;
const MAX_DRAWS = 96;

/**
 * What a trial says about its family: its Sharpe ratio (clamped to ±3 so one wild run does not
 * decide); a failure before any backtest (a training gate, an error) FAILURE_SCORE; a passed trial
 * without a number 0; a cancelled one nothing (it was stopped, not judged).
 */
export function trialScore(t: Pick<CampaignTrialSummary, 'outcome' | 'sharpe_ratio'>): number | null {
  if (t.outcome === 'cancelled') return null;
  if (t.sharpe_ratio !== null && Number.isFinite(t.sharpe_ratio)) return Math.max(-SCORE_CLAMP, Math.min(SCORE_CLAMP, t.sharpe_ratio));
  return t.outcome === 'passed' ? 0 : FAILURE_SCORE;
}

export interface FamilyPosterior {
  family: string;
  trials: number;
  mean: number;
  sd: number;
}

/** The Gaussian posterior of each family's mean trial score (conjugate normal, known spread). */
export function familyPosteriors(ledger: readonly CampaignTrialSummary[]): FamilyPosterior[] {
  return CAMPAIGN_FAMILIES.map((family) => {
    const scores = ledger.filter((t) => t.family === family).flatMap((t) => trialScore(t) ?? []);
    const precision = 1 / PRIOR_SD ** 2 + scores.length / TRIAL_SD ** 2;
    const sum = scores.reduce((a, b) => a + b, 0);
    return { family, trials: scores.length, mean: sum / TRIAL_SD ** 2 / precision, sd: Math.sqrt(1 / precision) };
  });
}

/** The trials a refinement may start from, best first: a positive Sharpe ratio, ranked by DSR (then Sharpe). */
export function refinable(ledger: readonly CampaignTrialSummary[]): CampaignTrialSummary[] {
  return ledger
    .filter((t) => t.outcome !== 'cancelled' && t.strategy_hash && t.sharpe_ratio !== null && t.sharpe_ratio > 0)
    .sort((a, b) => (b.dsr ?? -1) - (a.dsr ?? -1) || b.sharpe_ratio! - a.sharpe_ratio! || a.trial - b.trial);
}

function normal(rng: SeededRandom): number {
  const u = Math.max(rng.next(), Number.EPSILON);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

const streamOf = (ctx: Pick<CampaignDesignContext, 'seed'>, ...parts: (string | number)[]): SeededRandom =>
  new SeededRandom(hashString(JSON.stringify(['campaign', ctx.seed, ...parts])));

// ---- the search --------------------------------------------------------------------------------

/** Renders a genome into the strategy the designer returns (`note` goes into its description only). */
export type RenderGenome = (genome: Genome, note: string) => StrategyConfig;

export interface CampaignChoice {
  config: StrategyConfig;
  genome: Genome;
  family: string;
  /** How the search came to it, for the description and the tests. */
  how: 'random' | 'family' | 'refine';
  /** The trial refined (how = refine). */
  parent: number | null;
  note: string;
  /** Draws refused because their content was already tried. */
  redraws: number;
}

/** Everything a search step needs: the context, the timeframe and the renderer. */
interface Search {
  ctx: CampaignDesignContext;
  tf: Timeframe;
  render: RenderGenome;
  hashes: Map<string, string>;
}

function hashOf(s: Search, g: Genome): string {
  const key = JSON.stringify(g);
  let h = s.hashes.get(key);
  if (h === undefined) {
    h = strategyContentHash(s.render(g, ''));
    s.hashes.set(key, h);
  }
  return h;
}

/** A fresh draw of trial `trial`'s `r`th attempt: the same (seed, trial, r) always draws the same choices. */
const freshDraw = (s: Search, family: string, trial: number, r: number): Genome => drawGenome(family, streamOf(s.ctx, trial, r, 'draw'));
const randomFamily = (s: Search, trial: number, r: number): string => streamOf(s.ctx, trial, r, 'family').pick(CAMPAIGN_FAMILIES);
const mutationSteps = (r: number): number => 1 + Math.floor(r / 4);
const refineDraw = (s: Search, parent: Genome, trial: number, r: number) => mutateGenome(parent, streamOf(s.ctx, trial, r, 'mutate'), s.tf, mutationSteps(r));

/**
 * Directed search, one trial: with probability EXPLOIT_SHARE (once some trial has a positive
 * Sharpe ratio) refine the best trial so far (by DSR, then Sharpe) by one change — a parameter, an
 * indicator, a fuzzy set, the labels, the model size, the threshold; otherwise Thompson sampling
 * over the 12 idea families: draw each family's mean score from its posterior (a Gaussian on the
 * clamped Sharpe ratios of its trials, failures scoring FAILURE_SCORE, prior N(0, 1)) and draw a
 * fresh design from the family that drew highest. Untried families keep a wide posterior, so they
 * are still tried; a family whose trials fail is drawn less and less.
 */
function chooseDirected(s: Search): { how: 'family' | 'refine'; family: string; parent: CampaignTrialSummary | null; note: string } {
  const { ctx } = s;
  const best = refinable(ctx.ledger)[0] ?? null;
  if (best && streamOf(ctx, ctx.trial, 'mode').next() < EXPLOIT_SHARE) {
    return {
      how: 'refine',
      family: best.family,
      parent: best,
      note: `refines trial ${best.trial} (the best so far: Sharpe ${fmt(best.sharpe_ratio)}, DSR ${fmt(best.dsr)})`,
    };
  }
  const rng = streamOf(ctx, ctx.trial, 'thompson');
  let chosen: { p: FamilyPosterior; draw: number } | null = null;
  for (const p of familyPosteriors(ctx.ledger)) {
    const draw = p.mean + p.sd * normal(rng);
    if (!chosen || draw > chosen.draw) chosen = { p, draw };
  }
  const { p } = chosen!;
  return {
    how: 'family',
    family: p.family,
    parent: null,
    note: `a fresh design of family ${p.family} (Thompson draw; posterior mean score ${fmt(p.mean)} ± ${fmt(p.sd)} over ${p.trials} trials)`,
  };
}

const fmt = (v: number | null): string => (v === null || !Number.isFinite(v) ? 'n/a' : Number(v.toPrecision(3)).toString());

/**
 * The design of the campaign's next trial (ctx.trial), never one whose content hash is in
 * `tried_hashes` or the ledger: a refused draw is drawn again with the next attempt's stream, each
 * time wider — a refinement makes one more change every 4 attempts and after 2 × WIDEN_AFTER gives
 * way to fresh draws of any family; a family's fresh draws give way to any family's after WIDEN_AFTER.
 * Deterministic in (seed, trial, ledger, tried hashes, the rendering).
 */
export function searchCampaign(ctx: CampaignDesignContext, tf: Timeframe, render: RenderGenome): CampaignChoice {
  const s: Search = { ctx, tf, render, hashes: new Map() };
  const tried = new Set([...ctx.tried_hashes, ...ctx.ledger.flatMap((t) => (t.strategy_hash ? [t.strategy_hash] : []))]);
  const plan = ctx.search === 'random' ? null : chooseDirected(s);
  const parent = plan?.parent ? recoverGenome(s, plan.parent) : null;

  for (let r = 0; r < MAX_DRAWS; r++) {
    let genome: Genome;
    let how: CampaignChoice['how'];
    let note: string;
    if (!plan) {
      const family = randomFamily(s, ctx.trial, r);
      genome = freshDraw(s, family, ctx.trial, r);
      how = 'random';
      note = `random search: an independent draw (family ${family})`;
    } else if (plan.how === 'refine' && parent && r < 2 * WIDEN_AFTER) {
      const m = refineDraw(s, parent.genome, ctx.trial, r);
      genome = m.genome;
      how = 'refine';
      note = `directed search: ${plan.note}${parent.exact ? '' : ' as read from the ledger'}, changing ${m.change}`;
    } else {
      const family = r < WIDEN_AFTER ? plan.family : randomFamily(s, ctx.trial, r);
      genome = freshDraw(s, family, ctx.trial, r);
      how = 'family';
      note =
        r < WIDEN_AFTER && plan.how === 'family'
          ? `directed search: ${plan.note}`
          : `directed search: a fresh design of family ${family} (earlier draws were tried)`;
    }
    if (tried.has(hashOf(s, genome))) continue;
    return { config: render(genome, note), genome, family: familyOf(genome), how, parent: how === 'refine' ? plan!.parent!.trial : null, note, redraws: r };
  }
  throw new Error(`offline campaign search: no untried design after ${MAX_DRAWS} draws for trial ${ctx.trial} (${tried.size} designs tried)`);
}

/** Attempts tried per explanation when recovering an earlier trial's genome. */
const RECOVER_ATTEMPTS = 2 * WIDEN_AFTER;
/** Earlier trials considered as the one a trial refined. */
const RECOVER_PARENTS = 8;

/**
 * The genome of an earlier trial, to refine it. The ledger keeps only a summary (indicator types,
 * label source, hidden layers, threshold), so the search replays its own draws: a trial of this
 * designer was a fresh draw of its family at (seed, trial, attempt), or a refinement of one of the
 * best earlier trials at (seed, trial, attempt); the explanation whose rendering has the trial's
 * content hash is its genome. That needs no ledger prefix, so it holds when trials ran
 * concurrently. A trial no explanation matches (another designer's, other windows) is read from its
 * summary instead, with middle values for what the summary does not say (`exact: false`).
 */
function recoverGenome(s: Search, t: CampaignTrialSummary, depth = 0, memo = new Map<number, Genome | null>()): { genome: Genome; exact: boolean } {
  const exact = replay(s, t, depth, memo);
  return exact ? { genome: exact, exact: true } : { genome: fromSummary(t), exact: false };
}

function replay(s: Search, t: CampaignTrialSummary, depth: number, memo: Map<number, Genome | null>): Genome | null {
  if (memo.has(t.trial)) return memo.get(t.trial)!;
  memo.set(t.trial, null);
  const target = t.strategy_hash;
  const family = parseFamily(t.family) ? t.family : null;
  if (!target || !family) return null;
  const parents = depth < 12 ? refinable(s.ctx.ledger.filter((p) => p.trial < t.trial)).slice(0, RECOVER_PARENTS) : [];
  const parentGenomes: (Genome | null | undefined)[] = parents.map(() => undefined);
  for (let r = 0; r < RECOVER_ATTEMPTS; r++) {
    const fresh = freshDraw(s, family, t.trial, r);
    if (hashOf(s, fresh) === target) return settle(memo, t, fresh);
    for (let i = 0; i < parents.length; i++) {
      if (parentGenomes[i] === undefined) parentGenomes[i] = replay(s, parents[i]!, depth + 1, memo);
      const g = parentGenomes[i];
      if (!g) continue;
      const refined = refineDraw(s, g, t.trial, r).genome;
      if (hashOf(s, refined) === target) return settle(memo, t, refined);
    }
  }
  return null;
}

function settle(memo: Map<number, Genome | null>, t: CampaignTrialSummary, g: Genome): Genome {
  memo.set(t.trial, g);
  return g;
}

/** A genome from a ledger summary: its indicators, label source, model size and threshold; the middle option for the rest. */
export function fromSummary(t: CampaignTrialSummary): Genome {
  const parsed = parseFamily(t.family);
  const types = canonicalOrder(t.indicators.filter((x): x is IndicatorType => (INDICATOR_TYPES as readonly string[]).includes(x)));
  const theme = parsed?.theme ?? (themeOf(types) === 'mixed' ? 'mean_reversion' : (themeOf(types) as IdeaTheme));
  const source = parsed?.source ?? ((LABEL_SOURCES as readonly string[]).includes(t.label ?? '') ? (t.label as LabelSource) : 'zigzag');
  const set = types.length >= 1 ? types.slice(0, 4) : [...THEME_SETS[theme][0]!];
  const middleOf = (n: number): number => Math.floor((n - 1) / 2);
  const label: LabelGene =
    source === 'zigzag'
      ? { source, swing: 2, lookahead: 1 }
      : source === 'forward_return'
        ? { source, horizon: 1, threshold: 0 }
        : { source, horizon: 1, profit_take: 2, stop_loss: 2, window: 0 };
  const hidden = HIDDEN_LAYERS.findIndex((h) => h.length === t.hidden_layers.length && h.every((u, i) => u === t.hidden_layers[i]));
  const nearest = (options: readonly number[], v: number | null, fallback: number): number =>
    v === null ? fallback : options.reduce((bi, o, i) => (Math.abs(o - v) < Math.abs(options[bi]! - v) ? i : bi), 0);
  return {
    theme,
    indicators: set.map((type) => ({ type, variant: middleOf(PARAM_VARIANTS[type].length), spread: 2, middle: 0 })),
    label,
    hidden:
      hidden >= 0
        ? hidden
        : nearest(
            HIDDEN_LAYERS.map((h) => h.reduce((a, b) => a + b, 0)),
            t.hidden_layers.reduce((a, b) => a + b, 0),
            3,
          ),
    activation: 0,
    dropout: 1,
    learningRate: 1,
    threshold: nearest(CONFIDENCE_THRESHOLDS, t.confidence_threshold, 1),
  };
}
