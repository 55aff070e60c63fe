import { SYMBOL, TIMEFRAMES } from '@ktrdr/agent-domain';
import { z } from 'zod';

/**
 * `POST /data/import`: the CSV travels as text in a JSON body, so the API's body limit
 * (KTRDR_BODY_LIMIT, default 100kb) caps the file size; raise it for larger files (e.g. 20mb).
 */
export const importBodySchema = z
  .object(
    {
      symbol: z.string({ message: 'expected a string' }).regex(SYMBOL, 'expected 1-32 letters, digits, ^ . _ -'),
      timeframe: z.enum(TIMEFRAMES, { message: `expected one of ${TIMEFRAMES.join(', ')}` }),
      csv: z.string({ message: 'expected the CSV text as a string' }).min(1, 'the CSV is empty'),
    },
    { message: 'expected a JSON object' },
  )
  .strict();

export type ImportBody = z.infer<typeof importBodySchema>;
