/** Small helpers shared by the benchmarks. */

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Epoch milliseconds with sub-millisecond resolution, on the same basis the worker uses for
 * `stopped_at` (performance.timeOrigin + performance.now()).
 */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/** Deterministic PRNG so runs place their cancels the same way. */
export { seededRandom } from '@ktrdr/agent-domain';

export const PHASES = ['designing', 'training', 'backtesting', 'assessing'] as const;
export type Phase = (typeof PHASES)[number];

/** The parent parameter that holds each phase's child operation id. */
export const CHILD_KEY: Record<Phase, string> = {
  designing: 'design_op_id',
  training: 'training_op_id',
  backtesting: 'backtest_op_id',
  assessing: 'assessment_op_id',
};

export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** A thing the product did that it should not have; reported verbatim, never worked around. */
export interface Anomaly {
  sample: number;
  what: string;
}
