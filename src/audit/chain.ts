import { createHash } from 'node:crypto';
import { canonicalJson, type JsonValue } from './canonical.js';

/** The fields of an audit event that its hash covers. */
export interface AuditRecord {
  seq: bigint;
  type: string;
  actor: string;
  tenantId: string | null;
  subject: string | null;
  attestationUid: string | null;
  /** Exactly the JSON value stored in the row (see toJsonValue). */
  payload: JsonValue;
  createdAt: Date;
  /** Which rule hashed the event: 1 for events written by Custos 0.1, 2 since. */
  hashVersion: number;
}

/** The rule every new event is hashed with. */
export const CURRENT_HASH_VERSION = 2;

/** The previous hash of the first event. */
export const GENESIS_HASH = Buffer.alloc(32);

/**
 * The canonical JSON (RFC 8785) an event's hash covers. Version 2 includes `hashVersion` itself, so an event cannot
 * be relabelled as version 1 to fall under the legacy rule; version 1 is the same object without it.
 */
export function canonicalRecord(record: AuditRecord): string {
  return canonicalJson({
    ...(record.hashVersion === 1 ? {} : { hashVersion: record.hashVersion }),
    seq: record.seq.toString(),
    type: record.type,
    actor: record.actor,
    tenantId: record.tenantId,
    subject: record.subject,
    attestationUid: record.attestationUid,
    payload: record.payload,
    createdAt: record.createdAt.toISOString(),
  });
}

/** h_i = SHA-256(h_{i-1} || canonical(event_i)). */
export function chainHash(prevHash: Uint8Array, record: AuditRecord): Buffer {
  return createHash('sha256').update(prevHash).update(canonicalRecord(record)).digest();
}
