import { ErrorCode } from '@ktrdr/errors';
import { z } from 'zod';
import { forEachChunk } from './chunked.loop.js';
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
  const fit = new ScalerFit(X, rows, names);
  fit.sum(0, rows);
  fit.square(0, rows);
  return fit.result();
}

/** fitScaler in slices that yield to the event loop and honour `signal` (for 100k+ rows). */
export async function fitScalerAsync(X: Float32Array, rows: number, names: readonly string[], signal?: AbortSignal): Promise<StandardScaler> {
  const fit = new ScalerFit(X, rows, names);
  await forEachChunk(rows, (a, b) => fit.sum(a, b), signal, 4096);
  await forEachChunk(rows, (a, b) => fit.square(a, b), signal, 4096);
  return fit.result();
}

/** Two passes (sums, then squared deviations from the mean): steadier than one-pass sums of squares. */
class ScalerFit {
  private readonly cols: number;
  private readonly total: Float64Array;
  private readonly squares: Float64Array;
  private mean: Float64Array | null = null;

  constructor(
    private readonly X: Float32Array,
    private readonly rows: number,
    private readonly names: readonly string[],
  ) {
    if (rows < 1) throw new FeaturesError(ErrorCode.NoMarketData, 'insufficient_rows', 'cannot fit a scaler on zero rows');
    this.cols = names.length;
    this.total = new Float64Array(this.cols);
    this.squares = new Float64Array(this.cols);
  }

  sum(start: number, end: number): void {
    const { X, cols, total } = this;
    for (let r = start; r < end; r++) for (let c = 0; c < cols; c++) total[c]! += X[r * cols + c]!;
  }

  square(start: number, end: number): void {
    const mean = (this.mean ??= this.total.map((t) => t / this.rows));
    const { X, cols, squares } = this;
    for (let r = start; r < end; r++) {
      for (let c = 0; c < cols; c++) {
        const d = X[r * cols + c]! - mean[c]!;
        squares[c]! += d * d;
      }
    }
  }

  result(): StandardScaler {
    const mean = Array.from(this.total, (t) => t / this.rows);
    const std = Array.from(this.squares, (q) => {
      const s = Math.sqrt(q / this.rows);
      return s > 1e-12 ? s : 1;
    });
    return { kind: 'standard', version: 1, names: [...this.names], mean, std };
  }
}

/** A scaled copy of row-major `X` (NaN stays NaN). */
export function applyScaler(scaler: StandardScaler, X: Float32Array): Float32Array {
  const out = new Float32Array(X.length);
  scaleRange(scaler, X, out, 0, X.length);
  return out;
}

/** applyScaler in slices that yield to the event loop and honour `signal`. */
export async function applyScalerAsync(scaler: StandardScaler, X: Float32Array, signal?: AbortSignal): Promise<Float32Array> {
  const out = new Float32Array(X.length);
  const cols = scaler.names.length;
  await forEachChunk(X.length / cols, (a, b) => scaleRange(scaler, X, out, a * cols, b * cols), signal, 4096);
  return out;
}

function scaleRange(scaler: StandardScaler, X: Float32Array, out: Float32Array, start: number, end: number): void {
  const cols = scaler.names.length;
  const { mean, std } = scaler;
  for (let i = start; i < end; i++) {
    const c = i % cols;
    out[i] = (X[i]! - mean[c]!) / std[c]!;
  }
}

/** A scaler read back from JSON (a model file), checked. */
export function parseScaler(json: unknown): StandardScaler {
  const parsed = standardScalerSchema.safeParse(typeof json === 'string' ? safeJson(json) : json);
  if (!parsed.success) {
    throw new FeaturesError(
      ErrorCode.StrategyInvalid,
      'bad_scaler',
      `invalid feature scaler: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
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
