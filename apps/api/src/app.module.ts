import { MarketDataRepository } from '@ktrdr/market-data';
import { createLogger } from '@ktrdr/runtime';
import { StrategyStore } from '@ktrdr/strategies';
import { Module, type DynamicModule } from '@nestjs/common';
import { AgentController } from './agent.controller.js';
import { AgentService } from './agent.service.js';
import { ArtifactsController } from './artifacts.controller.js';
import { ArtifactsService } from './artifacts.service.js';
import { API_CONFIG, type ApiConfig } from './api.config.js';
import { API_LOGGER, Backend } from './backend.service.js';
import { DataController } from './data.controller.js';
import { EventsController } from './events.controller.js';
import { EventsService } from './events.service.js';
import { HealthController } from './health.controller.js';
import { OperationsController } from './operations.controller.js';
import { StrategiesController } from './strategies.controller.js';

/** Built from the configuration `main` already validated, so the environment is parsed once. */
@Module({})
export class AppModule {
  static forConfig(config: ApiConfig): DynamicModule {
    return {
      module: AppModule,
      controllers: [OperationsController, ArtifactsController, EventsController, AgentController, HealthController, DataController, StrategiesController],
      providers: [
        { provide: API_CONFIG, useValue: config },
        { provide: API_LOGGER, useValue: createLogger('api', config.logLevel) },
        { provide: MarketDataRepository, useValue: new MarketDataRepository({ dataDir: config.dataDir }) },
        { provide: StrategyStore, useValue: new StrategyStore(config.strategiesDir) },
        Backend,
        AgentService,
        ArtifactsService,
        EventsService,
      ],
    };
  }
}
