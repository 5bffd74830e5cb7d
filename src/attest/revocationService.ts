import { appendAuditEvent } from '../audit/index.js';
import type { ChainOperator } from '../chain/index.js';
import type { Database } from '../db/index.js';
import { CustosError, withDatabase } from '../errors/index.js';

export interface RevokeRequest {
  /** An attestation uid (0x + 64 hex) or a subject address (0x + 40 hex): every active attestation of that subject. */
  target: string;
  reason: string;
  actor: string;
}

/** An attestation whose on-chain revocation is still to be confirmed. */
interface OpenRevocation {
  uid: string;
  subject: string;
  tenantId: string;
}

export interface RevokeResult {
  revoked: string[];
  txHash: string | null;
  blockNumber: number | null;
}

/**
 * Revocation: the attestations are marked revoked in the database and audited first (from then on the service
 * reports them revoked), then the registry revocation is sent and awaited, and its receipt is audited. If the chain
 * cannot be reached the call fails with CHAIN_UNAVAILABLE and running it again finishes the job: uids revoked in the
 * database whose on-chain revocation has no receipt are sent again.
 */
export class RevocationService {
  constructor(
    private readonly db: Database,
    private readonly chain: ChainOperator,
  ) {}

  async revoke(request: RevokeRequest): Promise<RevokeResult> {
    const open = await withDatabase(() => this.markRevoked(request));
    const uids = open.map((row) => row.uid);
    const receipt = await this.chain.revoke(uids, request.reason);
    await withDatabase(() =>
      this.db.$transaction(async (tx) => {
        await tx.attestation.updateMany({
          where: { uid: { in: uids } },
          data: { revokeTx: receipt?.txHash ?? 'already-on-chain' },
        });
        for (const row of open) {
          await appendAuditEvent(tx, {
            type: 'attestation.revocation_confirmed',
            actor: request.actor,
            tenantId: row.tenantId,
            subject: row.subject,
            attestationUid: row.uid,
            payload: { txHash: receipt?.txHash ?? null, blockNumber: receipt?.blockNumber ?? null },
          });
        }
      }),
    );
    return { revoked: uids, txHash: receipt?.txHash ?? null, blockNumber: receipt?.blockNumber ?? null };
  }

  /** Marks the target's attestations revoked (and audits each); returns every one still lacking an on-chain receipt. */
  private async markRevoked(request: RevokeRequest): Promise<OpenRevocation[]> {
    const bySubject = /^0x[0-9a-fA-F]{40}$/.test(request.target);
    return this.db.$transaction(async (tx) => {
      const rows = await tx.attestation.findMany({
        where: bySubject
          ? { subject: { equals: request.target, mode: 'insensitive' }, revokeTx: null }
          : { uid: request.target.toLowerCase() },
        select: { uid: true, subject: true, status: true, revokeTx: true, tenantId: true },
      });
      if (rows.length === 0) {
        throw new CustosError(
          'NOT_FOUND',
          bySubject
            ? `no unrevoked attestation for ${request.target}`
            : `attestation ${request.target} not found`,
        );
      }
      const open = rows.filter((row) => row.revokeTx === null);
      if (open.length === 0)
        throw new CustosError('ALREADY_REVOKED', `attestation ${request.target} is already revoked on-chain`);
      for (const row of open.filter((r) => r.status === 'active')) {
        await tx.attestation.update({
          where: { uid: row.uid },
          data: { status: 'revoked', revokedAt: new Date(), revokeReason: request.reason },
        });
        await appendAuditEvent(tx, {
          type: 'attestation.revoked',
          actor: request.actor,
          tenantId: row.tenantId,
          subject: row.subject,
          attestationUid: row.uid,
          payload: { reason: request.reason },
        });
      }
      return open;
    });
  }
}
