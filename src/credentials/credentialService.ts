import { AbiCoder, keccak256 } from 'ethers';
import type pg from 'pg';
import { policyNamed, screenOrRefuse, type AuditedDecision, type IssuanceEntry } from '../attest/index.js';
import { appendAuditEvents } from '../audit/index.js';
import { inTransaction, type Database, type GroupCommit } from '../db/index.js';
import { CustosError, withDatabase } from '../errors/index.js';
import type { Policy } from '../screening/index.js';
import {
  TREE_LEVELS,
  credentialLeaf,
  type Credential,
  type CredentialAttributes,
  type CredentialJson,
} from '../zk/index.js';
import type { IssuanceRootPublisher } from './issuanceRoots.js';
import { lockTreeForWrite } from './trees.js';
import { assertIssuingOpen } from '../emergency/index.js';
import { credentialAttributesOf, zkPolicyOf } from './zkPolicy.js';

export interface CredentialServiceOptions {
  db: Database;
  /** Where failed screenings are audited, as for EIP-712 attestations. */
  log: GroupCommit<IssuanceEntry>;
  policies: Map<string, Policy>;
  chainId: number;
  gatekeeper: string;
  issuanceRoots: IssuanceRootPublisher;
  now?: () => Date;
}

export interface CredentialRequest {
  tenantId: string;
  actor: string;
  /** The screened address of record; it never appears in the credential. */
  subject: string;
  policy: string;
  /** Poseidon(identity secret), from the holder. */
  identityCommitment: bigint;
}

/** An issued credential: what the holder needs to prove it, with the published issuance root that holds it. */
export interface IssuedCredential {
  uid: string;
  format: 'groth16';
  credentialId: number;
  policy: string;
  subject: string;
  issuedAt: number;
  expiresAt: number;
  /** The leaf's fields, as the circuit reads them (bigints as decimal strings). */
  credential: CredentialJson;
  leaf: string;
  issuanceRoot: string;
  issuanceRootTx: string;
}

interface CredentialRow {
  id: number;
  uid: string;
  subject: string;
  policy: string;
  identity_commitment: string;
  leaf: string;
  country: number;
  birth_ymd: number;
  accredited: boolean;
  risk_tier: number;
  expires_at: Date;
  created_at: Date;
}

const CREDENTIAL_COLUMNS = `id, uid, subject, policy, identity_commitment, leaf, country, birth_ymd, accredited,
  risk_tier, expires_at, created_at`;

/**
 * Zero-knowledge credentials: screening, then a leaf in the issuance tree committing to the holder's identity
 * commitment, the policy, the expiry and the screened attributes. The leaf, its tree nodes, the new root and the
 * audit event commit together; the root is then signed and put on-chain before the credential is returned.
 */
export class CredentialService {
  private readonly now: () => Date;

  constructor(private readonly options: CredentialServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Issues a credential, or returns the holder's live one for the same policy and attributes when it has at least
   * half its lifetime left (a retried request, or a custodial holder proving again, does not grow the tree).
   */
  async issue(request: CredentialRequest): Promise<IssuedCredential> {
    const policy = policyNamed(this.options.policies, request.policy);
    const zkPolicy = zkPolicyOf(policy);
    const now = this.now();
    const { screening, decision } = await screenOrRefuse(this.options, policy, request, now);
    const attributes = credentialAttributesOf(screening.profile);
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const row = await withDatabase(() =>
      inTransaction(this.options.db, async (client) => {
        await assertIssuingOpen(client);
        const reusable = await this.findReusable(client, request, attributes, nowSeconds, policy);
        const stored =
          reusable ??
          (await this.append(client, request, {
            ...attributes,
            credentialId: 0, // assigned under the tree lock
            identityCommitment: request.identityCommitment,
            policyTag: zkPolicy.policyTag,
            expiresAt: nowSeconds + policy.lifetimeSeconds,
          }));
        await appendAuditEvents(client, [
          {
            type: reusable ? 'credential.reused' : 'credential.issued',
            actor: request.actor,
            tenantId: request.tenantId,
            subject: request.subject,
            attestationUid: stored.uid,
            payload: issuedPayload(decision, stored),
          },
        ]);
        return stored;
      }),
    );
    const root = await this.options.issuanceRoots.publishLatest(request.actor);
    return issuedCredential(row, zkPolicy.policyTag, root!);
  }

  private async findReusable(
    client: pg.ClientBase,
    request: CredentialRequest,
    attributes: CredentialAttributes,
    nowSeconds: number,
    policy: Policy,
  ): Promise<CredentialRow | undefined> {
    const { rows } = await client.query<CredentialRow>(
      `SELECT ${CREDENTIAL_COLUMNS} FROM zk_credentials
        WHERE identity_commitment = $1 AND policy = $2 AND tenant_id = $3 AND subject = $4 AND status = 'active'
          AND country = $5 AND birth_ymd = $6 AND accredited = $7 AND risk_tier = $8
          AND expires_at > to_timestamp($9)
        ORDER BY id DESC LIMIT 1`,
      [
        request.identityCommitment.toString(),
        policy.name,
        request.tenantId,
        request.subject,
        attributes.country,
        attributes.birthYmd,
        attributes.accredited,
        attributes.riskTier,
        nowSeconds + policy.lifetimeSeconds / 2,
      ],
    );
    return rows[0];
  }

  /** Appends the leaf as the next credential id, with its tree nodes and the new root (unpublished). */
  private async append(
    client: pg.ClientBase,
    request: CredentialRequest,
    credential: Credential,
  ): Promise<CredentialRow> {
    const tree = await lockTreeForWrite(client, 'issuance');
    const { rows } = await client.query<{ next: number }>('SELECT count(*)::int AS next FROM zk_credentials');
    const id = rows[0]!.next;
    if (id >= 2 ** TREE_LEVELS) {
      throw new CustosError('ISSUANCE_TREE_FULL', `the issuance tree holds ${2 ** TREE_LEVELS} credentials`);
    }
    const leaf = credentialLeaf({ ...credential, credentialId: id });
    const root = await tree.set(id, leaf);
    await client.query('INSERT INTO zk_issuance_roots (root, leaf_count) VALUES ($1, $2)', [
      root.toString(),
      id + 1,
    ]);
    const inserted = await client.query<CredentialRow>(
      `INSERT INTO zk_credentials (id, uid, tenant_id, subject, policy, identity_commitment, leaf, country, birth_ymd,
         accredited, risk_tier, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, to_timestamp($12))
       RETURNING ${CREDENTIAL_COLUMNS}`,
      [
        id,
        this.uidOf(id),
        request.tenantId,
        request.subject,
        request.policy,
        credential.identityCommitment.toString(),
        leaf.toString(),
        credential.country,
        credential.birthYmd,
        credential.accredited,
        credential.riskTier,
        credential.expiresAt,
      ],
    );
    return inserted.rows[0]!;
  }

  /** A credential's uid: names it in the audit log and for `custos revoke`, like an attestation's. */
  private uidOf(credentialId: number): string {
    return keccak256(
      AbiCoder.defaultAbiCoder().encode(
        ['string', 'uint256', 'address', 'uint256'],
        ['custos.zk-credential', this.options.chainId, this.options.gatekeeper, credentialId],
      ),
    );
  }
}

function issuedPayload(decision: AuditedDecision, row: CredentialRow): Record<string, unknown> {
  return {
    ...decision,
    format: 'groth16',
    credentialId: row.id,
    leaf: row.leaf,
    expiresAt: Math.floor(row.expires_at.getTime() / 1000),
  };
}

function issuedCredential(
  row: CredentialRow,
  policyTag: bigint,
  root: { root: bigint; txHash: string },
): IssuedCredential {
  const expiresAt = Math.floor(row.expires_at.getTime() / 1000);
  return {
    uid: row.uid,
    format: 'groth16',
    credentialId: row.id,
    policy: row.policy,
    subject: row.subject,
    issuedAt: Math.floor(row.created_at.getTime() / 1000),
    expiresAt,
    credential: {
      credentialId: row.id,
      identityCommitment: row.identity_commitment,
      policyTag: policyTag.toString(),
      expiresAt,
      country: row.country,
      birthYmd: row.birth_ymd,
      accredited: row.accredited,
      riskTier: row.risk_tier,
    },
    leaf: row.leaf,
    issuanceRoot: root.root.toString(),
    issuanceRootTx: root.txHash,
  };
}
