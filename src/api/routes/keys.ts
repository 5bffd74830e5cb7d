import { operations } from '@custos/sdk/api';
import { Router } from 'express';
import { withDatabase } from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { actorOf } from '../middleware.js';
import { route } from '../route.js';

/** Signing keys with their on-chain windows, and rotation (`custos keys list|rotate`). */
export function keyRoutes(ctx: ApiContext): Router {
  const router = Router();
  route(router, ctx, operations.listKeys, async () => ({ keys: await withDatabase(() => ctx.keys.list()) }));
  route(router, ctx, operations.rotateKey, ({ body }, { res }) =>
    ctx.keys.rotate({ ...body, actor: actorOf(res) }),
  );
  return router;
}
