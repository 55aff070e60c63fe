import { OperationsStore, type OperationInfo } from '@ktrdr/operations';
import { startStack } from '../testing/stack.harness.js';
import { summarize, type Summary } from './stats.js';
import { CHILD_KEY, PHASES, TERMINAL, sleep, type Anomaly } from './util.js';

/**
 * Benchmark 1: cycle transitions. Runs stub cycles with KTRDR_STUB_DELAY_MS=0, one at a time, and
 * reads from the operation records how long the system itself takes between phases.
 */

export const TRANSITIONS = [
  'trigger → design started',
  'design done → training started',
  'training done → backtest started',
  'backtest done → assessment started',
  'assessment done → cycle completed',
] as const;
export type Transition = (typeof TRANSITIONS)[number];
/** The per-phase transitions the ≤ 20 ms target is about (every hand-over after the trigger). */
export const PHASE_TRANSITIONS: readonly Transition[] = TRANSITIONS.slice(1);

export interface TransitionResult {
  cycles: number;
  warmup: number;
  rows: Record<Transition, Summary>;
  /** All four per-phase transitions pooled. */
  pooled: Summary;
  /** Trigger sent → parent completed, for context. */
  cycleTotal: Summary;
  /** Child started → child completed (zero stub delay), for context. */
  childRun: Summary;
  anomalies: Anomaly[];
  elapsedMs: number;
}

const CYCLE_TIMEOUT_MS = 10_000;
const POLL_MS = 2;
const ms = (iso: string | null): number => (iso ? Date.parse(iso) : Number.NaN);

export async function benchCycleTransitions(cycles: number, warmup: number, log: (s: string) => void): Promise<TransitionResult> {
  const stack = await startStack({
    // The bench triggers hundreds of cycles a minute from one client: the cycle rate limit is off here.
    apiEnv: { KTRDR_MAX_CONCURRENT_CYCLES: '1', KTRDR_RATE_LIMIT: '0' },
    workerEnv: { KTRDR_STUB_WORKERS: 'true', KTRDR_STUB_DELAY_MS: '0' },
  });
  const store = new OperationsStore(stack.redis, stack.prefix);
  const samples = Object.fromEntries(TRANSITIONS.map((t) => [t, [] as number[]])) as Record<Transition, number[]>;
  const totals: number[] = [];
  const childRuns: number[] = [];
  const anomalies: Anomaly[] = [];
  const started = Date.now();
  try {
    for (let i = 0; i < warmup + cycles; i++) {
      const sample = i - warmup;
      // Records carry wall-clock ms (new Date()), so t0 is taken on the same clock.
      const t0 = Date.now();
      const res = await stack.request<{ operation_id?: string }>('POST', '/agent/trigger', {});
      const id = res.body.operation_id;
      if (res.status !== 202 || !id) {
        anomalies.push({ sample, what: `trigger answered ${res.status}: ${JSON.stringify(res.body)}` });
        await sleep(100);
        continue;
      }
      const deadline = Date.now() + CYCLE_TIMEOUT_MS;
      let parent: OperationInfo | null = null;
      for (;;) {
        parent = await store.get(id);
        if (parent && TERMINAL.has(parent.status)) break;
        if (Date.now() > deadline) break;
        await sleep(POLL_MS);
      }
      if (!parent || parent.status !== 'completed') {
        const p = parent?.metadata.parameters ?? {};
        anomalies.push({
          sample,
          what: `cycle ${id} ${parent ? `ended ${parent.status}` : 'vanished'}${parent && !TERMINAL.has(parent.status) ? ` (still ${parent.status} after ${CYCLE_TIMEOUT_MS} ms, phase ${String(p['phase'])})` : ''}${parent?.error_message ? `: ${parent.error_message}` : ''}`,
        });
        // Free the capacity slot so the remaining samples can run; the anomaly is reported.
        if (parent && !TERMINAL.has(parent.status)) await stack.request('DELETE', `/agent/cancel/${id}`);
        continue;
      }
      const params = parent.metadata.parameters;
      const children = await Promise.all(PHASES.map((ph) => store.get(String(params[CHILD_KEY[ph]]))));
      if (children.some((c) => !c || c.status !== 'completed' || !c.started_at || !c.completed_at)) {
        anomalies.push({
          sample,
          what: `cycle ${id} completed but a child record is missing or not completed: ${children.map((c) => c?.status ?? 'missing').join(', ')}`,
        });
        continue;
      }
      if (sample < 0) continue;
      const [design, training, backtest, assessment] = children as [OperationInfo, OperationInfo, OperationInfo, OperationInfo];
      samples['trigger → design started'].push(ms(design.started_at) - t0);
      samples['design done → training started'].push(ms(training.started_at) - ms(design.completed_at));
      samples['training done → backtest started'].push(ms(backtest.started_at) - ms(training.completed_at));
      samples['backtest done → assessment started'].push(ms(assessment.started_at) - ms(backtest.completed_at));
      samples['assessment done → cycle completed'].push(ms(parent.completed_at) - ms(assessment.completed_at));
      totals.push(ms(parent.completed_at) - t0);
      for (const c of children as OperationInfo[]) childRuns.push(ms(c.completed_at) - ms(c.started_at));
      if ((sample + 1) % 50 === 0) log(`  transitions: ${sample + 1}/${cycles} cycles`);
    }
  } finally {
    await stack.stop();
  }
  const rows = Object.fromEntries(TRANSITIONS.map((t) => [t, summarize(samples[t])])) as Record<Transition, Summary>;
  return {
    cycles,
    warmup,
    rows,
    pooled: summarize(PHASE_TRANSITIONS.flatMap((t) => samples[t])),
    cycleTotal: summarize(totals),
    childRun: summarize(childRuns),
    anomalies,
    elapsedMs: Date.now() - started,
  };
}
