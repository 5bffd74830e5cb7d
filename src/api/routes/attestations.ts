import { Router } from 'express';
import { z } from 'zod';
import { CustosError, withDatabase } from '../../errors/index.js';
import { subjectAddress } from '../../screening/index.js';
import type { ApiContext } from '../context.js';
import { authenticate, principalOf, tenantOf } from '../middleware.js';
import { validate } from '../validate.js';

const uidParam = z.string().regex(/^0x[0-9a-fA-F]{64}$/, { message: 'must be a 0x-prefixed 32-byte uid' });
const listQuery = z
  .object({ subject: subjectAddress, limit: z.coerce.number().int().min(1).max(500).default(100) })
  .strict();

type AttestationRow = {
  uid: string;
  format: string;
  policy: string;
  subject: string;
  issuedAt: Date;
  expiresAt: Date;
  signer: string;
  status: string;
  revokedAt: Date | null;
  revokeReason: string | null;
  revokeTx: string | null;
  chainId: number;
  gatekeeper: string;
};

function view(row: AttestationRow, now: Date) {
  const status = row.status === 'revoked' ? 'revoked' : row.expiresAt <= now ? 'expired' : 'active';
  return {
    uid: row.uid,
    format: row.format,
    policy: row.policy,
    subject: row.subject,
    issuedAt: Math.floor(row.issuedAt.getTime() / 1000),
    expiresAt: Math.floor(row.expiresAt.getTime() / 1000),
    signer: row.signer,
    status,
    revocation:
      row.status === 'revoked'
        ? {
            revokedAt: row.revokedAt?.toISOString(),
            reason: row.revokeReason,
            onChainTx: row.revokeTx,
            onChainPending: row.revokeTx === null,
          }
        : null,
    chainId: row.chainId,
    gatekeeper: row.gatekeeper,
  };
}

/** An attestation's status and audit trail; a dApp key sees only its own tenant's (others look like missing). */
export function attestationRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get(
    '/v1/attestations/:uid',
    authenticate(ctx, ['dapp', 'officer', 'regulator', 'admin']),
    async (req, res) => {
      const uid = validate(uidParam, req.params.uid).toLowerCase();
      const principal = principalOf(res);
      const row = await withDatabase(() => ctx.db.attestation.findUnique({ where: { uid } }));
      if (!row || (principal.role === 'dapp' && row.tenantId !== principal.tenantId)) {
        throw new CustosError('NOT_FOUND', `attestation ${uid} not found`);
      }
      const events = await withDatabase(() =>
        ctx.db.auditEvent.findMany({ where: { attestationUid: uid }, orderBy: { seq: 'asc' } }),
      );
      res.json({
        ...view(row, new Date()),
        audit: events.map((e) => ({
          seq: e.seq.toString(),
          type: e.type,
          actor: e.actor,
          at: e.createdAt.toISOString(),
          payload: e.payload,
        })),
      });
    },
  );

  router.get(
    '/v1/attestations',
    authenticate(ctx, ['dapp', 'officer', 'regulator', 'admin']),
    async (req, res) => {
      const query = validate(listQuery, req.query);
      const principal = principalOf(res);
      const rows = await withDatabase(() =>
        ctx.db.attestation.findMany({
          where: {
            subject: query.subject,
            ...(principal.role === 'dapp' ? { tenantId: tenantOf(res) } : {}),
          },
          orderBy: { issuedAt: 'desc' },
          take: query.limit,
        }),
      );
      const now = new Date();
      res.json({ attestations: rows.map((row) => view(row, now)) });
    },
  );
  return router;
}
