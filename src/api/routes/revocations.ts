import { Router } from 'express';
import { z } from 'zod';
import { address, text, uid } from '../../schemas/index.js';
import { jsonBody } from '../body.js';
import type { ApiContext } from '../context.js';
import { actorOf, authenticate, principalOf } from '../middleware.js';
import { validate } from '../validate.js';

const revokeBody = z
  .object({
    target: z.union([uid, address], { message: 'must be an attestation uid or a subject address' }),
    reason: text(3, 500),
  })
  .strict();

/**
 * Revokes an attestation or credential, or everything of an address (which also holds the subject), within the
 * caller's tenant (every tenant for an admin), and waits for the chain (`custos revoke`).
 */
export function revocationRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.post(
    '/v1/revocations',
    authenticate(ctx, ['officer', 'admin']),
    jsonBody(ctx.env.BODY_LIMIT),
    async (req, res) => {
      const body = validate(revokeBody, req.body);
      res.json(
        await ctx.revocations.revoke({ ...body, actor: actorOf(res), scope: principalOf(res).readScope }),
      );
    },
  );
  return router;
}
