import { operations } from '@custos/sdk/api';
import { Router } from 'express';
import type { ApiContext } from '../context.js';
import { actorOf, tenantOf } from '../middleware.js';
import { route } from '../route.js';

/** POST /v1/delegations: a principal's delegation to an agent, screened and countersigned. */
export function delegationRoutes(ctx: ApiContext): Router {
  const router = Router();
  route(router, ctx, operations.delegate, async ({ body }, { res }) => {
    ctx.emergency.assertIntakeOpen();
    return ctx.delegations.delegate({
      tenantId: tenantOf(res),
      actor: actorOf(res),
      terms: body.delegation,
      principalSignature: body.principalSignature,
    });
  });
  return router;
}
