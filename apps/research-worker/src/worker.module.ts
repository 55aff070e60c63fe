import { createLogger } from '@ktrdr/runtime';
import { Module } from '@nestjs/common';
import { WORKER_CONFIG, loadWorkerConfig, type WorkerConfig } from './worker.config.js';
import { WORKER_LOGGER, WorkerHost } from './worker.host.js';

@Module({
  providers: [
    { provide: WORKER_CONFIG, useFactory: () => loadWorkerConfig() },
    { provide: WORKER_LOGGER, inject: [WORKER_CONFIG], useFactory: (c: WorkerConfig) => createLogger('research-worker', c.logLevel) },
    WorkerHost,
  ],
})
export class WorkerModule {}
