import { operations, type attestationStatus } from '@custos/sdk/api';
import { Router } from 'express';
import type { z } from 'zod';
import { storedAction, storedBatch } from '../../attest/index.js';
import { CustosError, withDatabase } from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import type { ReadScope } from '../../auth/index.js';
import { recordAuditRead } from '../auditReads.js';
import { principalOf } from '../middleware.js';
import { route } from '../route.js';

type AttestationRow = {
  uid: string;
  policy: string;
  subject: string;
  issuedAt: Date;
  expiresAt: Date;
  signer: string;
  status: string;
  revokedAt: Date | null;
  revokeReasonCode: string | null;
  revokeReason: string | null;
  revokeTx: string | null;
  chainId: number;
  gatekeeper: string;
  actionTarget: string | null;
  actionSelector: string | null;
  actionArgsHash: string | null;
  format: string;
  batchProof: unknown;
  batch: { root: string; signature: string; size: number } | null;
};

type AttestationStatus = z.input<typeof attestationStatus>;
type Revocation = NonNullable<AttestationStatus['revocation']>;

/** Active, expired or revoked, and the revocation's details with how far it got on-chain. */
function lifecycle(
  row: {
    status: string;
    expiresAt: Date;
    revokedAt: Date | null;
    revokeReasonCode: string | null;
    revokeReason: string | null;
  },
  now: Date,
  onChain: Pick<Revocation, 'onChainPending' | 'onChainTx' | 'revocationEpoch'>,
): Pick<AttestationStatus, 'status' | 'revocation'> {
  return {
    status: row.status === 'revoked' ? 'revoked' : row.expiresAt <= now ? 'expired' : 'active',
    revocation:
      row.status === 'revoked'
        ? {
            revokedAt: row.revokedAt?.toISOString(),
            reasonCode: row.revokeReasonCode,
            reason: row.revokeReason,
            ...onChain,
          }
        : null,
  };
}

function view(row: AttestationRow, now: Date): AttestationStatus {
  return {
    uid: row.uid,
    format: row.batch ? 'eip712-batch' : 'eip712',
    policy: row.policy,
    subject: row.subject,
    issuedAt: Math.floor(row.issuedAt.getTime() / 1000),
    expiresAt: Math.floor(row.expiresAt.getTime() / 1000),
    signer: row.signer,
    action: storedAction(row),
    batch: row.batch ? storedBatch(row.batch, row.batchProof) : undefined,
    ...lifecycle(row, now, { onChainTx: row.revokeTx, onChainPending: row.revokeTx === null }),
    chainId: row.chainId,
    gatekeeper: row.gatekeeper,
  };
}

type CredentialRow = NonNullable<Awaited<ReturnType<ApiContext['db']['zkCredential']['findUnique']>>>;

/** A zero-knowledge credential in the same shape: its uid names it in the audit log and for revocation. */
function credentialView(row: CredentialRow, now: Date, ctx: ApiContext): AttestationStatus {
  return {
    uid: row.uid,
    format: 'groth16',
    policy: row.policy,
    subject: row.subject,
    issuedAt: Math.floor(row.createdAt.getTime() / 1000),
    expiresAt: Math.floor(row.expiresAt.getTime() / 1000),
    credentialId: row.id,
    ...lifecycle(row, now, {
      revocationEpoch: row.revocationEpoch === null ? null : Number(row.revocationEpoch),
      onChainPending: row.revocationEpoch === null,
    }),
    chainId: ctx.chainId,
    gatekeeper: ctx.contracts.ComplianceGatekeeper,
  };
}

/** The attestation or credential `uid` if it belongs to one of `scope`'s tenants; undefined when absent or another's. */
async function findByUid(ctx: ApiContext, uid: string, scope: ReadScope) {
  const now = new Date();
  const visible = (row: { tenantId: string } | null) =>
    row !== null && (scope === 'all-tenants' || scope.includes(row.tenantId));
  const attestation = await withDatabase(() =>
    ctx.db.attestation.findUnique({ where: { uid }, include: { batch: true } }),
  );
  if (visible(attestation)) return view(attestation!, now);
  const credential = await withDatabase(() => ctx.db.zkCredential.findUnique({ where: { uid } }));
  if (visible(credential)) return credentialView(credential!, now, ctx);
  return undefined;
}

/**
 * An attestation's or credential's status and audit trail. Every key sees only its own tenant's (an admin every
 * tenant's; a regulator's token those its `custos_tenants` claim names): another tenant's uid answers exactly like
 * one that does not exist. Reading the audit trail is itself recorded.
 */
export function attestationRoutes(ctx: ApiContext): Router {
  const router = Router();
  route(router, ctx, operations.getAttestation, async ({ params }, { res }) => {
    const found = await findByUid(ctx, params.uid, principalOf(res).readScope);
    if (!found) throw new CustosError('NOT_FOUND', `attestation ${params.uid} not found`);
    await recordAuditRead(ctx, res, 'audit.read', 'attestation', { attestationUid: params.uid });
    const events = await withDatabase(() =>
      ctx.db.auditEvent.findMany({ where: { attestationUid: params.uid }, orderBy: { seq: 'asc' } }),
    );
    return {
      ...found,
      audit: events.map((e) => ({
        seq: e.seq.toString(),
        type: e.type,
        actor: e.actor,
        at: e.createdAt.toISOString(),
        payload: e.payload,
      })),
    };
  });

  route(router, ctx, operations.listAttestations, async ({ query }, { res }) => {
    const scope = principalOf(res).readScope;
    const rows = await withDatabase(() =>
      ctx.db.attestation.findMany({
        where: { subject: query.subject, ...(scope === 'all-tenants' ? {} : { tenantId: { in: scope } }) },
        orderBy: { issuedAt: 'desc' },
        take: query.limit,
        include: { batch: true },
      }),
    );
    const now = new Date();
    return { attestations: rows.map((row) => view(row, now)) };
  });
  return router;
}
