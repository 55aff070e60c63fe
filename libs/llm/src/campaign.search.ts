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
 * (seed, trial). `directed` search: see `chooseDirected`; its refinements make local changes only
 * (`local` below). Both never return a design whose content hash was tried: they redraw, widening
 * the change after many redraws. A fresh draw's stream
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

/**
 * `local`: the change keeps what the design reads and what it is asked to predict (its indicator set
 * and its labels) and tunes how it reads them — the only changes a directed refinement makes. The
 * others change the idea itself; measured on 48 random designs of SYNTH_EDGE_L1–L6 daily (12 single
 * changes each), a local change's Sharpe ratio followed its parent's with slope 0.93 and a residual
 * spread of 0.23, a change of the indicator set or the labels with slope 0.59 and spread 0.42.
 */
const MUTATIONS: readonly { weight: number; local: boolean; apply: Mutation }[] = [
  {
    // One indicator's parameters.
    weight: 3,
    local: true,
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
    local: false,
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
    local: true,
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
    local: false,
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
    local: false,
    apply: (g, rng, tf) => {
      const source = rng.pick(LABEL_SOURCES.filter((s) => s !== g.label.source));
      const label = drawLabel(source, rng);
      return { genome: { ...g, label }, change: `labels ${labelText(labelsOf(g.label, tf))} → ${labelText(labelsOf(label, tf))}` };
    },
  },
  {
    // Model size.
    weight: 1,
    local: true,
    apply: (g, rng) => {
      const hidden = step(g.hidden, HIDDEN_LAYERS.length, rng, true);
      return { genome: { ...g, hidden }, change: `hidden layers [${HIDDEN_LAYERS[g.hidden]!.join(', ')}] → [${HIDDEN_LAYERS[hidden]!.join(', ')}]` };
    },
  },
  {
    // Decision threshold.
    weight: 2,
    local: true,
    apply: (g, rng) => {
      const threshold = step(g.threshold, CONFIDENCE_THRESHOLDS.length, rng, true);
      return { genome: { ...g, threshold }, change: `confidence threshold ${CONFIDENCE_THRESHOLDS[g.threshold]} → ${CONFIDENCE_THRESHOLDS[threshold]}` };
    },
  },
  {
    // One training setting.
    weight: 1,
    local: true,
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
const LOCAL_MUTATIONS = MUTATIONS.filter((m) => m.local);
const LOCAL_WEIGHT = LOCAL_MUTATIONS.reduce((s, m) => s + m.weight, 0);

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

/** `steps` changes, each one mutation drawn by weight (one that changes nothing is drawn again); `local`: local ones only. */
export function mutateGenome(parent: Genome, rng: SeededRandom, tf: Timeframe, steps: number, local = false): { genome: Genome; change: string } {
  let genome = parent;
  const changes: string[] = [];
  const mutations = local ? LOCAL_MUTATIONS : MUTATIONS;
  const total = local ? LOCAL_WEIGHT : MUTATION_WEIGHT;
  for (let s = 0; s < steps; s++) {
    for (let attempt = 0; attempt < 20; attempt++) {
      let pick = rng.next() * total;
      const m = mutations.find((x) => (pick -= x.weight) < 0) ?? mutations[0]!;
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
/**
 * σ, one fresh design's spread about the fresh designs' mean, before the ledger says otherwise (the
 * Sharpe ratios of one market's designs spread by about half a unit), and that guess's weight in
 * trials: σ² = (DEFAULT_SD_WEIGHT·DEFAULT_SCORE_SD² + Σ(x − x̄)²) / (DEFAULT_SD_WEIGHT + n − 1).
 */
export const DEFAULT_SCORE_SD = 0.5;
const DEFAULT_SD_WEIGHT = 3;
/** The spread of a theme's (or a label source's) mean score about the fresh designs' mean, as a share of σ. */
export const ARM_SD_SHARE = 0.5;
/**
 * A local refinement of a trial scoring x is predicted to score N(m + HERITABILITY·(x − m),
 * (REFINEMENT_SD_SHARE·σ)²), m the fresh designs' mean: children follow their parent (slope 0.93,
 * spread 0.23 ≈ ½σ measured, see MUTATIONS), a little less when the parent is the best of several
 * and so partly lucky (0.8 measured on directed campaigns' refinements of their best trial).
 */
export const HERITABILITY = 0.8;
export const REFINEMENT_SD_SHARE = 0.5;
/** Refused fresh draws of the chosen family before any family's are drawn (refinements: twice as many). */
const WIDEN_AFTER = 16;
const MAX_DRAWS = 96;

/**
 * What a trial says: its Sharpe ratio (clamped to ±3 so one wild run does not decide); a failure
 * before any backtest (a training gate, an error) FAILURE_SCORE; a passed trial without a number 0;
 * a cancelled one nothing (it was stopped, not judged). The trials of a campaign share its market
 * and their out-of-sample bars, so the (annualised) Sharpe ratio is a fixed multiple of the per-bar
 * one the DSR deflates, and ranks trials as the DSR nearly does.
 */
export function trialScore(t: Pick<CampaignTrialSummary, 'outcome' | 'sharpe_ratio'>): number | null {
  if (t.outcome === 'cancelled') return null;
  if (t.sharpe_ratio !== null && Number.isFinite(t.sharpe_ratio)) return Math.max(-SCORE_CLAMP, Math.min(SCORE_CLAMP, t.sharpe_ratio));
  return t.outcome === 'passed' ? 0 : FAILURE_SCORE;
}

/** The mean of these trials' scores and σ, their spread pooled with DEFAULT_SCORE_SD (see there). */
export function scoreScale(ledger: readonly CampaignTrialSummary[]): { mean: number; sd: number; trials: number } {
  const scores = ledger.flatMap((t) => trialScore(t) ?? []);
  const n = scores.length;
  const mean = n ? scores.reduce((a, b) => a + b, 0) / n : 0;
  const ss = scores.reduce((a, b) => a + (b - mean) ** 2, 0);
  const sd = Math.sqrt((DEFAULT_SD_WEIGHT * DEFAULT_SCORE_SD ** 2 + ss) / (DEFAULT_SD_WEIGHT + Math.max(0, n - 1)));
  return { mean, sd, trials: n };
}

export interface ArmPosterior {
  /** A theme or a label source. */
  arm: string;
  trials: number;
  mean: number;
  sd: number;
}

/**
 * The Gaussian posterior of an arm's mean trial score (conjugate normal, known spread): prior
 * N(m, (ARM_SD_SHARE·σ)²) — pooled: an untried arm is expected to do as the trials so far did —,
 * each of its trials' scores N(arm mean, σ²).
 */
function posterior(arm: string, scores: readonly number[], scale: { mean: number; sd: number }): ArmPosterior {
  const priorVar = (ARM_SD_SHARE * scale.sd) ** 2;
  const noiseVar = scale.sd ** 2;
  const precision = 1 / priorVar + scores.length / noiseVar;
  const sum = scores.reduce((a, b) => a + b, 0);
  return { arm, trials: scores.length, mean: (scale.mean / priorVar + sum / noiseVar) / precision, sd: Math.sqrt(1 / precision) };
}

/**
 * The posteriors of the 4 themes and of the 3 label sources over these trials (directed search passes
 * the fresh ones): each learnt from every trial of it, whatever the other half of its family, so
 * 20 trials say something about 7 means where they would say little about 12 families'.
 */
export function armPosteriors(ledger: readonly CampaignTrialSummary[]): { themes: ArmPosterior[]; sources: ArmPosterior[] } {
  const scale = scoreScale(ledger);
  const scored = ledger.flatMap((t) => {
    const score = trialScore(t);
    const f = parseFamily(t.family);
    return score === null || !f ? [] : [{ ...f, score }];
  });
  return {
    themes: IDEA_THEMES.map((theme) =>
      posterior(
        theme,
        scored.filter((x) => x.theme === theme).map((x) => x.score),
        scale,
      ),
    ),
    sources: LABEL_SOURCES.map((source) =>
      posterior(
        source,
        scored.filter((x) => x.source === source).map((x) => x.score),
        scale,
      ),
    ),
  };
}

/** The trials a refinement may start from, best first: a positive Sharpe ratio, ranked by DSR (then Sharpe). */
export function refinable(ledger: readonly CampaignTrialSummary[]): CampaignTrialSummary[] {
  return ledger
    .filter((t) => t.outcome !== 'cancelled' && t.strategy_hash && t.sharpe_ratio !== null && t.sharpe_ratio > 0)
    .sort((a, b) => (b.dsr ?? -1) - (a.dsr ?? -1) || b.sharpe_ratio! - a.sharpe_ratio! || a.trial - b.trial);
}

/**
 * The chance that a directed trial refines `best` rather than drawing a fresh design: the share of
 * the expected improvement over `best`'s score x (expectedImprovement) that a refinement offers,
 * EI_refine / (EI_refine + EI_fresh), a refinement predicted as HERITABILITY says and a fresh design
 * N(m, σ²), m and σ those of the ledger's fresh trials (`fresh`, freshTrials): a third for a trial
 * no better than the fresh designs' mean (a refinement of an ordinary trial offers less than a fresh
 * draw), 0.58 for one σ above it, 0.88 for two, 0.99 for three (a fresh design would rarely beat it;
 * its refinements come close, and may beat it).
 */
export function refineChance(best: CampaignTrialSummary, fresh: readonly CampaignTrialSummary[]): number {
  const { mean, sd } = scoreScale(fresh);
  const x = trialScore(best) ?? mean;
  const byRefining = expectedImprovement({ mean: mean + HERITABILITY * (x - mean), sd: REFINEMENT_SD_SHARE * sd }, x);
  const byFresh = expectedImprovement({ mean, sd }, x);
  return byRefining / (byRefining + byFresh);
}

/** E[max(0, X − best)] for X ~ N(mean, sd²): how far a trial is expected to raise the best score (Jones, Schonlau & Welch, 1998). */
export function expectedImprovement(p: { mean: number; sd: number }, best: number): number {
  const z = (p.mean - best) / p.sd;
  return (p.mean - best) * normalCdf(z) + (p.sd * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI);
}

/**
 * Whether two trials are one change apart as their summaries show it: the same theme, and at most one
 * of the indicator set (one in, out or swapped), the label source, the model size (to a neighbour)
 * and the threshold (to a neighbour) differs — a refinement is one change from its parent.
 */
export function nearTrials(a: CampaignTrialSummary, b: CampaignTrialSummary): boolean {
  const fa = parseFamily(a.family);
  const fb = parseFamily(b.family);
  if (!fa || !fb || fa.theme !== fb.theme) return false;
  const added = b.indicators.filter((x) => !a.indicators.includes(x)).length;
  const removed = a.indicators.filter((x) => !b.indicators.includes(x)).length;
  if (added > 1 || removed > 1) return false;
  const hidden = (t: CampaignTrialSummary): number => HIDDEN_LAYERS.findIndex((h) => h.join() === t.hidden_layers.join());
  const threshold = (t: CampaignTrialSummary): number => CONFIDENCE_THRESHOLDS.findIndex((c) => c === t.confidence_threshold);
  const step = (i: number, j: number, same: boolean): number => (same ? 0 : i >= 0 && j >= 0 && Math.abs(i - j) === 1 ? 1 : 2);
  const changes =
    (added || removed ? 1 : 0) +
    (fa.source !== fb.source ? 1 : 0) +
    step(hidden(a), hidden(b), a.hidden_layers.join() === b.hidden_layers.join()) +
    step(threshold(a), threshold(b), a.confidence_threshold === b.confidence_threshold);
  return changes <= 1;
}

/**
 * The trials that are not one change from an earlier trial: the fresh designs, as far as the ledger
 * shows. What a fresh design is expected to score is learnt from them alone: refinements of a good
 * trial score like it, and would make fresh designs (and the families refined) look better than
 * they are.
 */
export function freshTrials(ledger: readonly CampaignTrialSummary[]): CampaignTrialSummary[] {
  return ledger.filter((t) => !ledger.some((e) => e.trial < t.trial && nearTrials(e, t)));
}

/** Φ, by Abramowitz & Stegun 7.1.26 (absolute error below 1.5·10⁻⁷). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
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
/** A refinement: local changes only (MUTATIONS), one more every 4 refused draws. */
const refineDraw = (s: Search, parent: Genome, trial: number, r: number) =>
  mutateGenome(parent, streamOf(s.ctx, trial, r, 'mutate'), s.tf, mutationSteps(r), true);

/**
 * Directed search, one trial. Once some trial has a positive Sharpe ratio, with probability
 * refineChance it refines the best trial so far (by DSR, then Sharpe) by one local change — an
 * indicator's parameters, a fuzzy set, the threshold, the model size, a training setting; never the
 * indicators or the labels, the idea the trial stands for. Otherwise a fresh design, its family
 * chosen by Thompson sampling on the theme and on the label source separately: one draw from each
 * theme's posterior and each label source's (armPosteriors over the fresh trials), the highest of
 * each. So it explores while the best trial is within a fresh design's reach and, as the ledger
 * shows one standing out, spends more and more trials near it: a good design's neighbours score
 * much like it, may beat it, and keep the spread of the trials' Sharpe ratios (the V the DSR
 * deflates by) small.
 */
function chooseDirected(s: Search): { how: 'family' | 'refine'; family: string; parent: CampaignTrialSummary | null; note: string } {
  const { ctx } = s;
  const fresh = freshTrials(ctx.ledger);
  const best = refinable(ctx.ledger)[0] ?? null;
  const chance = best ? refineChance(best, fresh) : 0;
  if (best && streamOf(ctx, ctx.trial, 'mode').next() < chance) {
    return {
      how: 'refine',
      family: best.family,
      parent: best,
      note: `refines trial ${best.trial} (the best so far: Sharpe ${fmt(best.sharpe_ratio)}, DSR ${fmt(best.dsr)}; chance to refine ${fmt(chance)})`,
    };
  }
  const rng = streamOf(ctx, ctx.trial, 'thompson');
  const thompson = (arms: readonly ArmPosterior[]): ArmPosterior => {
    let chosen: { p: ArmPosterior; draw: number } | null = null;
    for (const p of arms) {
      const draw = p.mean + p.sd * normal(rng);
      if (!chosen || draw > chosen.draw) chosen = { p, draw };
    }
    return chosen!.p;
  };
  const { themes, sources } = armPosteriors(fresh);
  const theme = thompson(themes);
  const source = thompson(sources);
  const family = `${theme.arm}/${source.arm}`;
  const arm = (p: ArmPosterior): string => `${p.arm} ${fmt(p.mean)} ± ${fmt(p.sd)} over ${p.trials} trials`;
  return {
    how: 'family',
    family,
    parent: null,
    note: `a fresh design of family ${family} (Thompson draws; posterior mean scores ${arm(theme)}, ${arm(source)})`,
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
 * The trial numbers a ledger trial may have been designed under, relative to its own: the ledger
 * numbers trials in the order they end, the designer in the order their cycles start, so trials
 * that ran side by side may have swapped. (Without this, a swapped trial read from its summary
 * loses the labels and parameters that made it good, and so do its refinements.)
 */
const RECOVER_SHIFTS = [0, -1, 1, -2, 2, -3, 3];

/**
 * The genome of an earlier trial, to refine it. The ledger keeps only a summary (indicator types,
 * label source, hidden layers, threshold), so the search replays its own draws: a trial of this
 * designer was a fresh draw of its family at (seed, trial, attempt), or a refinement of one of the
 * best earlier trials at (seed, trial, attempt), `trial` its own number or one up to three away
 * (RECOVER_SHIFTS); the explanation whose rendering has the trial's content hash is its genome.
 * That needs no ledger prefix, so it holds when trials ran concurrently. A trial no explanation matches (another designer's, other windows) is read from its
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
    for (const shift of RECOVER_SHIFTS) {
      const designed = t.trial + shift;
      if (designed < 1) continue;
      const fresh = freshDraw(s, family, designed, r);
      if (hashOf(s, fresh) === target) return settle(memo, t, fresh);
      for (let i = 0; i < parents.length; i++) {
        if (parentGenomes[i] === undefined) parentGenomes[i] = replay(s, parents[i]!, depth + 1, memo);
        const g = parentGenomes[i];
        if (!g) continue;
        const refined = refineDraw(s, g, designed, r).genome;
        if (hashOf(s, refined) === target) return settle(memo, t, refined);
      }
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
