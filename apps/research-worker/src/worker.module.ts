import { createLogger } from '@ktrdr/runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config.js';
import { WORKER_LOGGER, WorkerHost } from './worker.host.js';

/** Built from the configuration `main` already validated, so the environment is parsed once. */
@Module({})
export class WorkerModule {
  static forConfig(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      providers: [
        { provide: WORKER_CONFIG, useValue: config },
        { provide: WORKER_LOGGER, useValue: createLogger('research-worker', config.logLevel) },
        WorkerHost,
      ],
    };
  }
}
