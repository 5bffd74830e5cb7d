import type pg from 'pg';
import { appendAuditEvents, placeholders, type AuditEventInput } from '../audit/index.js';
import { GroupCommit, type Database } from '../db/index.js';
import type { Eip712Attestation } from '../issuer/index.js';

/** One decision to make durable: its audit event, and the attestation when it passed. */
export interface IssuanceEntry {
  audit: AuditEventInput;
  attestation?: { tenantId: string; idempotencyKey: string | null; value: Eip712Attestation };
}

const COLUMNS = [
  'uid',
  'tenant_id',
  'format',
  'policy',
  'policy_id',
  'subject',
  'issued_at',
  'expires_at',
  'signer',
  'signature',
  'chain_id',
  'gatekeeper',
  'idempotency_key',
  'action_target',
  'action_selector',
  'action_args_hash',
];

async function writeEntries(client: pg.PoolClient, entries: IssuanceEntry[]): Promise<void> {
  const attestations = entries.flatMap((e) => (e.attestation ? [e.attestation] : []));
  if (attestations.length > 0) {
    const values = attestations.flatMap(({ tenantId, idempotencyKey, value: a }) => [
      a.uid,
      tenantId,
      a.format,
      a.policy,
      a.message.policyId,
      a.subject,
      new Date(a.issuedAt * 1000),
      new Date(a.expiresAt * 1000),
      a.signer,
      a.signature,
      a.domain.chainId,
      a.domain.verifyingContract,
      idempotencyKey,
      a.action?.target ?? null,
      a.action?.selector ?? null,
      a.action?.argsHash ?? null,
    ]);
    await client.query(
      `INSERT INTO attestations (${COLUMNS.join(', ')}) VALUES ${placeholders(attestations.length, COLUMNS.length)}`,
      values,
    );
  }
  await appendAuditEvents(
    client,
    entries.map((e) => e.audit),
  );
}

/** The durable record of screening decisions and issued attestations, group-committed (see GroupCommit). */
export function createIssuanceLog(db: Database): GroupCommit<IssuanceEntry> {
  return new GroupCommit(db.pool, writeEntries);
}
