import { Router } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { actorOf, authenticate } from '../middleware.js';
import { jsonBody } from '../body.js';
import { validate } from '../validate.js';

const revokeBody = z
  .object({
    target: z.string().regex(/^0x([0-9a-fA-F]{64}|[0-9a-fA-F]{40})$/, {
      message: 'must be an attestation uid or a subject address',
    }),
    reason: z.string().trim().min(3).max(500),
  })
  .strict();

/** Revokes an attestation, or every unrevoked attestation of an address, and waits for the chain (`custos revoke`). */
export function revocationRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.post(
    '/v1/revocations',
    authenticate(ctx, ['officer', 'admin']),
    jsonBody(ctx.env.BODY_LIMIT),
    async (req, res) => {
      const body = validate(revokeBody, req.body);
      res.json(await ctx.revocations.revoke({ ...body, actor: actorOf(res) }));
    },
  );
  return router;
}
