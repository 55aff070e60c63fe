import { trainingResultSchema, type TrainingResult } from '@ktrdr/agent-domain';
import type { ClassifierMetrics } from './classifier.types.js';

export interface TrainingResultContext {
  model_path: string;
  symbols?: string[];
  timeframe?: string;
}

/**
 * The training phase's typed result from the trainer's metrics: keeps the compact loss curves
 * (the full history, accuracies included, belongs in the `history` artifact) and checks the result
 * against the domain schema, so a renamed or non-finite metric fails here rather than at the gate.
 */
export function toTrainingResult(metrics: ClassifierMetrics, ctx: TrainingResultContext): TrainingResult & EarlyStopFacts {
  const result = trainingResultSchema.parse({
    ...metrics,
    history: { loss: metrics.history.loss, val_loss: metrics.history.val_loss },
    model_path: ctx.model_path,
    symbols: ctx.symbols ?? [],
    timeframe: ctx.timeframe ?? '',
  });
  // Added beside the schema's fields rather than into it: readers of older results (plain JSON in
  // Redis) simply do not find them, and clients then read the same facts from the curves.
  return { ...result, stopped_early: metrics.stopped_early, epochs_planned: metrics.epochs_planned };
}

/** Whether early stopping ended the training, and of how many configured epochs (`epochs_run` of `epochs_planned`). */
export interface EarlyStopFacts {
  stopped_early: boolean;
  epochs_planned: number;
}
