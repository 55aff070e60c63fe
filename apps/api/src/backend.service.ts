import { messageOf } from '@ktrdr/errors';
import { CancelChannel, OperationsStore, cancelAndAnnounce, type CancelOutcome } from '@ktrdr/operations';
import { QueueProducer } from '@ktrdr/queues';
import { closeRedis, type Logger } from '@ktrdr/runtime';
import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { Redis } from 'ioredis';
import { API_CONFIG, type ApiConfig } from './api.config.js';

export const API_LOGGER = Symbol('API_LOGGER');
/** The API's command connection to Redis (made by a factory in AppModule, closed here). */
export const API_REDIS = Symbol('API_REDIS');

/** The API's connections to Redis: the operation store, the queue producer and the cancel channel. */
@Injectable()
export class Backend implements OnApplicationShutdown {
  readonly store: OperationsStore;
  private readonly cancelChannel: CancelChannel;

  constructor(
    @Inject(API_CONFIG) readonly config: ApiConfig,
    @Inject(API_LOGGER) readonly log: Logger,
    @Inject(API_REDIS) readonly redis: Redis,
    // Over the queues registered through BullModule (ApiQueueProducer): @nestjs/bullmq closes them, not Backend.
    readonly producer: QueueProducer,
    @Optional() @InjectMetric('agent_cycles_total') private readonly cycles?: Counter<'outcome'>,
  ) {
    this.store = new OperationsStore(this.redis, config.prefix);
    this.cancelChannel = new CancelChannel(config.prefix);
  }

  /** A cancel's two steps — the atomic tree cancel in the store, then the pub/sub message — through the one shared implementation (cancelAndAnnounce, libs/operations). */
  async cancel(operationId: string, reason: string, source: string): Promise<CancelOutcome> {
    const outcome = await cancelAndAnnounce(this.store, this.cancelChannel, this.redis, operationId, { reason, childReason: 'Parent cancelled', source }, (e) =>
      this.log.warn({ err: messageOf(e), operation_id: operationId }, 'cancel published late: workers will see the durable status'),
    );
    if (outcome.operation.operation_type === 'agent_research') this.cycles?.inc({ outcome: 'cancelled' });
    this.log.info({ operation_id: operationId, children: outcome.children_cancelled, source }, 'operation cancelled');
    return outcome;
  }

  async onApplicationShutdown(): Promise<void> {
    await closeRedis(this.redis);
  }
}
