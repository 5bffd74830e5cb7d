import { appendAuditEvents } from '../audit/index.js';
import type { ReasonCode } from '@custos/sdk/api';
import type { ReadScope } from '../auth/index.js';
import { inTransaction, type Database } from '../db/index.js';
import type { RevocationRootPublication, RevocationRootPublisher } from './revocationRoots.js';
import { lockTreeForWrite } from './trees.js';

/** What a revocation target matched among credentials. */
export interface CredentialRevocations {
  /** Credentials the target names within the caller's tenants, whatever their state. */
  found: number;
  /** Uids of those this call revoked. */
  newlyRevoked: string[];
  /** Uids of those whose revocation is not in an on-chain root yet. */
  open: string[];
}

/**
 * Revokes zero-knowledge credentials: marks them revoked, sets their leaves in the revocation tree and audits each,
 * in one transaction; then publishes the revocation root (see RevocationRootPublisher) and waits for it.
 */
export class CredentialRevoker {
  constructor(
    private readonly db: Database,
    private readonly publisher: RevocationRootPublisher,
  ) {}

  /**
   * `target` is a credential uid, or with `bySubject` an address (every credential issued to it), among the
   * credentials of `scope`'s tenants.
   */
  async markRevoked(request: {
    target: string;
    bySubject: boolean;
    reasonCode: ReasonCode;
    reason: string;
    actor: string;
    scope: ReadScope;
  }): Promise<CredentialRevocations> {
    return inTransaction(this.db, async (client) => {
      const tree = await lockTreeForWrite(client, 'revocation');
      const { rows } = await client.query<{
        id: number;
        uid: string;
        subject: string;
        tenant_id: string;
        status: string;
        revocation_epoch: string | null;
      }>(
        `SELECT id, uid, subject, tenant_id, status, revocation_epoch FROM zk_credentials
          WHERE ${request.bySubject ? 'subject = $1' : 'uid = lower($1)'}
            AND ($2::uuid[] IS NULL OR tenant_id = ANY($2::uuid[]))
          ORDER BY id FOR UPDATE`,
        [request.target, request.scope === 'all-tenants' ? null : request.scope],
      );
      const active = rows.filter((r) => r.status === 'active');
      if (active.length > 0) {
        await client.query(
          `UPDATE zk_credentials SET status = 'revoked', revoked_at = now(), revoke_reason = $2,
                  revoke_reason_code = $3
            WHERE id = ANY($1::int[])`,
          [active.map((row) => row.id), request.reason, request.reasonCode],
        );
        for (const row of active) await tree.set(row.id, 1n);
        await appendAuditEvents(
          client,
          active.map((row) => ({
            type: 'credential.revoked',
            actor: request.actor,
            tenantId: row.tenant_id,
            subject: row.subject,
            attestationUid: row.uid,
            payload: { credentialId: row.id, reasonCode: request.reasonCode, reason: request.reason },
          })),
        );
      }
      return {
        found: rows.length,
        newlyRevoked: active.map((row) => row.uid),
        open: rows.filter((r) => r.revocation_epoch === null).map((r) => r.uid),
      };
    });
  }

  publish(actor: string): Promise<RevocationRootPublication> {
    return this.publisher.publish(actor);
  }
}
