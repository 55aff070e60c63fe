import { createLogger } from '@ktrdr/runtime';
import { Module } from '@nestjs/common';
import { AgentController } from './agent.controller.js';
import { AgentService } from './agent.service.js';
import { API_CONFIG, loadApiConfig, type ApiConfig } from './api.config.js';
import { API_LOGGER, Backend } from './backend.service.js';
import { HealthController } from './health.controller.js';
import { OperationsController } from './operations.controller.js';

@Module({
  controllers: [OperationsController, AgentController, HealthController],
  providers: [
    { provide: API_CONFIG, useFactory: () => loadApiConfig() },
    { provide: API_LOGGER, inject: [API_CONFIG], useFactory: (c: ApiConfig) => createLogger('api', c.logLevel) },
    Backend,
    AgentService,
  ],
})
export class AppModule {}
