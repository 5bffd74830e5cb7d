import { Router } from 'express';
import { verifyAnchors, verifyAuditChain } from '../../audit/index.js';
import { withDatabase } from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { authenticate } from '../middleware.js';

/** Recomputes the audit hash chain and names the first broken link (`custos audit verify`). */
export function auditRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/v1/audit/verify', authenticate(ctx, ['officer', 'regulator', 'admin']), async (_req, res) => {
    const chain = await withDatabase(() => verifyAuditChain(ctx.db));
    if (!ctx.chain.auditAnchor) {
      res.json(chain);
      return;
    }
    const anchors = await withDatabase(() => verifyAnchors(ctx.db, ctx.chain));
    res.json({ ...chain, ok: chain.ok && anchors.ok, anchors });
  });
  return router;
}
