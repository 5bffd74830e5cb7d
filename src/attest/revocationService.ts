import { appendAuditEvent } from '../audit/index.js';
import type { ChainOperator, ChainReceipt } from '../chain/index.js';
import type { CredentialRevoker, RevocationRootPublication } from '../credentials/index.js';
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
  /** Every attestation and credential uid this revocation covers. */
  revoked: string[];
  /** Those of them that are zero-knowledge credentials. */
  credentials: string[];
  /** The registry transaction revoking the attestations (null when there were none to send). */
  txHash: string | null;
  blockNumber: number | null;
  /** The revocation root that revokes the credentials, once it is on-chain (null when none were named). */
  revocationRoot: RevocationRootPublication | null;
}

/**
 * Revocation of EIP-712 attestations and zero-knowledge credentials. Attestations are marked revoked in the
 * database and audited first (from then on the service reports them revoked), then the registry revocation is sent
 * and awaited, and its receipt is audited. Credentials get their revocation-tree leaf set in the same way, and the
 * new revocation root is published and awaited. If the chain cannot be reached the call fails with
 * CHAIN_UNAVAILABLE and running it again finishes the job: whatever is revoked in the database but not yet on-chain
 * is sent again.
 */
export class RevocationService {
  constructor(
    private readonly db: Database,
    private readonly chain: ChainOperator,
    private readonly credentials: CredentialRevoker,
  ) {}

  async revoke(request: RevokeRequest): Promise<RevokeResult> {
    // An address names everything issued to it; anything else is one uid.
    const target = { ...request, bySubject: /^0x[0-9a-fA-F]{40}$/.test(request.target) };
    const attestations = await withDatabase(() => this.markRevoked(target));
    const credentials = await withDatabase(() => this.credentials.markRevoked(target));
    if (attestations.found + credentials.found === 0) {
      throw new CustosError(
        'NOT_FOUND',
        target.bySubject
          ? `no attestation or credential for ${request.target}`
          : `attestation or credential ${request.target} not found`,
      );
    }
    if (attestations.open.length + credentials.open.length === 0) {
      const what = target.bySubject
        ? `every attestation and credential of ${request.target} is`
        : `${attestations.found ? 'attestation' : 'credential'} ${request.target} is`;
      throw new CustosError('ALREADY_REVOKED', `${what} already revoked on-chain`);
    }
    const receipt = attestations.open.length ? await this.confirmOnChain(attestations.open, request) : null;
    const revocationRoot = credentials.open.length ? await this.credentials.publish(request.actor) : null;
    return {
      revoked: [...attestations.open.map((row) => row.uid), ...credentials.open],
      credentials: credentials.open,
      txHash: receipt?.txHash ?? null,
      blockNumber: receipt?.blockNumber ?? null,
      revocationRoot,
    };
  }

  /** Sends the registry revocation of `open` and audits its receipt. */
  private async confirmOnChain(open: OpenRevocation[], request: RevokeRequest): Promise<ChainReceipt | null> {
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
    return receipt;
  }

  /** Marks the target's attestations revoked (and audits each); returns how many it names and those still open. */
  private async markRevoked(
    request: RevokeRequest & { bySubject: boolean },
  ): Promise<{ found: number; open: OpenRevocation[] }> {
    return this.db.$transaction(async (tx) => {
      const rows = await tx.attestation.findMany({
        where: request.bySubject
          ? { subject: { equals: request.target, mode: 'insensitive' } }
          : { uid: request.target.toLowerCase() },
        select: { uid: true, subject: true, status: true, revokeTx: true, tenantId: true },
      });
      const open = rows.filter((row) => row.revokeTx === null);
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
      return { found: rows.length, open };
    });
  }
}
