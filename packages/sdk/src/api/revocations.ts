import { z } from 'zod';
import { address, text, uid } from './primitives.js';

/** Why an officer revoked or lifted: the codes compliance reports group by (the free-text reason says more). */
export const REASON_CODES = {
  FRAUD: 'identity fraud or a fraudulent account',
  SANCTIONS_HIT: 'the subject matched a sanctions or deny list',
  KYC_EXPIRED: "the subject's KYC is no longer current",
  SUBJECT_REQUEST: 'the subject asked (closing the account, withdrawing consent)',
  COURT_ORDER: 'a court or an authority ordered it',
  OTHER: 'anything else (say what in the reason)',
} as const;
export type ReasonCode = keyof typeof REASON_CODES;
export const reasonCode = z.enum(Object.keys(REASON_CODES) as [ReasonCode, ...ReasonCode[]]).meta({
  id: 'ReasonCode',
  description: 'FRAUD, SANCTIONS_HIT, KYC_EXPIRED, SUBJECT_REQUEST, COURT_ORDER or OTHER',
});

export const revokeRequest = z
  .object({
    target: z.union([uid, address], { message: 'must be an attestation uid or a subject address' }),
    reasonCode: reasonCode.default('OTHER'),
    reason: text(3, 500),
  })
  .strict()
  .meta({
    id: 'RevokeRequest',
    description:
      'A uid revokes one attestation or credential; an address revokes all of them and holds the subject.',
    example: {
      target: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      reasonCode: 'FRAUD',
      reason: 'provider flagged the identity documents',
    },
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
    reasonCode: reasonCode,
    reason: z.string(),
    placedBy: z.string(),
    placedAt: z.string(),
    liftedAt: z.string().nullable(),
    liftedBy: z.string().nullable(),
    liftReasonCode: reasonCode.nullable(),
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
  .object({ reasonCode: reasonCode.default('OTHER'), reason: text(3, 500) })
  .strict()
  .meta({ id: 'LiftRequest' });
export const liftResult = z.object({ lifted: z.array(holdView) });

/** `custos revoke --file`: many uids or addresses, revoked in the background in batches (one transaction each). */
export const bulkRevokeRequest = z
  .object({
    targets: z
      .array(z.union([uid, address], { message: 'must be an attestation uid or a subject address' }))
      .min(1)
      .max(10_000),
    reasonCode: reasonCode.default('OTHER'),
    reason: text(3, 500),
  })
  .strict()
  .meta({ id: 'BulkRevokeRequest' });

export const bulkRevocationView = z
  .object({
    id: z.string(),
    status: z.enum(['running', 'done', 'failed']),
    total: z.number().int(),
    processed: z.number().int(),
    revoked: z.number().int().describe('targets this job revoked, held or confirmed on-chain'),
    already: z.number().int().describe('targets already revoked (and held)'),
    notFound: z.number().int().describe('uids that name nothing in the caller’s tenants'),
    transactions: z.array(z.string()),
    error: z.string().nullable(),
    reasonCode: reasonCode,
    reason: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'BulkRevocation' });
export const bulkRevocationAccepted = z.object({ bulk: bulkRevocationView });
export const bulkRevocationParams = z.object({ id: z.uuid({ message: 'must be a bulk revocation id' }) });
