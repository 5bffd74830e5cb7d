import { z } from 'zod';
import { address, text, uid } from './primitives.js';

export const revokeRequest = z
  .object({
    target: z.union([uid, address], { message: 'must be an attestation uid or a subject address' }),
    reason: text(3, 500),
  })
  .strict()
  .meta({
    id: 'RevokeRequest',
    description:
      'A uid revokes one attestation or credential; an address revokes all of them and holds the subject.',
    example: { target: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', reason: 'identity fraud' },
  });

export const revocationRootPublication = z.object({
  epoch: z.number().int(),
  root: z.string(),
  txHash: z.string().nullable(),
  blockNumber: z.number().int().nullable(),
  credentialIds: z.array(z.number().int()),
});

export const holdView = z
  .object({
    id: z.string(),
    subject: z.string(),
    tenantId: z.string().nullable().describe('null: every tenant (placed by an admin)'),
    reason: z.string(),
    placedBy: z.string(),
    placedAt: z.string(),
    liftedAt: z.string().nullable(),
    liftedBy: z.string().nullable(),
    liftReason: z.string().nullable(),
  })
  .meta({ id: 'Hold' });

export const revokeResult = z
  .object({
    revoked: z.array(z.string()),
    credentials: z.array(z.string()),
    txHash: z.string().nullable(),
    blockNumber: z.number().int().nullable(),
    revocationRoot: revocationRootPublication.nullable(),
    hold: holdView.nullable(),
  })
  .meta({ id: 'RevokeResult' });

export const holdListQuery = z
  .object({
    subject: address.optional(),
    includeLifted: z.enum(['true', 'false']).default('false'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();
export const holdList = z.object({ holds: z.array(holdView) });
export const holdParams = z.object({ subject: address });
export const liftRequest = z
  .object({ reason: text(3, 500) })
  .strict()
  .meta({ id: 'LiftRequest' });
export const liftResult = z.object({ lifted: z.array(holdView) });
