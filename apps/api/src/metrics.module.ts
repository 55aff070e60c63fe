import { QUEUE_NAMES } from '@ktrdr/queues';
import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { PrometheusModule, getToken, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { Gauge, register } from 'prom-client';
import { Backend } from './backend.service.js';

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

export const CYCLES_TOTAL = 'agent_cycles_total';

/**
 * Prometheus `/metrics` at the API root (outside /api/v1, open like health), with
 * process defaults. Cycle outcomes that happen in workers (completed, failed) are counted by the
 * workers' /metrics; a cycle the user cancels ends here, in the API, so this process counts those.
 * Prometheus sums `agent_cycles_total` over every target (docs/ARCHITECTURE.md).
 */
@Module({
  imports: [PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true } })],
  providers: [makeCounterProvider({ name: CYCLES_TOTAL, help: 'Research cycles that reached a terminal status, by outcome', labelNames: ['outcome'] })],
  exports: [getToken(CYCLES_TOTAL)],
})
export class MetricsModule {}

/** Queue depths per queue and state, read from Redis when Prometheus scrapes (never polled in the background). */
@Injectable()
export class QueueDepthMetrics implements OnModuleInit {
  constructor(private readonly backend: Backend) {}

  onModuleInit(): void {
    const backend = this.backend;
    register.removeSingleMetric('agent_queue_jobs');
    new Gauge({
      name: 'agent_queue_jobs',
      help: 'BullMQ jobs per queue and state, read at scrape time',
      labelNames: ['queue', 'state'],
      async collect() {
        const counts = await backend.producer.counts().catch(() => null);
        // Without Redis the depths are unknown: left out, rather than the last values read.
        if (!counts) return void this.reset();
        for (const q of QUEUE_NAMES) for (const s of JOB_STATES) this.set({ queue: q, state: s }, counts[q]?.[s] ?? 0);
      },
    });
  }
}
