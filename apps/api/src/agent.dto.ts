import { MODEL_CHOICES_TEXT, isValidStrategyName, resolveModel } from '@ktrdr/agent-domain';
import { TriggerRequestSchema } from '@ktrdr/api-contract';
import type { z } from 'zod';

/** The contract's trigger body plus the checks that need the domain (known model, well-formed name, not both). */
export const triggerBodySchema = TriggerRequestSchema.superRefine((b, ctx) => {
  if (b.model !== undefined && !resolveModel(b.model)) {
    ctx.addIssue({ code: 'custom', path: ['model'], message: `invalid model "${b.model}"; valid: ${MODEL_CHOICES_TEXT}` });
  }
  if (b.brief !== undefined && b.strategy !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['strategy'], message: 'give either brief or strategy, not both' });
  }
  if (b.strategy !== undefined && !isValidStrategyName(b.strategy)) {
    ctx.addIssue({ code: 'custom', path: ['strategy'], message: 'a strategy name uses only letters, digits, "_" and "-"' });
  }
});

export type TriggerBody = z.infer<typeof triggerBodySchema>;
