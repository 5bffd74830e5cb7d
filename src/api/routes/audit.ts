import { operations } from '@custos/sdk/api';
import { Router } from 'express';
import { signerTrustOnChain, verifyAuditLog, verifySavedCheckpoint } from '../../audit/index.js';
import { withDatabase } from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { route } from '../route.js';

/** The audit log's integrity: the chain, anchors and checkpoints (`custos audit verify`), and saved checkpoints. */
export function auditRoutes(ctx: ApiContext): Router {
  const router = Router();
  route(router, ctx, operations.verifyAudit, () => withDatabase(() => verifyAuditLog(ctx.db, ctx.chain)));
  route(router, ctx, operations.verifyCheckpoint, ({ body }) =>
    withDatabase(() => verifySavedCheckpoint(ctx.db, body, signerTrustOnChain(ctx.chain))),
  );
  return router;
}
