import { MODEL_CHOICES_TEXT, isValidStrategyName, resolveModel } from '@ktrdr/agent-domain';
import { z } from 'zod';

export const triggerBodySchema = z
  .object({
    model: z.string({ message: 'expected a string' }).max(100, 'at most 100 characters').optional(),
    brief: z.string({ message: 'expected a string' }).max(4000, 'at most 4000 characters').optional(),
    strategy: z.string({ message: 'expected a string' }).max(64, 'at most 64 characters').optional(),
    bypass_gates: z.boolean({ message: 'expected true or false' }).optional(),
  }, { message: 'expected a JSON object' })
  .strict()
  .superRefine((b, ctx) => {
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
