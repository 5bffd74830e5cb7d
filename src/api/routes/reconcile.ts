import { Router } from 'express';
import { withDatabase } from '../../errors/index.js';
import { reconcile } from '../../reconcile/index.js';
import type { ApiContext } from '../context.js';
import { authenticate } from '../middleware.js';

/** Where the database and the chain disagree (`custos reconcile`): for compliance officers. */
export function reconcileRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/v1/reconcile', authenticate(ctx, ['officer', 'admin']), async (_req, res) => {
    res.json(await withDatabase(() => reconcile(ctx.db)));
  });
  return router;
}
