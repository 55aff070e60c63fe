import { createLogger } from '@ktrdr/runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import { AgentController } from './agent.controller.js';
import { AgentService } from './agent.service.js';
import { ArtifactsController } from './artifacts.controller.js';
import { ArtifactsService } from './artifacts.service.js';
import { API_CONFIG, type ApiConfig } from './api.config.js';
import { API_LOGGER, Backend } from './backend.service.js';
import { EventsController } from './events.controller.js';
import { EventsService } from './events.service.js';
import { HealthController } from './health.controller.js';
import { OperationsController } from './operations.controller.js';

/** Built from the configuration `main` already validated, so the environment is parsed once. */
@Module({})
export class AppModule {
  static forConfig(config: ApiConfig): DynamicModule {
    return {
      module: AppModule,
      controllers: [OperationsController, ArtifactsController, EventsController, AgentController, HealthController],
      providers: [
        { provide: API_CONFIG, useValue: config },
        { provide: API_LOGGER, useValue: createLogger('api', config.logLevel) },
        Backend,
        AgentService,
        ArtifactsService,
        EventsService,
      ],
    };
  }
}
