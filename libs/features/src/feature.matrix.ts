import { baseTimeframe, defaultOutput, splitIndicatorRef, TIMEFRAME_MS, type MembershipConfig, type StrategyConfig, type Timeframe } from '@ktrdr/agent-domain';
import { ErrorCode } from '@ktrdr/errors';
import type { Bars } from '@ktrdr/market-data';
import { forEachChunk } from './chunked.loop.js';
import { FeaturesError } from './features.error.js';
import type { BarsByTimeframe, FeatureMatrix } from './features.types.js';
import { membership } from './fuzzy.membership.js';
import { computeIndicator } from './indicator.engine.js';
import { alignToBase, gather } from './timeframe.align.js';

/** One network input: the membership of one indicator output, on one timeframe, in one fuzzy set. */
export interface FeatureColumn {
  /** `<fuzzy set>.<membership set>@<timeframe>`, e.g. `rsi_14.oversold@1d`. */
  name: string;
  fuzzySet: string;
  set: string;
  timeframe: Timeframe;
  indicatorId: string;
  output: string;
  membership: MembershipConfig;
}

/**
 * The columns a strategy's `nn_inputs` define, in a fixed order: nn_inputs in file order, then each
 * input's timeframes (its list, or `training_data.timeframes` for `all`), then the fuzzy set's
 * membership sets in file order. Training and inference both use this, so a model always sees
 * its columns in the order it was trained on. A column listed twice is kept once.
 */
export function featureColumns(config: StrategyConfig): FeatureColumn[] {
  const columns: FeatureColumn[] = [];
  const seen = new Set<string>();
  for (const input of config.nn_inputs) {
    const fs = config.fuzzy_sets[input.fuzzy_set];
    if (!fs) throw new Error(`internal: unknown fuzzy set ${input.fuzzy_set} (the schema checks this)`);
    const { id, output } = splitIndicatorRef(fs.indicator);
    const ind = config.indicators[id];
    if (!ind) throw new Error(`internal: unknown indicator ${id} (the schema checks this)`);
    const timeframes = input.timeframes === 'all' ? config.training_data.timeframes : input.timeframes;
    for (const timeframe of timeframes) {
      for (const [set, m] of Object.entries(fs)) {
        if (set === 'indicator' || typeof m === 'string') continue;
        const name = `${input.fuzzy_set}.${set}@${timeframe}`;
        if (seen.has(name)) continue;
        seen.add(name);
        columns.push({ name, fuzzySet: input.fuzzy_set, set, timeframe, indicatorId: id, output: output ?? defaultOutput(ind.type), membership: m });
      }
    }
  }
  return columns;
}

export function featureNames(config: StrategyConfig): string[] {
  return featureColumns(config).map((c) => c.name);
}

function barsOf(bars: BarsByTimeframe, tf: Timeframe, symbol: string): Bars {
  const b = bars[tf];
  if (!b || b.time.length === 0) {
    throw new FeaturesError(ErrorCode.NoMarketData, 'missing_timeframe', `no ${tf} bars for ${symbol}: the strategy's features need them`, {
      symbol,
      timeframe: tf,
    });
  }
  return b;
}

/**
 * The strategy's feature matrix over one symbol's base-timeframe bars (`baseTimeframe(config)`, the
 * finest listed). Indicators are computed on each timeframe's own bars; a higher timeframe's value
 * at a base row is that of its last bar completed by the end of the base bar (see alignToBase).
 */
export async function buildFeatureMatrix(config: StrategyConfig, bars: BarsByTimeframe, signal?: AbortSignal): Promise<FeatureMatrix> {
  const base = baseTimeframe(config);
  const symbol = Object.values(bars).find((b) => b)?.symbol ?? config.training_data.symbols[0] ?? '?';
  const baseBars = barsOf(bars, base, symbol);
  const columns = featureColumns(config);
  const rows = baseBars.time.length;
  const cols = columns.length;

  // Indicator output columns, aligned to base rows, computed once per (timeframe, indicator).
  const sources = new Map<string, Float64Array>();
  for (const tf of new Set(columns.map((c) => c.timeframe))) {
    const tfBars = barsOf(bars, tf, symbol);
    const map = tf === base ? null : alignToBase(baseBars.time, TIMEFRAME_MS[base], tfBars.time, TIMEFRAME_MS[tf]);
    for (const id of new Set(columns.filter((c) => c.timeframe === tf).map((c) => c.indicatorId))) {
      const outputs = await computeIndicator(tfBars, config.indicators[id]!, signal);
      for (const [output, values] of Object.entries(outputs)) sources.set(`${id}.${output}@${tf}`, map ? gather(values, map) : values);
    }
  }

  const values = new Float32Array(rows * cols);
  for (let c = 0; c < cols; c++) {
    const column = columns[c]!;
    const src = sources.get(`${column.indicatorId}.${column.output}@${column.timeframe}`)!;
    await forEachChunk(
      rows,
      (start, end) => {
        for (let r = start; r < end; r++) values[r * cols + c] = membership(src[r]!, column.membership);
      },
      signal,
      8192,
    );
  }

  const valid = new Uint8Array(rows);
  await forEachChunk(
    rows,
    (start, end) => {
      for (let r = start; r < end; r++) {
        let ok = 1;
        for (let c = 0; c < cols; c++) {
          if (Number.isNaN(values[r * cols + c]!)) {
            ok = 0;
            break;
          }
        }
        valid[r] = ok;
      }
    },
    signal,
    4096,
  );
  const firstValidRow = valid.indexOf(1);

  return { names: columns.map((c) => c.name), rows, cols, values, time: baseBars.time.slice(), valid, firstValidRow };
}
