import type { ReasonCode, revokeResult } from '@custos/sdk/api';
import { id } from 'ethers';
import type { z } from 'zod';
import { appendAuditEvent } from '../audit/index.js';
import type { ReadScope } from '../auth/index.js';
import type { ChainOperator, ChainReceipt } from '../chain/index.js';
import type { CredentialRevoker } from '../credentials/index.js';
import { withAdvisoryLock, type Database } from '../db/index.js';
import { CustosError, withDatabase } from '../errors/index.js';
import { lockSubjectForHold, placeHold } from '../screening/index.js';

export interface RevokeRequest {
  /** An attestation uid (0x + 64 hex) or a subject address (0x + 40 hex): every active attestation of that subject. */
  target: string;
  reasonCode: ReasonCode;
  reason: string;
  actor: string;
  /** The tenants the caller may act for: an officer's own, every tenant for an admin. */
  scope: ReadScope;
}

/** What a revocation did: the contract's RevokeResult (see @custos/sdk/api). */
export type RevokeResult = z.output<typeof revokeResult>;

/**
 * Revocations run one at a time across the cluster, from marking to the chain's receipt: two would race for the same
 * uids on-chain, and the second must see the first's result to answer 409.
 */
const REVOCATION_LOCK = 0x7265766b; // "revk"

/** What one target of a revocation came to. */
export interface TargetOutcome {
  target: string;
  bySubject: boolean;
  /** Attestations and credentials the target names within the caller's tenants. */
  found: number;
  /** Whether this revocation changed anything for it (revoked, held, or confirmed on-chain). */
  changed: boolean;
  result: RevokeResult;
}

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

  /**
   * Revokes one uid or address. One revocation at a time across the cluster: concurrent ones of the same target find
   * it done (409). Another tenant's uid is 404, like one that does not exist.
   */
  async revoke(request: RevokeRequest): Promise<RevokeResult> {
    const { reasonCode, reason, actor, scope } = request;
    const [outcome] = await this.revokeMany([request.target], { reasonCode, reason, actor, scope });
    const { target, bySubject, found, changed } = outcome!;
    if (!bySubject && found === 0) {
      throw new CustosError('NOT_FOUND', `attestation or credential ${target} not found`);
    }
    if (!changed) {
      throw new CustosError(
        'ALREADY_REVOKED',
        bySubject
          ? `every attestation and credential of ${target} is already revoked, and the subject is held`
          : `${target} is already revoked`,
      );
    }
    return outcome!.result;
  }

  /**
   * Revokes each of `targets` (uids or addresses) in one pass under the revocation lock: every target marked in the
   * database, then one registry transaction for all their attestations still to confirm and one revocation root for
   * their credentials. What each target came to is returned; nothing is refused (bulk revocations count them).
   */
  async revokeMany(targets: string[], common: Omit<RevokeRequest, 'target'>): Promise<TargetOutcome[]> {
    return withAdvisoryLock(this.db, REVOCATION_LOCK, async () => {
      const marks = [];
      for (const target of targets) {
        const request = { ...common, target, bySubject: /^0x[0-9a-fA-F]{40}$/.test(target) };
        const attestations = await withDatabase(() => this.markRevoked(request));
        const credentials = await withDatabase(() => this.credentials.markRevoked(request));
        marks.push({ request, attestations, credentials });
      }
      const pending = [...new Set(marks.flatMap((m) => m.attestations.pending))];
      const receipt = pending.length ? await this.confirmOnChain(pending, common.actor) : undefined;
      const confirmed = new Set(receipt?.uids ?? []);
      const revocationRoot = marks.some((m) => m.credentials.open.length)
        ? await this.credentials.publish(common.actor)
        : null;
      const published =
        revocationRoot !== null &&
        (revocationRoot.txHash !== null || revocationRoot.credentialIds.length > 0);
      return marks.map(({ request, attestations, credentials }) => {
        const sent = attestations.pending.filter((uid) => confirmed.has(uid));
        const newly = [...attestations.newlyRevoked, ...credentials.newlyRevoked];
        return {
          target: request.target,
          bySubject: request.bySubject,
          found: attestations.found + credentials.found,
          changed:
            newly.length > 0 ||
            attestations.hold !== null ||
            sent.length > 0 ||
            (credentials.open.length > 0 && published),
          result: {
            revoked: [...new Set([...attestations.newlyRevoked, ...sent, ...credentials.newlyRevoked])],
            credentials: credentials.newlyRevoked,
            txHash: sent.length ? (receipt?.txHash ?? null) : null,
            blockNumber: sent.length ? (receipt?.blockNumber ?? null) : null,
            revocationRoot: credentials.open.length ? revocationRoot : null,
            hold: attestations.hold,
          },
        };
      });
    });
  }

  /**
   * Marks the target's attestations revoked (audited, rows locked so concurrent requests serialise) and, for an
   * address, holds the subject; returns what it revoked and what the chain still has to hear about.
   */
  private async markRevoked(request: RevokeRequest & { bySubject: boolean }) {
    return this.db.$transaction(async (tx) => {
      const tenants = request.scope === 'all-tenants' ? null : request.scope;
      type Row = Pending & { status: string; revoke_tx: string | null };
      // Before looking: an issuance screened before this hold then commits first (and is revoked here) or sees it.
      if (request.bySubject) await lockSubjectForHold(tx, request.target);
      const rows = request.bySubject
        ? await tx.$queryRaw<Row[]>`
            SELECT uid, subject, tenant_id::text, status, revoke_tx, revoke_reason FROM attestations
             -- An address's own attestations, and the delegations it acts under as an agent (their subject is
             -- the principal): revoking a leaked agent key stops it for every principal.
             WHERE (subject = ${request.target}
                    OR uid IN (SELECT uid FROM delegations WHERE lower(agent) = lower(${request.target})))
               AND (${tenants}::uuid[] IS NULL OR tenant_id = ANY(${tenants}::uuid[]))
             ORDER BY uid FOR UPDATE`
        : await tx.$queryRaw<Row[]>`
            SELECT uid, subject, tenant_id::text, status, revoke_tx, revoke_reason FROM attestations
             WHERE uid = ${request.target} AND (${tenants}::uuid[] IS NULL OR tenant_id = ANY(${tenants}::uuid[]))
             FOR UPDATE`;
      const active = rows.filter((row) => row.status === 'active');
      for (const row of active) {
        await tx.attestation.update({
          where: { uid: row.uid },
          data: {
            status: 'revoked',
            revokedAt: new Date(),
            revokeReasonCode: request.reasonCode,
            revokeReason: request.reason,
          },
        });
        await appendAuditEvent(tx, {
          type: 'attestation.revoked',
          actor: request.actor,
          tenantId: row.tenant_id,
          subject: row.subject,
          attestationUid: row.uid,
          payload: { reasonCode: request.reasonCode, reason: request.reason },
        });
      }
      const hold = request.bySubject
        ? await placeHold(tx, {
            subject: request.target,
            scope: request.scope === 'all-tenants' ? 'all-tenants' : { tenantId: request.scope[0]! },
            reasonCode: request.reasonCode,
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
