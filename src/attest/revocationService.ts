import { id } from 'ethers';
import { appendAuditEvent } from '../audit/index.js';
import type { ReadScope } from '../auth/index.js';
import type { ChainOperator, ChainReceipt } from '../chain/index.js';
import type { CredentialRevoker, RevocationRootPublication } from '../credentials/index.js';
import { withAdvisoryLock, type Database } from '../db/index.js';
import { CustosError, withDatabase } from '../errors/index.js';
import { placeHold, type HoldView } from '../screening/index.js';

export interface RevokeRequest {
  /** An attestation uid (0x + 64 hex) or a subject address (0x + 40 hex): every active attestation of that subject. */
  target: string;
  reason: string;
  actor: string;
  /** The tenants the caller may act for: an officer's own, every tenant for an admin. */
  scope: ReadScope;
}

export interface RevokeResult {
  /** Every attestation and credential uid this revocation covers. */
  revoked: string[];
  /** Those of them that are zero-knowledge credentials. */
  credentials: string[];
  /** The registry transaction revoking the attestations (null when there were none to send). */
  txHash: string | null;
  blockNumber: number | null;
  /** The revocation root that revokes the credentials, once it is on-chain (null when none were named). */
  revocationRoot: RevocationRootPublication | null;
  /** The hold revoking an address placed (null for a uid, or when the subject was already held). */
  hold: HoldView | null;
}

/**
 * Revocations run one at a time across the cluster, from marking to the chain's receipt: two would race for the same
 * uids on-chain, and the second must see the first's result to answer 409.
 */
const REVOCATION_LOCK = 0x7265766b; // "revk"

/** What this request confirmed on-chain: the uids it found unconfirmed, and the transaction (none: already there). */
interface Confirmation {
  uids: string[];
  txHash: string | null;
  blockNumber: number | null;
}

interface Pending {
  uid: string;
  subject: string;
  tenant_id: string;
  revoke_reason: string;
}

/**
 * Revocation of EIP-712 attestations and zero-knowledge credentials, within the caller's tenants. Attestations are
 * marked revoked and audited first, in one transaction holding their rows (from then on the service reports them
 * revoked, and a concurrent revocation of the same ones finds nothing left to do); revoking an address also holds
 * the subject. Then whatever is revoked in the database but not yet on-chain is sent, one sender at a time, and its
 * receipt audited: a chain outage fails the call with CHAIN_UNAVAILABLE, and running it again finishes the job. A
 * request that changes nothing and finds nothing left to send is 409 ALREADY_REVOKED; another tenant's uid is 404.
 */
export class RevocationService {
  constructor(
    private readonly db: Database,
    private readonly chain: ChainOperator,
    private readonly credentials: CredentialRevoker,
  ) {}

  /** One revocation at a time across the cluster: concurrent ones of the same target find it done (409). */
  async revoke(request: RevokeRequest): Promise<RevokeResult> {
    return withAdvisoryLock(this.db, REVOCATION_LOCK, () => this.revokeHoldingLock(request));
  }

  private async revokeHoldingLock(request: RevokeRequest): Promise<RevokeResult> {
    const bySubject = /^0x[0-9a-fA-F]{40}$/.test(request.target);
    const marked = await withDatabase(() => this.markRevoked({ ...request, bySubject }));
    const credentials = await withDatabase(() => this.credentials.markRevoked({ ...request, bySubject }));
    if (!bySubject && marked.found + credentials.found === 0) {
      throw new CustosError('NOT_FOUND', `attestation or credential ${request.target} not found`);
    }
    const receipt = marked.pending.length
      ? await this.confirmOnChain(marked.pending, request.actor)
      : undefined;
    const revocationRoot = credentials.open.length ? await this.credentials.publish(request.actor) : null;
    const sent = (receipt?.uids.length ?? 0) > 0;
    const published =
      revocationRoot !== null && (revocationRoot.txHash !== null || revocationRoot.credentialIds.length);
    if (
      marked.newlyRevoked.length + credentials.newlyRevoked.length === 0 &&
      !marked.hold &&
      !sent &&
      !published
    ) {
      throw new CustosError(
        'ALREADY_REVOKED',
        bySubject
          ? `every attestation and credential of ${request.target} is already revoked, and the subject is held`
          : `${request.target} is already revoked`,
      );
    }
    return {
      revoked: [...new Set([...marked.newlyRevoked, ...(receipt?.uids ?? []), ...credentials.newlyRevoked])],
      credentials: credentials.newlyRevoked,
      txHash: receipt?.txHash ?? null,
      blockNumber: receipt?.blockNumber ?? null,
      revocationRoot,
      hold: marked.hold,
    };
  }

  /**
   * Marks the target's attestations revoked (audited, rows locked so concurrent requests serialise) and, for an
   * address, holds the subject; returns what it revoked and what the chain still has to hear about.
   */
  private async markRevoked(request: RevokeRequest & { bySubject: boolean }) {
    return this.db.$transaction(async (tx) => {
      const tenants = request.scope === 'all-tenants' ? null : request.scope;
      type Row = Pending & { status: string; revoke_tx: string | null };
      const rows = request.bySubject
        ? await tx.$queryRaw<Row[]>`
            SELECT uid, subject, tenant_id::text, status, revoke_tx, revoke_reason FROM attestations
             WHERE subject = ${request.target} AND (${tenants}::uuid[] IS NULL OR tenant_id = ANY(${tenants}::uuid[]))
             ORDER BY uid FOR UPDATE`
        : await tx.$queryRaw<Row[]>`
            SELECT uid, subject, tenant_id::text, status, revoke_tx, revoke_reason FROM attestations
             WHERE uid = ${request.target} AND (${tenants}::uuid[] IS NULL OR tenant_id = ANY(${tenants}::uuid[]))
             FOR UPDATE`;
      const active = rows.filter((row) => row.status === 'active');
      for (const row of active) {
        await tx.attestation.update({
          where: { uid: row.uid },
          data: { status: 'revoked', revokedAt: new Date(), revokeReason: request.reason },
        });
        await appendAuditEvent(tx, {
          type: 'attestation.revoked',
          actor: request.actor,
          tenantId: row.tenant_id,
          subject: row.subject,
          attestationUid: row.uid,
          payload: { reason: request.reason },
        });
      }
      const hold = request.bySubject
        ? await placeHold(tx, {
            subject: request.target,
            scope: request.scope === 'all-tenants' ? 'all-tenants' : { tenantId: request.scope[0]! },
            reason: request.reason,
            actor: request.actor,
          })
        : null;
      return {
        found: rows.length,
        newlyRevoked: active.map((row) => row.uid),
        pending: rows.filter((row) => row.revoke_tx === null).map((row) => row.uid),
        hold,
      };
    });
  }

  /**
   * Sends the registry revocation of whichever of `uids` are revoked but unconfirmed, and audits the receipt. A uid
   * someone else revoked on-chain first counts as confirmed.
   */
  private async confirmOnChain(uids: string[], actor: string): Promise<Confirmation> {
    const pending = await withDatabase(
      () => this.db.$queryRaw<Pending[]>`
        SELECT uid, subject, tenant_id::text, revoke_reason FROM attestations
         WHERE uid = ANY(${uids}) AND status = 'revoked' AND revoke_tx IS NULL ORDER BY uid`,
    );
    let receipt: ChainReceipt | null = null;
    for (const [reason, group] of groupBy(pending, (row) => row.revoke_reason)) {
      receipt =
        (await this.chain.revoke(
          group.map((row) => row.uid),
          reason,
        )) ?? receipt;
    }
    if (pending.length > 0) await withDatabase(() => this.recordConfirmation(pending, receipt, actor));
    return {
      uids: pending.map((row) => row.uid),
      txHash: receipt?.txHash ?? null,
      blockNumber: receipt?.blockNumber ?? null,
    };
  }

  private async recordConfirmation(
    pending: Pending[],
    receipt: ChainReceipt | null,
    actor: string,
  ): Promise<void> {
    await this.db.$transaction(async (tx) => {
      await tx.attestation.updateMany({
        where: { uid: { in: pending.map((row) => row.uid) } },
        data: { revokeTx: receipt?.txHash ?? 'already-on-chain' },
      });
      for (const row of pending) {
        await appendAuditEvent(tx, {
          type: 'attestation.revocation_confirmed',
          actor,
          tenantId: row.tenant_id,
          subject: row.subject,
          attestationUid: row.uid,
          payload: {
            txHash: receipt?.txHash ?? null,
            blockNumber: receipt?.blockNumber ?? null,
            reasonHash: id(row.revoke_reason),
          },
        });
      }
    });
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
