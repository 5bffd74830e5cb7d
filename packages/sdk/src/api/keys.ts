import { z } from 'zod';
import { kmsKeyId } from './primitives.js';

export const keyView = z
  .object({
    address: z.string(),
    backend: z.string(),
    keyRef: z.string(),
    status: z.enum(['staged', 'active', 'retiring']).or(z.string()),
    validFrom: z.string(),
    validUntil: z.string().nullable(),
    onChain: z.object({ validFrom: z.number().int(), validUntil: z.string() }).nullable(),
  })
  .meta({ id: 'SigningKey' });
export const keyList = z.object({ keys: z.array(keyView) });

export const rotateRequest = z
  .object({
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(86_400),
    kmsKeyId: kmsKeyId.optional(),
  })
  .strict()
  .meta({ id: 'RotateRequest' });

export const rotateResult = z
  .object({
    previous: z.string(),
    current: z.string(),
    overlapEndsAt: z.string(),
    resumed: z
      .literal(true)
      .optional()
      .describe('this call completed a rotation an earlier one left under way'),
  })
  .meta({ id: 'RotateResult' });
