import { operations, type rotateRequest } from '@custos/sdk/api';
import type { z } from 'zod';
import { Router } from 'express';
import { withDatabase } from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import type { Requester } from '../../approvals/index.js';
import { fourEyes } from '../fourEyes.js';
import { route } from '../route.js';

/** Signing keys with their on-chain windows, and rotation (`custos keys list|rotate`). */
export function keyRoutes(ctx: ApiContext): Router {
  const router = Router();
  route(router, ctx, operations.listKeys, async () => ({ keys: await withDatabase(() => ctx.keys.list()) }));
  const rotate = fourEyes(ctx, 'key-rotate', (body: z.output<typeof rotateRequest>, requester: Requester) =>
    ctx.keys.rotate({ ...body, actor: requester.actor }),
  );
  route(router, ctx, operations.rotateKey, ({ body }, { res }) =>
    rotate(res, body, `rotate the signing key (overlap ${body.overlapSeconds} s)`),
  );
  return router;
}
