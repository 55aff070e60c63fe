import { INDICATOR_CATALOGUE, INDICATOR_TYPES, strategyToYaml } from '@ktrdr/agent-domain';
import type { AvailableData, DesignInput, RecentStrategy } from './llm.types.js';
import { EXAMPLE_STRATEGY } from './strategy.example.js';

/**
 * The design prompt: everything Claude needs in one request (format, catalogue, data, history,
 * brief), so no tool round trips are spent discovering them. Inputs are trimmed to these limits so
 * a long history or brief cannot blow up the prompt.
 */
export const DESIGN_PROMPT_LIMITS = { briefChars: 4_000, recent: 10, dataRows: 40 } as const;

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

# Brief
${brief ? `<brief>\n${brief}\n</brief>` : 'No brief was given: choose a hypothesis of your own that differs from the recent strategies.'}

Call ${SAVE_STRATEGY_TOOL} once with the complete configuration.`;
}
