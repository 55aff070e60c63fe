import { INDICATOR_CATALOGUE, INDICATOR_TYPES, lastSearchDay, strategyToYaml } from '@ktrdr/agent-domain';
import type { AvailableData, CampaignDesignContext, CampaignTrialSummary, DesignInput, RecentStrategy } from './llm.types.js';
import { EXAMPLE_STRATEGY } from './strategy.example.js';

/**
 * The design prompt: everything Claude needs in one request (format, catalogue, data, history,
 * brief), so no tool round trips are spent discovering them. Inputs are trimmed to these limits so
 * a long history or brief cannot blow up the prompt.
 */
export const DESIGN_PROMPT_LIMITS = { briefChars: 4_000, recent: 10, dataRows: 40 } as const;

/**
 * How much of a campaign's ledger the prompt carries, whatever its length: one row per idea family
 * (at most `families`), the `best` trials by DSR, the `last` trials, and counts of the rest. Each
 * trial's reason is cut to `reasonChars`. So the prompt of trial 1,000 is about as long as trial 20's.
 */
export const CAMPAIGN_PROMPT_LIMITS = { families: 15, best: 5, last: 5, reasonChars: 120, labelChars: 40, indicators: 8 } as const;

export const SAVE_STRATEGY_TOOL = 'save_strategy_config';

export const DESIGN_SYSTEM = [
  'You are a quantitative researcher inside ktrdr, a system that designs, trains and backtests trading strategies autonomously.',
  'A strategy turns technical indicators into fuzzy memberships, feeds them to a small neural network (MLP) that classifies each bar as BUY, HOLD or SELL (labels from ZigZag swings), then backtests the trained model on later, unseen bars.',
  `Design exactly one new strategy and save it by calling the ${SAVE_STRATEGY_TOOL} tool once with the complete configuration. Do not answer in prose.`,
  'Ground every choice in the catalogue and the data listed; state a testable hypothesis.',
].join('\n');

function paramsText(type: keyof typeof INDICATOR_CATALOGUE): string {
  const defaults = INDICATOR_CATALOGUE[type].params.parse({}) as Record<string, number>;
  return Object.entries(defaults)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

export function catalogueText(): string {
  return INDICATOR_TYPES.map((type) => {
    const spec = INDICATOR_CATALOGUE[type];
    return `- ${type} (${paramsText(type)}) → outputs: ${spec.outputs.join(', ')} (default ${spec.outputs[0]}). ${spec.description}`;
  }).join('\n');
}

function dataText(rows: readonly AvailableData[]): string {
  if (rows.length === 0) {
    return 'No listing was provided. Built in: SP500 1d from 2000-01-03 to 2020-04-17; synthetic series SYNTH_<NAME> for any timeframe from 2015-01-01 to 2026-01-01.';
  }
  const shown = rows.slice(0, DESIGN_PROMPT_LIMITS.dataRows);
  const more = rows.length > shown.length ? `\n(${rows.length - shown.length} more not shown)` : '';
  return `symbol | timeframe | first bar | last bar\n${shown.map((r) => `${r.symbol} | ${r.timeframe} | ${r.start.slice(0, 10)} | ${r.end.slice(0, 10)}`).join('\n')}${more}`;
}

const num = (v: number | null): string => (v === null || !Number.isFinite(v) ? 'n/a' : Number(v.toPrecision(4)).toString());

function recentText(recent: readonly RecentStrategy[]): string {
  if (recent.length === 0) return 'None yet.';
  return recent
    .slice(0, DESIGN_PROMPT_LIMITS.recent)
    .map((r) => {
      const metrics = Object.entries(r.metrics)
        .slice(0, 12)
        .map(([k, v]) => `${k}=${num(v)}`)
        .join(', ');
      const parts = [`verdict: ${r.verdict ?? 'none'}`];
      if (r.indicators?.length) parts.push(`indicators: ${r.indicators.join(', ')}`);
      if (metrics) parts.push(metrics);
      if (r.outcome) parts.push(`outcome: ${r.outcome.slice(0, 200)}`);
      return `- ${r.name}: ${parts.join('; ')}`;
    })
    .join('\n');
}

const clip = (text: string, n: number): string => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

/** One trial in a line: its family, design parameters, outcome and numbers. */
function trialLine(t: CampaignTrialSummary): string {
  const L = CAMPAIGN_PROMPT_LIMITS;
  const indicators = t.indicators.slice(0, L.indicators).join(', ') + (t.indicators.length > L.indicators ? ', …' : '');
  const parts = [
    clip(t.family || 'unknown', L.labelChars),
    `indicators ${indicators || 'none'}`,
    `labels ${clip(t.label ?? 'n/a', L.labelChars)}`,
    `hidden [${t.hidden_layers.slice(0, 4).join(', ')}]`,
    `threshold ${num(t.confidence_threshold)}`,
    t.outcome,
    `Sharpe ${num(t.sharpe_ratio)}`,
    `DSR ${num(t.dsr)}`,
  ];
  if (t.reason) parts.push(`reason: ${clip(t.reason.replace(/\s+/g, ' '), L.reasonChars)}`);
  return `- trial ${t.trial}: ${parts.join('; ')}`;
}

/** Per family: trials, passed, best DSR, mean Sharpe (of the trials that have one), most trials first. */
function familyTable(ledger: readonly CampaignTrialSummary[]): string {
  const by = new Map<string, CampaignTrialSummary[]>();
  for (const t of ledger) {
    const key = clip(t.family || 'unknown', CAMPAIGN_PROMPT_LIMITS.labelChars);
    by.set(key, [...(by.get(key) ?? []), t]);
  }
  const rows = [...by.entries()]
    .map(([family, ts]) => {
      const sharpes = ts.flatMap((t) => (t.sharpe_ratio !== null && Number.isFinite(t.sharpe_ratio) ? [t.sharpe_ratio] : []));
      const dsrs = ts.flatMap((t) => (t.dsr !== null && Number.isFinite(t.dsr) ? [t.dsr] : []));
      return {
        family,
        trials: ts.length,
        text: `${family} | ${ts.length} | ${ts.filter((t) => t.outcome === 'passed').length} | ${ts.filter((t) => t.outcome === 'gate_failed' || t.outcome === 'failed').length} | ${dsrs.length ? num(Math.max(...dsrs)) : 'n/a'} | ${sharpes.length ? num(sharpes.reduce((a, b) => a + b, 0) / sharpes.length) : 'n/a'}`,
      };
    })
    .sort((a, b) => b.trials - a.trials || a.family.localeCompare(b.family));
  const shown = rows.slice(0, CAMPAIGN_PROMPT_LIMITS.families);
  const more =
    rows.length > shown.length
      ? `\n(${rows.length - shown.length} more families, ${rows.slice(shown.length).reduce((n, r) => n + r.trials, 0)} trials, not shown)`
      : '';
  return `family (indicator theme / label source) | trials | passed | failed | best DSR | mean Sharpe\n${shown.map((r) => r.text).join('\n')}${more}`;
}

/**
 * The campaign section: the rules a trial's design must keep and a bounded summary of the ledger
 * (CAMPAIGN_PROMPT_LIMITS), so Claude learns from every trial without the prompt growing with them.
 */
export function campaignText(c: CampaignDesignContext): string {
  const L = CAMPAIGN_PROMPT_LIMITS;
  const scope = `${c.scope.symbols.join(', ')} ${c.scope.timeframe}`;
  const last = lastSearchDay({ from: c.sealed_from.slice(0, 10) });
  const count = (o: CampaignTrialSummary['outcome']): number => c.ledger.filter((t) => t.outcome === o).length;
  const lines = [
    `This design is trial ${c.trial} of a research campaign on ${scope}: each trial is one design, trained and backtested walk-forward, and the campaign keeps the best. Its ledger so far: ${c.ledger.length} trials (${count('passed')} passed every gate, ${count('gate_failed')} failed a gate, ${count('failed')} failed, ${count('cancelled')} cancelled); ${new Set([...c.tried_hashes, ...c.ledger.flatMap((t) => (t.strategy_hash ? [t.strategy_hash] : []))]).size} distinct designs tried.`,
    '',
    'Campaign rules:',
    `- Trade ${scope}: training_data.symbols ${JSON.stringify(c.scope.symbols)} and training_data.timeframes ["${c.scope.timeframe}"].`,
    `- Every window (training_data.date_range and backtest.date_range) must end by ${last}, before ${c.sealed_from.slice(0, 10)}: the bars from then on are the campaign's sealed holdout, kept for judging its finalists. A window reaching into it is cut at ${last}; a design whose windows start inside it is refused.`,
    '- A design that repeats an earlier trial (the same content apart from name, description, hypothesis and version) is refused: change at least one indicator, parameter, fuzzy set, label, model size or threshold.',
    '- Leave out the evaluation block: every trial is judged by the same walk-forward test (5 folds, 3 seeds).',
    '- Learn from the ledger: refine what scored (a higher DSR is better; above 0.95 is the target), move away from families that keep failing, and try an untried family when nothing works.',
  ];
  if (c.ledger.length) {
    const best = [...c.ledger]
      .filter((t) => t.dsr !== null || t.sharpe_ratio !== null)
      .sort((a, b) => (b.dsr ?? -1) - (a.dsr ?? -1) || (b.sharpe_ratio ?? -Infinity) - (a.sharpe_ratio ?? -Infinity) || a.trial - b.trial)
      .slice(0, L.best);
    const recent = c.ledger.slice(-L.last).reverse();
    lines.push('', '## Idea families so far', familyTable(c.ledger));
    lines.push('', `## Best ${L.best} trials by DSR`, best.length ? best.map(trialLine).join('\n') : 'None has a backtest yet.');
    lines.push('', `## Last ${L.last} trials (newest first)`, recent.map(trialLine).join('\n'));
    const hidden = c.ledger.length - new Set([...best, ...recent].map((t) => t.trial)).size;
    if (hidden > 0) lines.push(`(${hidden} further trials are counted in the family table only.)`);
  } else {
    lines.push('', 'No trial has been recorded yet: this is the first.');
  }
  return lines.join('\n');
}

export function designPrompt(input: DesignInput): string {
  const brief = input.brief?.trim() ? input.brief.trim().slice(0, DESIGN_PROMPT_LIMITS.briefChars) : null;
  return `# Strategy format
The tool input is the strategy file (ktrdr v3) as JSON. A complete, valid example, shown as YAML:

\`\`\`yaml
${strategyToYaml(EXAMPLE_STRATEGY).trimEnd()}
\`\`\`

Rules:
- name: a new, descriptive snake_case name (letters, digits, "_" or "-", at most 64), not one of the recent strategies.
- indicators: your own ids (letters, digits, "_") → {type, params}; only catalogue types; omitted params take the defaults shown.
- fuzzy_sets: each refers to an indicator id, optionally with ".output" (default: the first output); every other key is a membership set:
  triangular [a, b, c], trapezoidal [a, b, c, d] (a <= b <= c <= d, a < d) or gaussian [mean, sigma > 0].
  Place the sets on the output's real range (see the catalogue) and let the outer sets reach past both ends of it, so every value has a membership.
- nn_inputs: the fuzzy sets fed to the network (timeframes "all" or a subset of training_data.timeframes).
- training_data.date_range and backtest.date_range must lie inside the available data for every symbol and timeframe listed;
  the backtest must start after the training window ends (it runs on unseen bars).
- Keep the model small so it trains on a CPU within about a minute: at most two hidden layers of at most 64 units, epochs at most 50, batch_size 32-128.
- training.labels.zigzag_threshold (source zigzag) is the swing size as a fraction: about 0.03-0.06 for daily bars, 0.005-0.015 for hourly bars.
  Other label sources: forward_return {horizon (bars), threshold (fraction), cost (round-trip fraction; default 2 × (commission + slippage))}: BUY when close[t+horizon]/close[t] − 1 > threshold + cost, SELL below −(threshold + cost);
  triple_barrier {horizon (bars), profit_take, stop_loss (multiples of the rolling std of one-bar returns), volatility_window (bars, default 20)}: the first barrier the closes touch decides, the horizon gives HOLD.

# Indicator catalogue
${catalogueText()}

# Available data
${dataText(input.availableData)}

# Recent strategies (newest first)
${recentText(input.recent)}
Do not repeat a design judged poor; learn from what worked.
${input.campaign ? `\n# Campaign\n${campaignText(input.campaign)}\n` : ''}
# Brief
${brief ? `<brief>\n${brief}\n</brief>` : 'No brief was given: choose a hypothesis of your own that differs from the recent strategies.'}

Call ${SAVE_STRATEGY_TOOL} once with the complete configuration.`;
}
