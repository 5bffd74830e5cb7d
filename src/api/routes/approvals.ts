import { operations } from '@custos/sdk/api';
import { Router } from 'express';
import { withDatabase } from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { requesterOf } from '../fourEyes.js';
import { principalOf } from '../middleware.js';
import { route } from '../route.js';

/** Four-eyes approvals (`custos approvals list|approve|reject`): a second officer lets a guarded action happen. */
export function approvalRoutes(ctx: ApiContext): Router {
  const router = Router();
  route(router, ctx, operations.listApprovals, async ({ query }, { res }) => ({
    approvals: await withDatabase(() =>
      ctx.approvals.list(principalOf(res).readScope, query.status, query.limit),
    ),
  }));
  route(router, ctx, operations.approve, async ({ params }, { res }) => ({
    approval: await ctx.approvals.approve(params.id, requesterOf(res)),
  }));
  route(router, ctx, operations.reject, async ({ params, body }, { res }) => ({
    approval: await ctx.approvals.reject(params.id, requesterOf(res), body.reason),
  }));
  return router;
}
