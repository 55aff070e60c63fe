import { OperationsStore, type OperationInfo } from '@ktrdr/operations';
import { startStack } from '../testing/stack.harness.js';
import { summarize, type Summary } from './stats.js';
import { CHILD_KEY, PHASES, TERMINAL, sleep } from './util.js';

/**
 * Orchestration throughput: zero-delay stub cycles at capacity 50 on 1 and 2 worker
 * processes, with 1, 10 and 50 cycles in flight. Reports phase transitions per second (hand-overs
 * child done → next child started, and last child done → cycle completed) and the transition p99,
 * read from the operation records.
 */

export interface OrchestrationRow {
  workers: number;
  inFlight: number;
  cycles: number;
  transitionsPerSec: number;
  transition: Summary;
  failed: number;
}

const ms = (iso: string | null): number => (iso ? Date.parse(iso) : Number.NaN);

export async function benchOrchestration(cyclesPerStep: number, log: (s: string) => void): Promise<OrchestrationRow[]> {
  const rows: OrchestrationRow[] = [];
  for (const workers of [1, 2]) {
    const stack = await startStack({
      workers: Array.from({ length: workers }, () => 'all'),
      apiEnv: { KTRDR_MAX_CONCURRENT_CYCLES: '50', KTRDR_RATE_LIMIT: '0' },
      workerEnv: { KTRDR_STUB_WORKERS: 'true', KTRDR_STUB_DELAY_MS: '0', KTRDR_PHASE_CONCURRENCY: '50', KTRDR_ORCHESTRATOR_CONCURRENCY: '50' },
    });
    const store = new OperationsStore(stack.redis, stack.prefix);
    try {
      for (const inFlight of [1, 10, 50]) {
        const total = Math.max(cyclesPerStep, inFlight * 2);
        log(`  orchestration: ${workers} worker process(es), ${inFlight} in flight, ${total} cycles`);
        const ids: string[] = [];
        let next = 0;
        const started = Date.now();
        const lane = async (): Promise<void> => {
          while (next < total) {
            next++;
            const res = await stack.request<{ operation_id?: string }>('POST', '/agent/trigger', {});
            if (res.status !== 202 || !res.body.operation_id) {
              next--;
              await sleep(5);
              continue;
            }
            const id = res.body.operation_id;
            ids.push(id);
            for (;;) {
              const op = await store.get(id);
              if (!op || TERMINAL.has(op.status)) break;
              await sleep(2);
            }
          }
        };
        await Promise.all(Array.from({ length: inFlight }, () => lane()));
        const elapsed = (Date.now() - started) / 1000;
        const samples: number[] = [];
        let failed = 0;
        for (const id of ids) {
          const parent = await store.get(id);
          if (!parent || parent.status !== 'completed') {
            failed++;
            continue;
          }
          const kids = (await Promise.all(PHASES.map((p) => store.get(String(parent.metadata.parameters[CHILD_KEY[p]]))))) as OperationInfo[];
          for (let i = 0; i + 1 < kids.length; i++) samples.push(ms(kids[i + 1]!.started_at) - ms(kids[i]!.completed_at));
          samples.push(ms(parent.completed_at) - ms(kids[kids.length - 1]!.completed_at));
        }
        rows.push({ workers, inFlight, cycles: ids.length, transitionsPerSec: samples.length / elapsed, transition: summarize(samples), failed });
      }
    } finally {
      await stack.stop();
    }
  }
  return rows;
}

export function renderOrchestration(rows: OrchestrationRow[]): string {
  return [
    '### Orchestration throughput (zero-delay stub cycles, capacity 50)',
    '',
    'Transitions: child done → next child started, and assessment done → cycle completed, from the records (ms).',
    '',
    '| worker processes | cycles in flight | cycles | transitions/s | p50 | p95 | p99 | max | not completed |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.workers} | ${r.inFlight} | ${r.cycles} | ${r.transitionsPerSec.toFixed(0)} | ${r.transition.p50} | ${r.transition.p95} | ${r.transition.p99} | ${r.transition.max} | ${r.failed} |`,
    ),
  ].join('\n');
}
