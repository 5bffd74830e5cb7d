import { operations, type liftRequest } from '@custos/sdk/api';
import type { z } from 'zod';
import { Router } from 'express';
import { CustosError, withDatabase } from '../../errors/index.js';
import { liftHolds, listHolds } from '../../screening/index.js';
import type { ApiContext } from '../context.js';
import type { Requester } from '../../approvals/index.js';
import { fourEyes } from '../fourEyes.js';
import { principalOf } from '../middleware.js';
import { route } from '../route.js';

/**
 * Holds placed by revoking a subject (`custos holds list|lift`): an officer sees and lifts its own tenant's holds
 * (and sees the admins' holds on every tenant), an admin all of them.
 */
type Lift = z.output<typeof liftRequest> & { subject: string };

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
  const noHold = (subject: string) =>
    new CustosError('NOT_FOUND', `no active hold on ${subject} that you can lift`);
  const lift = fourEyes(
    ctx,
    'hold-lift',
    async (body: Lift, requester: Requester) => {
      const lifted = await withDatabase(() =>
        ctx.db.$transaction((tx) =>
          liftHolds(tx, { ...body, scope: requester.scope, actor: requester.actor }),
        ),
      );
      if (lifted.length === 0) throw noHold(body.subject);
      return { lifted };
    },
    // Bound to the holds there are now: an approval never lifts a hold placed after it was requested.
    async (body: Lift, requester: Requester) => {
      const holds = await withDatabase(() =>
        listHolds(ctx.db, {
          subject: body.subject,
          scope: requester.scope,
          includeLifted: false,
          limit: 100,
        }),
      );
      if (holds.length === 0) throw noHold(body.subject);
      return `holds ${holds
        .map((h) => h.id)
        .sort()
        .join(',')}`;
    },
  );
  route(router, ctx, operations.liftHold, ({ params: { subject }, body }, { res }) =>
    lift(res, { subject, ...body }, `lift the hold on ${subject} (${body.reasonCode})`),
  );
  return router;
}
