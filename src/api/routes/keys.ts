import { Router } from 'express';
import { z } from 'zod';
import { withDatabase } from '../../errors/index.js';
import { kmsKeyId } from '../../schemas/index.js';
import type { ApiContext } from '../context.js';
import { actorOf, authenticate } from '../middleware.js';
import { jsonBody } from '../body.js';
import { validate } from '../validate.js';

const rotateBody = z
  .object({
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(86_400),
    kmsKeyId: kmsKeyId.optional(),
  })
  .strict();

/** Signing keys with their on-chain windows, and rotation (`custos keys list|rotate`). */
export function keyRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/v1/keys', authenticate(ctx, ['officer', 'admin']), async (_req, res) => {
    res.json({ keys: await withDatabase(() => ctx.keys.list()) });
  });
  router.post(
    '/v1/keys/rotate',
    authenticate(ctx, ['officer', 'admin']),
    jsonBody(ctx.env.BODY_LIMIT),
    async (req, res) => {
      const body = validate(rotateBody, req.body ?? {});
      res.json(await ctx.keys.rotate({ ...body, actor: actorOf(res) }));
    },
  );
  return router;
}
