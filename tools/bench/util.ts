/** Small helpers shared by the benchmarks. */

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Epoch milliseconds with sub-millisecond resolution, on the same basis the worker uses for
 * `stopped_at` (performance.timeOrigin + performance.now()).
 */
export const epochNow = (): number => performance.timeOrigin + performance.now();

import { ACTIVE_PHASES, PHASE_TABLE, type ActivePhase } from '@ktrdr/agent-domain';
import type { ChildKey } from '@ktrdr/api-contract';

/** Deterministic PRNG so runs place their cancels the same way. */
export { seededRandom } from '@ktrdr/agent-domain';

export { ACTIVE_PHASES as PHASES, type ActivePhase as Phase } from '@ktrdr/agent-domain';

/** The parent parameter that holds each phase's child operation id (the phase table's). */
export const CHILD_KEY = Object.fromEntries(ACTIVE_PHASES.map((p) => [p, PHASE_TABLE[p].childKey])) as Record<ActivePhase, ChildKey>;

export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** A thing the product did that it should not have; reported verbatim, never worked around. */
export interface Anomaly {
  sample: number;
  what: string;
}
