import { Router } from 'express';
import { z } from 'zod';
import { withDatabase } from '../../errors/index.js';
import { LIST_FORMATS, loadSanctionsList } from '../../screening/index.js';
import type { ApiContext } from '../context.js';
import { actorOf, authenticate } from '../middleware.js';
import { validate } from '../validate.js';

const loadBody = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'must be lower-case letters, digits and dashes' }),
    format: z.enum(LIST_FORMATS).optional(),
    content: z.string().min(1),
  })
  .strict();

/** Loads a sanctions or deny list version (`custos sanctions load`). */
export function sanctionsRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.post('/v1/sanctions', authenticate(ctx, ['officer', 'admin']), async (req, res) => {
    const body = validate(loadBody, req.body);
    res.json(await withDatabase(() => loadSanctionsList(ctx.db, { ...body, actor: actorOf(res) })));
  });
  return router;
}
