import { z } from 'zod';
import { AUDIT_EVENT_TYPES, type AuditEventType } from './auditEventTypes.js';
import { address, instant, sequenceNumber, uid } from './primitives.js';
import { reasonCode } from './revocations.js';

export const auditEventType = z.enum(Object.keys(AUDIT_EVENT_TYPES) as [AuditEventType, ...AuditEventType[]]);

const filterShape = {
  subject: address.optional(),
  reasonCode: reasonCode
    .optional()
    .describe('events whose payload carries this reason code (revocations, holds)'),
  type: auditEventType.optional(),
  attestationUid: uid.optional(),
  tenantId: z.uuid({ message: 'must be a tenant id (uuid)' }).optional(),
  from: instant.optional().describe('inclusive'),
  to: instant.optional().describe('exclusive'),
};
const rangeIsOrdered = (q: { from?: Date; to?: Date }) => !q.from || !q.to || q.from < q.to;

export const auditEventsQuery = z
  .object({
    ...filterShape,
    cursor: sequenceNumber.optional().describe('the nextCursor of the previous page'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict()
  .refine(rangeIsOrdered, { message: 'from must be before to', path: ['from'] });

export const auditExportQuery = z
  .object({ ...filterShape, format: z.enum(['jsonl', 'csv']).default('jsonl') })
  .strict()
  .refine(rangeIsOrdered, { message: 'from must be before to', path: ['from'] });

/** An audit event with its hashes in hex, so anyone can recompute the chain. */
export const auditEvent = z
  .object({
    seq: z.string(),
    type: z.string(),
    actor: z.string(),
    tenantId: z.string().nullable(),
    subject: z.string().nullable(),
    attestationUid: z.string().nullable(),
    payload: z.unknown(),
    createdAt: z.string(),
    hashVersion: z.number().int(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEvent' });

export const auditEventPage = z.object({ events: z.array(auditEvent), nextCursor: z.string().nullable() });

export const auditEventParams = z.object({ seq: sequenceNumber });

/** Where an event is anchored on-chain, with its RFC 9162 inclusion proof; null until anchored. */
export const anchorProof = z
  .object({
    batch: z.number().int(),
    firstSeq: z.string(),
    lastSeq: z.string(),
    leafIndex: z.number().int(),
    treeSize: z.number().int(),
    root: z.string(),
    txHash: z.string().nullable(),
    contract: z.string().nullable(),
    proof: z.array(z.string()),
  })
  .nullable()
  .meta({ id: 'AnchorProof' });

export const auditEventWithAnchor = auditEvent.extend({ anchor: anchorProof });

/** The audit log's head as the service signed it: save one to prove later that the log was not cut after it. */
export const signedCheckpoint = z
  .object({
    seq: z.string().regex(/^[1-9]\d{0,18}$/, { message: 'must be an event sequence number' }),
    head: z.string().regex(/^0x[0-9a-f]{64}$/, { message: 'must be 0x and 64 lower-case hex digits' }),
    signedAt: z
      .number()
      .int()
      .min(0)
      .max(2 ** 40),
    chainId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    gatekeeper: z.string().regex(/^0x[0-9a-fA-F]{40}$/, { message: 'must be a 0x address' }),
    signer: z.string().regex(/^0x[0-9a-fA-F]{40}$/, { message: 'must be a 0x address' }),
    signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, { message: 'must be a 65-byte 0x signature' }),
    reason: z.enum(['interval', 'anchor']),
    anchorBatch: z.number().int().min(0).nullable(),
  })
  .strict()
  .meta({ id: 'SignedCheckpoint' });

export const savedCheckpointVerification = z
  .object({
    ok: z.boolean(),
    signatureValid: z.boolean(),
    signerTrusted: z.boolean().nullable().describe('null: the chain could not be asked'),
    message: z.string(),
  })
  .meta({ id: 'SavedCheckpointVerification' });

const chainBreak = z.object({
  seq: z.string(),
  reason: z.enum(['gap', 'prev-hash-mismatch', 'hash-mismatch']),
  message: z.string(),
});

/** The whole audit check: hash chain (every broken link), on-chain anchors, signed checkpoints, and their reach. */
export const auditVerification = z
  .object({
    ok: z.boolean(),
    checked: z.number().int(),
    lastSeq: z.string().nullable(),
    headHash: z.string().nullable(),
    breakCount: z.number().int(),
    breaks: z.array(chainBreak),
    firstBreak: chainBreak.optional(),
    legacyEncoded: z
      .number()
      .int()
      .describe('version-1 events that match only under the documented 0.1 encoding'),
    anchors: z
      .object({
        ok: z.boolean(),
        batches: z.number().int(),
        firstMismatch: z
          .object({
            batch: z.number().int(),
            reason: z.enum(['events-missing', 'root-mismatch']),
            message: z.string(),
          })
          .optional(),
      })
      .optional(),
    checkpoints: z.object({
      ok: z.boolean(),
      checked: z.number().int(),
      mismatchCount: z.number().int(),
      mismatches: z.array(z.object({ seq: z.string(), message: z.string() })),
      latest: signedCheckpoint
        .extend({ signatureValid: z.boolean(), signerTrusted: z.boolean().nullable() })
        .nullable(),
    }),
    coverage: z.object({
      head: z.string().nullable(),
      anchoredThroughSeq: z.string().nullable(),
      checkpointedThroughSeq: z.string().nullable(),
    }),
  })
  .meta({ id: 'AuditVerification' });

export const auditStatus = z
  .object({
    events: z.object({ head: z.string() }),
    anchoring: z.object({
      enabled: z.boolean(),
      batches: z.number().int(),
      anchoredThroughSeq: z.string(),
      pending: z.string(),
      lastAnchoredAt: z.string().nullable(),
    }),
    indexer: z.object({ indexedThroughBlock: z.number().int().nullable(), updatedAt: z.string().nullable() }),
    checkpoints: z.object({
      intervalSeconds: z.number().int(),
      latest: signedCheckpoint.nullable(),
      recent: z.array(signedCheckpoint),
    }),
  })
  .meta({ id: 'AuditStatus' });

export const chainEventsQuery = z
  .object({ subject: address.optional(), attestationUid: uid.optional() })
  .strict()
  .refine((q) => q.subject || q.attestationUid, { message: 'give a subject or an attestationUid' });

export const chainEvents = z.object({
  events: z.array(
    z.object({
      blockNumber: z.number().int(),
      txHash: z.string(),
      logIndex: z.number().int(),
      contract: z.string(),
      event: z.string(),
      attestationUid: z.string().nullable(),
      subject: z.string().nullable(),
      args: z.record(z.string(), z.unknown()),
      blockTime: z.string(),
    }),
  ),
});

export const DISAGREEMENT_KINDS = [
  'revoked-not-on-chain',
  'revoked-on-chain-only',
  'unknown-attestation',
  'unknown-issuance-root',
  'unknown-root',
  'unknown-signer',
] as const;

export const reconciliation = z
  .object({
    indexedThroughBlock: z.number().int().nullable(),
    disagreements: z.array(
      z.object({
        kind: z.enum(DISAGREEMENT_KINDS),
        ref: z.string(),
        message: z.string(),
        txHash: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'Reconciliation' });
