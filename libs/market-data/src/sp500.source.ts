import { dirname, join } from 'node:path';

/**
 * The built-in real sample: daily S&P 500 OHLCV 2000-01-03 … 2020-04-17 (5,105 bars) shipped in the
 * vega-datasets npm package, read from node_modules at run time (never copied into the repo).
 * The package's `exports` map hides `data/*` and its package.json, so resolve the entry point and
 * walk up to the package root.
 */
export const BUILTIN_SP500 = { symbol: 'SP500', timeframe: '1d' } as const;

export function sp500CsvPath(): string {
  return join(dirname(require.resolve('vega-datasets')), '..', 'data', 'sp500-2000.csv');
}
