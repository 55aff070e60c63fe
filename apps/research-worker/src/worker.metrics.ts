import { QUEUE_NAMES, type QueueProducer } from '@ktrdr/queues';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/**
 * The worker's metrics, counted where the events happen: the orchestrator (cycle outcomes, gates) and
 * the phase runner (phase durations, LLM usage, cancel latency). Served on the worker's health port
 * (health.server.ts). One registry per process, not prom-client's global one, so tests can build
 * several workers in one process.
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly cycles: Counter<'outcome'>;
  readonly cycleDuration: Histogram;
  readonly phaseDuration: Histogram<'phase'>;
  readonly gateResults: Counter<'gate' | 'result'>;
  readonly llmTokens: Counter<'direction'>;
  readonly llmCost: Counter;
  readonly cancelLatency: Histogram;
  /** Campaigns ended by this orchestrator, by verdict, and the trials it recorded, by outcome. */
  readonly campaigns: Counter<'verdict'>;
  readonly campaignTrials: Counter<'outcome'>;

  constructor(producer: QueueProducer | null) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.cycles = new Counter({
      name: 'agent_cycles_total',
      help: 'Research cycles that reached a terminal status, by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.cycleDuration = new Histogram({
      name: 'agent_cycle_duration_seconds',
      help: 'Research cycle wall time, start to terminal status',
      buckets: [1, 5, 15, 60, 300, 900, 1800, 3600, 7200],
      registers,
    });
    this.phaseDuration = new Histogram({
      name: 'agent_phase_duration_seconds',
      help: 'Phase (child operation) run time in this worker, claim to outcome',
      labelNames: ['phase'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800],
      registers,
    });
    this.gateResults = new Counter({ name: 'agent_gate_results_total', help: 'Quality gate decisions', labelNames: ['gate', 'result'], registers });
    this.llmTokens = new Counter({ name: 'agent_llm_tokens_total', help: 'LLM tokens used by completed phases', labelNames: ['direction'], registers });
    this.llmCost = new Counter({ name: 'agent_llm_cost_usd_total', help: 'LLM cost in USD of completed phases', registers });
    this.campaigns = new Counter({ name: 'agent_campaigns_total', help: 'Research campaigns completed, by verdict', labelNames: ['verdict'], registers });
    this.campaignTrials = new Counter({
      name: 'agent_campaign_trials_total',
      help: 'Campaign trials recorded, by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.cancelLatency = new Histogram({
      name: 'agent_cancel_latency_seconds',
      help: 'Cancel request (API) to compute stopped (worker)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    });
    if (producer) {
      // Read from Redis when Prometheus scrapes, never polled in the background.
      new Gauge({
        name: 'agent_queue_jobs',
        help: 'BullMQ jobs per queue and state, read at scrape time',
        labelNames: ['queue', 'state'],
        registers,
        async collect() {
          const counts = await producer.counts().catch(() => null);
          if (!counts) return;
          for (const q of QUEUE_NAMES) for (const s of JOB_STATES) this.set({ queue: q, state: s }, counts[q]?.[s] ?? 0);
        },
      });
    }
  }

  cycleEnded(outcome: 'completed' | 'failed' | 'cancelled', startedAt: string | null): void {
    this.cycles.inc({ outcome });
    const started = startedAt ? Date.parse(startedAt) : NaN;
    if (Number.isFinite(started)) this.cycleDuration.observe(Math.max(0, (Date.now() - started) / 1000));
  }

  llmUsage(result: Record<string, unknown>): void {
    const n = (k: string): number => (typeof result[k] === 'number' && Number.isFinite(result[k]) ? (result[k] as number) : 0);
    if (n('input_tokens') > 0) this.llmTokens.inc({ direction: 'input' }, n('input_tokens'));
    if (n('output_tokens') > 0) this.llmTokens.inc({ direction: 'output' }, n('output_tokens'));
    if (n('cost_usd') > 0) this.llmCost.inc(n('cost_usd'));
  }
}
