import { SYMBOL, TIMEFRAMES, type Timeframe } from '@ktrdr/agent-domain';

/**
 * What market data needs of the blob store (libs/operations BlobStore, which satisfies it as is).
 * Structural on purpose: the compute libs read this lib and may not reach Redis (lint-enforced,
 * nested imports included), so market-data never imports the store or ioredis; the API and the
 * worker build the BlobStore on their own connection and hand it in.
 */
export interface MarketDataBlobs {
  put(bytes: Uint8Array, meta: { kind: string; [key: string]: unknown }): Promise<{ hash: string; size: number; created: boolean }>;
  /** The verified content, or null when no such blob exists. */
  get(hash: string): Promise<Uint8Array | null>;
  stat(hash: string): Promise<{ size: number; kind: string; meta: Record<string, unknown> } | null>;
  getName(namespace: string, name: string): Promise<string | null>;
  /** Points the name at the blob (a reference); answers the hash it pointed at before, or null. */
  setName(namespace: string, name: string, hash: string): Promise<string | null>;
  setNameIfAbsent(namespace: string, name: string, hash: string): Promise<{ set: boolean; hash: string }>;
  listNames(namespace: string): Promise<{ name: string; hash: string }[]>;
}

/** The blob store namespace of imported bars: name `<SYMBOL>:<timeframe>`, owner (and what users see) `data:<SYMBOL>:<timeframe>`. */
export const DATA_NAMESPACE = 'data';
/** Blob kind of bars encoded with encodeBars. */
export const BARS_BLOB_KIND = 'bars';

/** The name of a pair inside the `data` namespace. */
export function dataBlobName(symbol: string, timeframe: Timeframe): string {
  return `${symbol}:${timeframe}`;
}

/** The pair's name as the store's owner field and the API show it: `data:SP500:1h`. */
export function dataStoreName(symbol: string, timeframe: Timeframe): string {
  return `${DATA_NAMESPACE}:${dataBlobName(symbol, timeframe)}`;
}

/** The pair behind a `data` namespace name, or null for a name this lib did not write. */
export function parseDataBlobName(name: string): { symbol: string; timeframe: Timeframe } | null {
  const at = name.lastIndexOf(':');
  const symbol = name.slice(0, at);
  const timeframe = name.slice(at + 1);
  if (at <= 0 || !SYMBOL.test(symbol) || !(TIMEFRAMES as readonly string[]).includes(timeframe)) return null;
  return { symbol, timeframe: timeframe as Timeframe };
}
