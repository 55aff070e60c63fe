import { createLogger } from '@ktrdr/runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config.js';
import { WORKER_LOGGER, WorkerHost } from './worker.host.js';

/** Built from the configuration `main` already validated, so the environment is parsed once. */
@Module({})
export class WorkerModule {
  static forConfig(config: WorkerConfig): DynamicModule {
    const logger = createLogger('research-worker', config.logLevel);
    return {
      module: WorkerModule,
      // nestjs-pino: Nest's own lines go through the same pino logger as ours (no HTTP here to log).
      imports: [LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true })],
      providers: [
        { provide: WORKER_CONFIG, useValue: config },
        { provide: WORKER_LOGGER, useValue: logger },
        WorkerHost,
      ],
    };
  }
}
