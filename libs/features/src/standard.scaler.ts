import { ErrorCode } from '@ktrdr/errors';
import { z } from 'zod';
import { FeaturesError } from './features.error.js';

/**
 * Standardisation per column, (x − mean) / std, fitted on the training rows only and saved with the
 * model as JSON, so backtests scale features exactly as training did. `names` pins the column order.
 * Hand-written: two sums per column; tfjs would add a tensor round trip for nothing.
 */
export const standardScalerSchema = z
  .object({
    kind: z.literal('standard'),
    version: z.literal(1),
    names: z.array(z.string()).min(1),
    mean: z.array(z.number()),
    std: z.array(z.number().positive()),
  })
  .strict()
  .refine((s) => s.mean.length === s.names.length && s.std.length === s.names.length, { error: 'names, mean and std must have the same length' });

export type StandardScaler = z.infer<typeof standardScalerSchema>;

/** Population mean and std of each column over `rows` rows of row-major `X`. A constant column gets std 1 (it scales to 0). */
export function fitScaler(X: Float32Array, rows: number, names: readonly string[]): StandardScaler {
  const cols = names.length;
  if (rows < 1) throw new FeaturesError(ErrorCode.NoMarketData, 'insufficient_rows', 'cannot fit a scaler on zero rows');
  const mean = new Array<number>(cols).fill(0);
  const std = new Array<number>(cols).fill(0);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c]! += X[r * cols + c]!;
  for (let c = 0; c < cols; c++) mean[c] = mean[c]! / rows;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const d = X[r * cols + c]! - mean[c]!;
      std[c]! += d * d;
    }
  }
  for (let c = 0; c < cols; c++) {
    const s = Math.sqrt(std[c]! / rows);
    std[c] = s > 1e-12 ? s : 1;
  }
  return { kind: 'standard', version: 1, names: [...names], mean, std };
}

/** A scaled copy of row-major `X` (NaN stays NaN). */
export function applyScaler(scaler: StandardScaler, X: Float32Array): Float32Array {
  const cols = scaler.names.length;
  const out = new Float32Array(X.length);
  for (let i = 0; i < X.length; i++) {
    const c = i % cols;
    out[i] = (X[i]! - scaler.mean[c]!) / scaler.std[c]!;
  }
  return out;
}

/** A scaler read back from JSON (a model file), checked. */
export function parseScaler(json: unknown): StandardScaler {
  const parsed = standardScalerSchema.safeParse(typeof json === 'string' ? safeJson(json) : json);
  if (!parsed.success) {
    throw new FeaturesError(ErrorCode.StrategyInvalid, 'bad_scaler', `invalid feature scaler: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
