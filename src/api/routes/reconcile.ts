import { operations } from '@custos/sdk/api';
import { Router } from 'express';
import { withDatabase } from '../../errors/index.js';
import { reconcile } from '../../reconcile/index.js';
import type { ApiContext } from '../context.js';
import { route } from '../route.js';

/** Where the database and the chain disagree (`custos reconcile`): for compliance officers. */
export function reconcileRoutes(ctx: ApiContext): Router {
  const router = Router();
  route(router, ctx, operations.reconcile, () => withDatabase(() => reconcile(ctx.db)));
  return router;
}
