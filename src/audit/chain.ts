import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.js';

/** The fields of an audit event that its hash covers. */
export interface AuditRecord {
  seq: bigint;
  type: string;
  actor: string;
  tenantId: string | null;
  subject: string | null;
  attestationUid: string | null;
  payload: unknown;
  createdAt: Date;
}

/** The previous hash of the first event. */
export const GENESIS_HASH = Buffer.alloc(32);

/** h_i = SHA-256(h_{i-1} || canonical(event_i)). */
export function chainHash(prevHash: Uint8Array, record: AuditRecord): Buffer {
  const canonical = canonicalJson({
    seq: record.seq.toString(),
    type: record.type,
    actor: record.actor,
    tenantId: record.tenantId,
    subject: record.subject,
    attestationUid: record.attestationUid,
    payload: record.payload,
    createdAt: record.createdAt.toISOString(),
  });
  return createHash('sha256').update(prevHash).update(canonical).digest();
}
