import type pg from 'pg';
import { appendAuditEvents, placeholders, type AuditEventInput } from '../audit/index.js';
import { GroupCommit, type Database } from '../db/index.js';
import { assertIssuingOpen } from '../emergency/index.js';
import { lockAndFindHeld } from '../screening/index.js';
import type { Eip712Attestation, Eip712BatchAttestation, SignedDelegation } from '../issuer/index.js';

/**
 * One decision to make durable: its audit event, and the attestation or the countersigned delegation when it passed.
 * A delegation is an attestation row too (its subject the principal), so it is listed, revoked and reconciled like
 * one; its terms and the principal's signature go to `delegations`.
 */
export interface IssuanceEntry {
  audit: AuditEventInput;
  attestation?: { tenantId: string; idempotencyKey: string | null; value: Eip712Attestation };
  delegation?: { tenantId: string; value: SignedDelegation };
}

export const ATTESTATION_COLUMNS = [
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
  'batch_root',
  'batch_proof',
];

const DELEGATION_COLUMNS = ['uid', 'agent', 'permissions', 'spend_cap', 'principal_signature'];

export async function insertRows(client: pg.PoolClient, table: string, columns: string[], rows: unknown[][]) {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${placeholders(rows.length, columns.length)}`,
    rows.flat(),
  );
}

function delegationAsAttestation(tenantId: string, d: SignedDelegation): unknown[] {
  return [
    d.uid,
    tenantId,
    'eip712',
    d.policy,
    d.message.policyId,
    d.principal,
    new Date(d.issuedAt * 1000),
    new Date(d.expiresAt * 1000),
    d.signer,
    d.signature,
    d.domain.chainId,
    d.domain.verifyingContract,
    null,
    null,
    null,
    null,
    null,
    null,
  ];
}

/**
 * An issued attestation's row in ATTESTATION_COLUMNS order (a batch attestation has no signature of its own: its
 * root's is in attestation_batches).
 */
export function attestationRow(
  tenantId: string,
  idempotencyKey: string | null,
  a: Eip712Attestation | Eip712BatchAttestation,
): unknown[] {
  const batch = a.format === 'eip712-batch' ? a.batch : undefined;
  const action = a.format === 'eip712' ? a.action : undefined;
  return [
    a.uid,
    tenantId,
    a.format,
    a.policy,
    a.message.policyId,
    a.subject,
    new Date(a.issuedAt * 1000),
    new Date(a.expiresAt * 1000),
    a.signer,
    a.format === 'eip712' ? a.signature : '',
    a.domain.chainId,
    a.domain.verifyingContract,
    idempotencyKey,
    action?.target ?? null,
    action?.selector ?? null,
    action?.argsHash ?? null,
    batch?.root ?? null,
    batch ? JSON.stringify(batch.proof) : null,
  ];
}

/** Entries that hand out something usable (a refusal is recorded whatever the emergency stop says). */
const issues = (e: IssuanceEntry) =>
  e.attestation !== undefined || e.delegation !== undefined || e.audit.type === 'attestation.issued';

/**
 * An attestation whose subject (a delegation whose principal) an officer held after it was screened: it is not
 * recorded (and its signature never leaves the process); the caller refuses the request.
 */
export class SubjectHeldSinceScreening extends Error {}

async function writeEntries(client: pg.PoolClient, entries: IssuanceEntry[]): Promise<void> {
  const attestations = entries.flatMap((e) => (e.attestation ? [e.attestation] : []));
  const delegations = entries.flatMap((e) => (e.delegation ? [e.delegation] : []));
  // A batch refused here is retried entry by entry (GroupCommit), so the others in it are still recorded.
  const held = await lockAndFindHeld(client, [
    ...attestations.map(({ tenantId, value }) => ({ subject: value.subject, tenantId })),
    ...delegations.map(({ tenantId, value }) => ({ subject: value.principal, tenantId })),
  ]);
  if (held.includes(true)) throw new SubjectHeldSinceScreening('the subject was held after it was screened');
  if (entries.some(issues)) await assertIssuingOpen(client);
  await insertRows(client, 'attestations', ATTESTATION_COLUMNS, [
    ...attestations.map(({ tenantId, idempotencyKey, value }) =>
      attestationRow(tenantId, idempotencyKey, value),
    ),
    ...delegations.map(({ tenantId, value }) => delegationAsAttestation(tenantId, value)),
  ]);
  await insertRows(
    client,
    'delegations',
    DELEGATION_COLUMNS,
    delegations.map(({ value: d }) => [
      d.uid,
      d.agent,
      JSON.stringify(d.permissions),
      d.spendCap,
      d.principalSignature,
    ]),
  );
  await appendAuditEvents(
    client,
    entries.map((e) => e.audit),
  );
}

/** The durable record of screening decisions and issued attestations, group-committed (see GroupCommit). */
export function createIssuanceLog(db: Database): GroupCommit<IssuanceEntry> {
  return new GroupCommit(db.pool, writeEntries);
}
