import { operations } from '@custos/sdk/api';
import { Router } from 'express';
import type { ApiContext } from '../context.js';
import { route } from '../route.js';

/** Public: what a dApp needs to verify attestations itself (signers, chain, gatekeeper, EIP-712 domain). */
export function signerRoutes(ctx: ApiContext): Router {
  const router = Router();
  route(router, ctx, operations.signers, async () => {
    const keys = await ctx.db.signingKey.findMany({
      where: { status: { in: ['active', 'retiring'] } },
      orderBy: { createdAt: 'asc' },
    });
    return {
      chainId: ctx.chainId,
      gatekeeper: ctx.contracts.ComplianceGatekeeper,
      revocationRegistry: ctx.contracts.RevocationRegistry,
      domain: {
        name: 'Custos' as const,
        version: '1' as const,
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
        actionLifetimeSeconds: p.actionLifetimeSeconds,
      })),
    };
  });
  return router;
}
