import { z } from 'zod';
import { text } from './primitives.js';
import { reasonCode } from './revocations.js';

/** `custos emergency pause|unpause`: why, for the audit log. */
export const emergencyRequest = z
  .object({ reasonCode: reasonCode.default('OTHER'), reason: text(3, 500) })
  .strict()
  .meta({
    id: 'EmergencyRequest',
    example: { reasonCode: 'OTHER', reason: 'signing key suspected compromised; investigating' },
  });

/** The emergency stop as every replica applies it, and how far the gatekeeper's own switch followed. */
export const emergencyState = z
  .object({
    paused: z.boolean().describe('while true, POST /v1/attest and POST /v1/credentials answer 503 PAUSED'),
    reasonCode: reasonCode.nullable(),
    reason: z.string().nullable(),
    changedBy: z.string().nullable(),
    changedAt: z.string().nullable(),
    chain: z.object({
      paused: z.boolean().nullable().describe("the gatekeeper's paused() as last seen (null: not yet read)"),
      txHash: z.string().nullable().describe('the transaction that last changed it'),
      error: z.string().nullable().describe('why the gatekeeper does not follow yet (retried every 15 s)'),
    }),
  })
  .meta({ id: 'EmergencyState' });
