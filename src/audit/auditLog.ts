import type { Database } from '../db/index.js';
import { GENESIS_HASH, chainHash, type AuditRecord } from './chain.js';

/** A Prisma interactive-transaction client: audit events are written inside the caller's transaction. */
export type Transaction = Parameters<Parameters<Database['$transaction']>[0]>[0];

export interface AuditEventInput {
  type: string;
  /** Who caused it: an API key id, `cli:<user>`, `system`, a webhook provider. */
  actor: string;
  tenantId?: string | null;
  subject?: string | null;
  attestationUid?: string | null;
  /** Decision details, reasons, list versions. No secrets and no raw personal data. */
  payload: Record<string, unknown>;
}

/** Serialises writers of the chain; any constant shared by every Custos process. */
const AUDIT_CHAIN_LOCK = 0x61756469; // "audi"

/**
 * Appends one event to the hash chain inside `tx`. The transaction-scoped advisory lock makes appends from every
 * process strictly sequential, so `seq` has no gaps and each event hashes the one before it; the event commits or
 * rolls back with the caller's own writes.
 */
export async function appendAuditEvent(tx: Transaction, input: AuditEventInput): Promise<AuditRecord> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
  const last = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
  const record: AuditRecord = {
    seq: (last?.seq ?? 0n) + 1n,
    type: input.type,
    actor: input.actor,
    tenantId: input.tenantId ?? null,
    subject: input.subject ?? null,
    attestationUid: input.attestationUid ?? null,
    payload: input.payload,
    // JavaScript dates carry milliseconds, exactly what a timestamptz(3) column keeps: the stored row rehashes the same.
    createdAt: new Date(),
  };
  const prevHash = last ? Buffer.from(last.hash) : GENESIS_HASH;
  await tx.auditEvent.create({
    data: {
      ...record,
      payload: record.payload as object,
      prevHash: new Uint8Array(prevHash),
      hash: new Uint8Array(chainHash(prevHash, record)),
    },
  });
  return record;
}

/** Appends one event in its own transaction. */
export async function recordAuditEvent(db: Database, input: AuditEventInput): Promise<AuditRecord> {
  return db.$transaction((tx) => appendAuditEvent(tx, input));
}
