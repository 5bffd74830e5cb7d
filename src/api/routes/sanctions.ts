import { Router } from 'express';
import { z } from 'zod';
import { CustosError, withDatabase } from '../../errors/index.js';
import { LIST_FORMATS, loadSanctionsList } from '../../screening/index.js';
import { jsonBody } from '../body.js';
import type { ApiContext } from '../context.js';
import { actorOf, authenticate } from '../middleware.js';
import { Admission, withUpload } from '../upload.js';
import { validate } from '../validate.js';

const listName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'must be lower-case letters, digits and dashes' });
const loadBody = z
  .object({ name: listName, format: z.enum(LIST_FORMATS).optional(), content: z.string().min(1) })
  .strict();
const uploadQuery = z.object({ name: listName, format: z.enum(LIST_FORMATS).optional() }).strict();

/** A list in a JSON body is for small lists; files go up raw (CSV, XML or text), streamed. */
const JSON_LIST_LIMIT = '1mb';
export const RAW_LIST_TYPES = [
  'text/csv',
  'text/plain',
  'application/xml',
  'text/xml',
  'application/octet-stream',
];

/**
 * Loads a sanctions or deny list version (`custos sanctions load`): as JSON `{ name, format?, content }`, or as the
 * file itself with `?name=&format=`, streamed to disk up to SANCTIONS_BODY_LIMIT. One load at a time per process.
 */
export function sanctionsRoutes(ctx: ApiContext): Router {
  const router = Router();
  const loads = new Admission(1, 2, 'sanctions list loads');
  const load = (res: Parameters<typeof actorOf>[0], list: z.infer<typeof loadBody>) =>
    withDatabase(() => loadSanctionsList(ctx.db, { ...list, actor: actorOf(res) }));

  router.post('/v1/sanctions', authenticate(ctx, ['officer', 'admin']), async (req, res, next) => {
    if (req.is('application/json')) return next();
    if (!req.is(RAW_LIST_TYPES)) {
      throw new CustosError(
        'UNSUPPORTED_MEDIA_TYPE',
        `send JSON, or the list itself as ${RAW_LIST_TYPES.join(', ')}`,
      );
    }
    const query = validate(uploadQuery, req.query);
    res.json(
      await loads.run(() =>
        withUpload(req, ctx.env.SANCTIONS_BODY_LIMIT, ({ content }) => load(res, { ...query, content })),
      ),
    );
  });
  router.post('/v1/sanctions', jsonBody(JSON_LIST_LIMIT), async (req, res) => {
    const body = validate(loadBody, req.body);
    res.json(await loads.run(() => load(res, body)));
  });
  return router;
}
