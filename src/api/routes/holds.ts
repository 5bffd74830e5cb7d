import { Router } from 'express';
import { z } from 'zod';
import { CustosError, withDatabase } from '../../errors/index.js';
import { text } from '../../schemas/index.js';
import { liftHolds, listHolds, subjectAddress } from '../../screening/index.js';
import { jsonBody } from '../body.js';
import type { ApiContext } from '../context.js';
import { actorOf, authenticate, principalOf } from '../middleware.js';
import { validate } from '../validate.js';

const listQuery = z
  .object({
    subject: subjectAddress.optional(),
    includeLifted: z.enum(['true', 'false']).default('false'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();
const liftBody = z.object({ reason: text(3, 500) }).strict();

/**
 * Holds placed by revoking a subject (`custos holds list|lift`): an officer sees and lifts its own tenant's holds
 * (and sees the admins' holds on every tenant), an admin all of them.
 */
export function holdRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/v1/holds', authenticate(ctx, ['officer', 'regulator', 'admin']), async (req, res) => {
    const query = validate(listQuery, req.query);
    const holds = await withDatabase(() =>
      listHolds(ctx.db, {
        subject: query.subject,
        scope: principalOf(res).readScope,
        includeLifted: query.includeLifted === 'true',
        limit: query.limit,
      }),
    );
    res.json({ holds });
  });
  router.post(
    '/v1/holds/:subject/lift',
    authenticate(ctx, ['officer', 'admin']),
    jsonBody(ctx.env.BODY_LIMIT),
    async (req, res) => {
      const subject = validate(subjectAddress, req.params.subject);
      const { reason } = validate(liftBody, req.body);
      const lifted = await withDatabase(() =>
        ctx.db.$transaction((tx) =>
          liftHolds(tx, { subject, scope: principalOf(res).readScope, reason, actor: actorOf(res) }),
        ),
      );
      if (lifted.length === 0)
        throw new CustosError('NOT_FOUND', `no active hold on ${subject} that you can lift`);
      res.json({ lifted });
    },
  );
  return router;
}
