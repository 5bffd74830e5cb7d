import { operations } from '@custos/sdk/api';
import { Router } from 'express';
import { CustosError, withDatabase } from '../../errors/index.js';
import { liftHolds, listHolds } from '../../screening/index.js';
import type { ApiContext } from '../context.js';
import { actorOf, principalOf } from '../middleware.js';
import { route } from '../route.js';

/**
 * Holds placed by revoking a subject (`custos holds list|lift`): an officer sees and lifts its own tenant's holds
 * (and sees the admins' holds on every tenant), an admin all of them.
 */
export function holdRoutes(ctx: ApiContext): Router {
  const router = Router();
  route(router, ctx, operations.listHolds, async ({ query }, { res }) => ({
    holds: await withDatabase(() =>
      listHolds(ctx.db, {
        subject: query.subject,
        scope: principalOf(res).readScope,
        includeLifted: query.includeLifted === 'true',
        limit: query.limit,
      }),
    ),
  }));
  route(router, ctx, operations.liftHold, async ({ params: { subject }, body: { reason } }, { res }) => {
    const lifted = await withDatabase(() =>
      ctx.db.$transaction((tx) =>
        liftHolds(tx, { subject, scope: principalOf(res).readScope, reason, actor: actorOf(res) }),
      ),
    );
    if (lifted.length === 0)
      throw new CustosError('NOT_FOUND', `no active hold on ${subject} that you can lift`);
    return { lifted };
  });
  return router;
}
