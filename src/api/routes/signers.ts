import { Router } from 'express';
import type { ApiContext } from '../context.js';

/** Public: what a dApp needs to verify attestations itself (signers, chain, gatekeeper, EIP-712 domain). */
export function signerRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/v1/signers', async (_req, res) => {
    const keys = await ctx.db.signingKey.findMany({
      where: { status: { in: ['active', 'retiring'] } },
      orderBy: { createdAt: 'asc' },
    });
    res.json({
      chainId: ctx.chainId,
      gatekeeper: ctx.contracts.ComplianceGatekeeper,
      revocationRegistry: ctx.contracts.RevocationRegistry,
      domain: {
        name: 'Custos',
        version: '1',
        chainId: ctx.chainId,
        verifyingContract: ctx.contracts.ComplianceGatekeeper,
      },
      signers: keys.map((k) => ({
        address: k.address,
        backend: k.backend,
        status: k.status,
        validFrom: k.validFrom.toISOString(),
        validUntil: k.validUntil?.toISOString() ?? null,
      })),
      policies: [...ctx.policies.values()].map((p) => ({
        name: p.name,
        description: p.description,
        lifetimeSeconds: p.lifetimeSeconds,
      })),
    });
  });
  return router;
}
