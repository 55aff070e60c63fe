import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { BullBoardModule } from '@bull-board/nestjs';
import { MarketDataRepository } from '@ktrdr/market-data';
import { BlobStore } from '@ktrdr/operations';
import { QUEUE_NAMES, QueueProducer, producerConnection, queueOptions } from '@ktrdr/queues';
import { createLogger, openFailFastRedis } from '@ktrdr/runtime';
import { StrategyStore } from '@ktrdr/strategies';
import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LoggerModule } from 'nestjs-pino';
import { AgentController } from './agent.controller.js';
import { CampaignsController } from './campaigns.controller.js';
import { CampaignsService } from './campaigns.service.js';
import { QUEUE_DASHBOARD_PATH } from './access.policy.js';
import { AgentService } from './agent.service.js';
import { ArtifactsController } from './artifacts.controller.js';
import { ArtifactsService } from './artifacts.service.js';
import { API_CONFIG, type ApiConfig } from './api.config.js';
import { API_LOGGER, API_REDIS, Backend } from './backend.service.js';
import { DataController } from './data.controller.js';
import { DataDirectoryImport } from './data-directory.import.js';
import { EventsController } from './events.controller.js';
import { EventsService } from './events.service.js';
import { AuthModule } from './auth.module.js';
import { HealthController } from './health.controller.js';
import { MetricsModule, QueueDepthMetrics } from './metrics.module.js';
import { OperationsController } from './operations.controller.js';
import { ApiQueueProducer } from './queues.producer.js';
import { StrategiesController } from './strategies.controller.js';
import { StrategyImportService } from './strategy-import.service.js';

/** Built from the configuration `main` already validated, so the environment is parsed once. */
@Module({})
export class AppModule {
  static forConfig(config: ApiConfig): DynamicModule {
    const logger = createLogger('api', config.logLevel);
    return {
      module: AppModule,
      imports: [
        AuthModule.forConfig(config),
        MetricsModule,
        // useExisting: http.app.ts logs requests itself (before the token check, so refusals are logged
        // too). No routes: nestjs-pino's per-request binding is a middleware holding an
        // AsyncLocalStorage, which puts a hook on every promise of every request; the request's
        // operation id is on its log line already, and Nest logs nothing per request.
        LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true, forRoutes: [] }),
        // The same queue options as the worker's (queueOptions, libs/queues): one prefix, one set of job defaults.
        BullModule.forRootAsync({ useFactory: () => queueOptions(producerConnection(config.redisUrl), config.prefix) }),
        // Every queue of the contract: the API produces to research and shows all of them (health, metrics, bull-board).
        BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
        // The queue dashboard at /admin/queues over those same registered queues (outside /api/v1, behind the token);
        // read-only unless KTRDR_DASHBOARD_ACTIONS is set (the access hook refuses its writes as well).
        BullBoardModule.forRoot({ route: QUEUE_DASHBOARD_PATH, adapter: BullBoardFastifyAdapter }),
        BullBoardModule.forFeature(...QUEUE_NAMES.map((name) => ({ name, adapter: BullMQAdapter, options: { readOnlyMode: !config.dashboardActions } }))),
      ],
      controllers: [
        OperationsController,
        ArtifactsController,
        EventsController,
        AgentController,
        CampaignsController,
        HealthController,
        DataController,
        StrategiesController,
      ],
      providers: [
        { provide: API_CONFIG, useValue: config },
        { provide: API_LOGGER, useValue: logger },
        // A factory, not the Backend constructor, opens the connection (providers do no I/O when built).
        {
          provide: API_REDIS,
          useFactory: () => {
            const redis = openFailFastRedis(config.redisUrl, 'ktrdr-api');
            redis.on('error', (e: Error) => logger.warn({ err: e.message }, 'redis connection error'));
            return redis;
          },
        },
        // Imports go to the blob store (every worker reads them there); KTRDR_DATA_DIR is only read, and imported at start.
        { provide: MarketDataRepository, inject: [BlobStore], useFactory: (blobs: BlobStore) => new MarketDataRepository({ dataDir: config.dataDir, blobs }) },
        // The store of record for what phases hand each other (strategies, assessments…): Redis, on the API's connection.
        { provide: BlobStore, inject: [API_REDIS], useFactory: (r: Redis) => new BlobStore(r, config.prefix, { ttlSeconds: config.artifacts.ttlSeconds }) },
        // The strategies directory is imported into the store as the API starts (StrategyImportService).
        {
          provide: StrategyStore,
          inject: [BlobStore],
          useFactory: (blobs: BlobStore) => new StrategyStore(config.strategiesDir, { blobs, warn: (fields, msg) => logger.warn(fields, msg) }),
        },
        StrategyImportService,
        { provide: QueueProducer, useClass: ApiQueueProducer },
        Backend,
        AgentService,
        CampaignsService,
        ArtifactsService,
        EventsService,
        QueueDepthMetrics,
        DataDirectoryImport,
      ],
    };
  }
}
