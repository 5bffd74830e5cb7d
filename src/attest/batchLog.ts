import type pg from 'pg';
import { appendAuditEvents, type AuditEventInput } from '../audit/index.js';
import { inTransaction, type Database } from '../db/index.js';
import { assertIssuingOpen } from '../emergency/index.js';
import { lockAndFindHeld } from '../screening/index.js';
import type { Eip712BatchAttestation } from '../issuer/index.js';
import { ATTESTATION_COLUMNS, attestationRow, insertRows } from './issuanceLog.js';

/** The unique index a second attestation under one tenant's Idempotency-Key runs into. */
export const IDEMPOTENCY_INDEX = 'attestations_tenant_id_idempotency_key_key';

/** One leaf of a batch to make durable: its attestation, who asked, and its audit event. */
export interface BatchLeafEntry {
  tenantId: string;
  idempotencyKey: string | null;
  attestation: Eip712BatchAttestation;
  audit: AuditEventInput;
}

/**
 * Inserts a keyed leaf. Another process may have issued under the same key since this one looked (the unique index
 * decides): the leaf is signed all the same, so it is still recorded, without the key, and reported as raced so its
 * caller is answered with the winner.
 */
async function insertKeyed(client: pg.PoolClient, leaf: BatchLeafEntry): Promise<boolean> {
  await client.query('SAVEPOINT keyed_leaf');
  try {
    await insertRows(client, 'attestations', ATTESTATION_COLUMNS, [
      attestationRow(leaf.tenantId, leaf.idempotencyKey, leaf.attestation),
    ]);
    await client.query('RELEASE SAVEPOINT keyed_leaf');
    return false;
  } catch (error) {
    if ((error as { constraint?: string }).constraint !== IDEMPOTENCY_INDEX) throw error;
    await client.query('ROLLBACK TO SAVEPOINT keyed_leaf');
    await insertRows(client, 'attestations', ATTESTATION_COLUMNS, [
      attestationRow(leaf.tenantId, null, leaf.attestation),
    ]);
    return true;
  }
}

/** What recording a batch came to: committed (with the leaves that lost an idempotency race), or held leaves. */
export type BatchRecording = { raced: Set<number> } | { held: number[] };

/**
 * Records a signed batch in one transaction: the batch, every leaf's attestation and every leaf's audit event (one
 * each), and `refusals` (the audit events of requests refused since they were screened). Either all of it commits or
 * none (a stopped emergency switch, a database failure): no response of the batch leaves before its whole record is
 * durable. A leaf whose subject an officer held after it was screened stops the batch: nothing is written and its
 * index is answered, for the caller to refuse it and sign the rest again (the root covering it is never handed out).
 */
export async function recordBatch(
  db: Database,
  leaves: BatchLeafEntry[],
  refusals: AuditEventInput[],
): Promise<BatchRecording> {
  return inTransaction(db, async (client) => {
    const held = await lockAndFindHeld(
      client,
      leaves.map((leaf) => ({ subject: leaf.attestation.subject, tenantId: leaf.tenantId })),
    );
    if (held.includes(true)) return { held: held.flatMap((isHeld, i) => (isHeld ? [i] : [])) };
    const raced = new Set<number>();
    if (leaves.length > 0) {
      await assertIssuingOpen(client);
      const { root, signature, size } = leaves[0]!.attestation.batch;
      await client.query(
        'INSERT INTO attestation_batches (root, signature, signer, size) VALUES ($1, $2, $3, $4)',
        [root, signature, leaves[0]!.attestation.signer, size],
      );
      await insertRows(
        client,
        'attestations',
        ATTESTATION_COLUMNS,
        leaves
          .filter((leaf) => leaf.idempotencyKey === null)
          .map((leaf) => attestationRow(leaf.tenantId, null, leaf.attestation)),
      );
      for (const [i, leaf] of leaves.entries()) {
        if (leaf.idempotencyKey !== null && (await insertKeyed(client, leaf))) raced.add(i);
      }
    }
    await appendAuditEvents(client, [...leaves.map((leaf) => leaf.audit), ...refusals]);
    return { raced };
  });
}
