import { operations } from '@custos/sdk/api';
import { Router } from 'express';
import type { ApiContext } from '../context.js';
import { actorOf, principalOf } from '../middleware.js';
import { route } from '../route.js';

/**
 * Revokes an attestation or credential, or everything of an address (which also holds the subject), within the
 * caller's tenant (every tenant for an admin), and waits for the chain (`custos revoke`).
 */
export function revocationRoutes(ctx: ApiContext): Router {
  const router = Router();
  route(router, ctx, operations.revoke, ({ body }, { res }) =>
    ctx.revocations.revoke({ ...body, actor: actorOf(res), scope: principalOf(res).readScope }),
  );
  return router;
}
