import { QueueName, QueueProducer, type QueueSet, type TypedQueue } from '@ktrdr/queues';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';

/**
 * The API's typed producer over the queues AppModule registers through BullModule: the
 * queues are made by @nestjs/bullmq from the one `queueOptions` helper the worker uses too, and
 * closed by it at shutdown — so this producer owns none and its `close` closes nothing. The rest of
 * the API sees only `QueueProducer` (AppModule binds this class to that token).
 */
@Injectable()
export class ApiQueueProducer extends QueueProducer {
  constructor(
    @InjectQueue(QueueName.Research) research: TypedQueue<'research'>,
    @InjectQueue(QueueName.Design) design: TypedQueue<'design'>,
    @InjectQueue(QueueName.Training) training: TypedQueue<'training'>,
    @InjectQueue(QueueName.Backtest) backtest: TypedQueue<'backtest'>,
    @InjectQueue(QueueName.Assessment) assessment: TypedQueue<'assessment'>,
    @InjectQueue(QueueName.Fold) fold: TypedQueue<'fold'>,
  ) {
    // One entry per contract name: a queue added to QueueName fails to compile here until it is injected.
    const queues: QueueSet = { research, design, training, backtest, assessment, fold };
    super((name) => queues[name]);
  }
}
