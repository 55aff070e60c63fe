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
export function toTrainingResult(metrics: ClassifierMetrics, ctx: TrainingResultContext): TrainingResult {
  return trainingResultSchema.parse({
    ...metrics,
    history: { loss: metrics.history.loss, val_loss: metrics.history.val_loss },
    model_path: ctx.model_path,
    symbols: ctx.symbols ?? [],
    timeframe: ctx.timeframe ?? '',
  });
}
