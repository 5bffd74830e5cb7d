import { Router } from 'express';
import { verifyAuditChain } from '../../audit/index.js';
import { withDatabase } from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { authenticate } from '../middleware.js';

/** Recomputes the audit hash chain and names the first broken link (`custos audit verify`). */
export function auditRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/v1/audit/verify', authenticate(ctx, ['officer', 'regulator', 'admin']), async (_req, res) => {
    res.json(await withDatabase(() => verifyAuditChain(ctx.db)));
  });
  return router;
}
