import type { Database } from '../db/index.js';

export type DisagreementKind =
  | 'revoked-not-on-chain'
  | 'revoked-on-chain-only'
  | 'unknown-attestation'
  | 'unknown-issuance-root'
  | 'unknown-root'
  | 'unknown-signer';

export interface Disagreement {
  kind: DisagreementKind;
  /** The uid, root or address concerned. */
  ref: string;
  message: string;
  txHash: string | null;
}

export interface Reconciliation {
  /** The last block the indexer has read: later on-chain changes are not reflected yet. */
  indexedThroughBlock: number | null;
  disagreements: Disagreement[];
}

/** One check: a SQL query over the database and the indexed events, and how to word each row it finds. */
interface Check {
  kind: DisagreementKind;
  sql: string;
  message: (row: { ref: string; detail: string | null }) => string;
}

const CHECKS: Check[] = [
  {
    kind: 'revoked-not-on-chain',
    sql: `SELECT a.uid AS ref, a.revoked_at::text AS detail, a.revoke_tx AS tx_hash
            FROM attestations a
           WHERE a.status = 'revoked' AND a.format IN ('eip712', 'eip712-batch')
             AND NOT EXISTS (SELECT 1 FROM chain_events e
                              WHERE e.event = 'AttestationRevoked' AND e.attestation_uid = a.uid)
           ORDER BY a.revoked_at`,
    message: (r) => `attestation ${r.ref} was revoked in the database at ${r.detail} but not on-chain`,
  },
  {
    kind: 'revoked-on-chain-only',
    sql: `SELECT e.attestation_uid AS ref, a.status::text AS detail, e.tx_hash
            FROM chain_events e LEFT JOIN attestations a ON a.uid = e.attestation_uid
           WHERE e.event = 'AttestationRevoked' AND (a.uid IS NULL OR a.status <> 'revoked')
           ORDER BY e.block_number, e.log_index`,
    message: (r) =>
      `attestation ${r.ref} was revoked on-chain but is ${r.detail ?? 'unknown'} in the database`,
  },
  {
    kind: 'unknown-attestation',
    sql: `SELECT e.attestation_uid AS ref, e.args->>'signer' AS detail, e.tx_hash
            FROM chain_events e
           WHERE e.event = 'AttestationSubmitted'
             AND NOT EXISTS (SELECT 1 FROM attestations a WHERE a.uid = e.attestation_uid)
           ORDER BY e.block_number, e.log_index`,
    message: (r) =>
      `attestation ${r.ref} was used on-chain, signed by ${r.detail}, but the service never issued it`,
  },
  {
    // A credential issuance root the service never built makes whoever built it able to prove any credential.
    kind: 'unknown-issuance-root',
    sql: `SELECT e.args->>'root' AS ref, e.args->>'signer' AS detail, e.tx_hash
            FROM chain_events e
           WHERE e.event = 'IssuanceRootSubmitted'
             AND NOT EXISTS (SELECT 1 FROM zk_issuance_roots r WHERE r.root = e.args->>'root')
           ORDER BY e.block_number, e.log_index`,
    message: (r) =>
      `issuance root ${r.ref} was accepted on-chain, signed by ${r.detail}, but the service never built it`,
  },
  {
    kind: 'unknown-root',
    sql: `SELECT e.args->>'root' AS ref, e.args->>'epoch' AS detail, e.tx_hash
            FROM chain_events e
           WHERE e.event = 'RevocationRootPublished'
             AND NOT EXISTS (SELECT 1 FROM revocation_roots r
                              WHERE r.epoch = (e.args->>'epoch')::bigint AND r.root = e.args->>'root')
           ORDER BY e.block_number, e.log_index`,
    message: (r) =>
      `revocation root ${r.ref} (epoch ${r.detail}) is on-chain but the service did not publish it`,
  },
  {
    // A signer's standing is its latest event: added or changed (trusted) or removed. Only signers still trusted
    // on-chain that no signing key row accounts for disagree.
    kind: 'unknown-signer',
    sql: `SELECT latest.ref, latest.detail, latest.tx_hash FROM (
            SELECT DISTINCT ON (lower(e.args->>'signer')) e.args->>'signer' AS ref, e.event AS detail, e.tx_hash
              FROM chain_events e
             WHERE e.event IN ('SignerUpdated', 'SignerRemoved')
             ORDER BY lower(e.args->>'signer'), e.block_number DESC, e.log_index DESC) latest
           WHERE latest.detail = 'SignerUpdated'
             AND NOT EXISTS (SELECT 1 FROM signing_keys k WHERE lower(k.address) = lower(latest.ref))
           ORDER BY latest.ref`,
    message: (r) => `signer ${r.ref} is trusted by the gatekeeper but the service does not know it`,
  },
];

/** Everything the database and the chain (as indexed) disagree on: each check is one query. */
export async function reconcile(db: Database): Promise<Reconciliation> {
  const cursor = await db.chainCursor.findUnique({ where: { name: 'contracts' } });
  const disagreements: Disagreement[] = [];
  for (const check of CHECKS) {
    const { rows } = await db.pool.query<{ ref: string; detail: string | null; tx_hash: string | null }>(
      check.sql,
    );
    for (const row of rows) {
      disagreements.push({
        kind: check.kind,
        ref: row.ref,
        message: check.message(row),
        txHash: row.tx_hash,
      });
    }
  }
  return { indexedThroughBlock: cursor ? Number(cursor.blockNumber) : null, disagreements };
}
