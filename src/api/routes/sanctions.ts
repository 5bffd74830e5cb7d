import { RAW_LIST_TYPES, operations, sanctionsJsonBody, sanctionsUploadQuery } from '@custos/sdk/api';
import { Router, type Response } from 'express';
import type { z } from 'zod';
import { CustosError, withDatabase } from '../../errors/index.js';
import { loadSanctionsList } from '../../screening/index.js';
import { jsonBody } from '../body.js';
import type { ApiContext } from '../context.js';
import type { Requester } from '../../approvals/index.js';
import { fourEyes } from '../fourEyes.js';
import { Accepted, rawRoute } from '../route.js';
import { Admission, withUpload } from '../upload.js';
import { validate } from '../validate.js';

/** A list in a JSON body is for small lists; files go up raw (CSV, XML or text), streamed. */
export const JSON_LIST_LIMIT = '1mb';
/** Parsing a list takes memory that grows with it: one load at a time per process, two more may wait (then 503 BUSY). */
export const SANCTIONS_LOADS = { active: 1, queued: 2 } as const;

/**
 * Loads a sanctions or deny list version (`custos sanctions load`): as JSON `{ name, format?, content }`, or as the
 * file itself with `?name=&format=`, streamed to disk up to SANCTIONS_BODY_LIMIT. One load at a time per process.
 */
export function sanctionsRoutes(ctx: ApiContext): Router {
  const router = Router();
  const loads = new Admission(SANCTIONS_LOADS.active, SANCTIONS_LOADS.queued, 'sanctions list loads');
  type List = z.infer<typeof sanctionsJsonBody>;
  const guarded = fourEyes(ctx, 'sanctions-load', (list: List, requester: Requester) =>
    withDatabase(() => loadSanctionsList(ctx.db, { ...list, actor: requester.actor })),
  );
  const load = async (res: Response, list: List) => {
    const result = await guarded(res, list, `load ${list.name} (${list.content.length} characters)`);
    if (result instanceof Accepted) res.status(202).json(result.body);
    else res.json(result);
  };
  const parseJson = jsonBody(JSON_LIST_LIMIT);

  rawRoute(router, ctx, operations.loadSanctions, async (_request, { req, res }) => {
    if (req.is('application/json')) {
      await new Promise<void>((resolve, reject) =>
        parseJson(req, res, (error) => (error ? reject(error) : resolve())),
      );
      const list = validate(sanctionsJsonBody, req.body);
      await loads.run(() => load(res, list));
      return;
    }
    if (!req.is(RAW_LIST_TYPES)) {
      throw new CustosError(
        'UNSUPPORTED_MEDIA_TYPE',
        `send JSON, or the list itself as ${RAW_LIST_TYPES.join(', ')}`,
      );
    }
    const query = validate(sanctionsUploadQuery, req.query);
    // The whole upload waits its turn: a file is read into memory to be parsed.
    await loads.run(() =>
      withUpload(req, ctx.env.SANCTIONS_BODY_LIMIT, ({ content }) => load(res, { ...query, content })),
    );
  });
  return router;
}
