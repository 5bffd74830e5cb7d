import { operations, type emergencyRequest } from '@custos/sdk/api';
import { Router } from 'express';
import type { z } from 'zod';
import type { Requester } from '../../approvals/index.js';
import { CustosError, withDatabase } from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { fourEyes, requesterOf } from '../fourEyes.js';
import { route } from '../route.js';

/**
 * The emergency stop (`custos emergency status|pause|unpause`). Any officer may pull it; only an admin lifts it
 * (and, with FOUR_EYES=emergency-unpause, only with a second admin's approval).
 */
export function emergencyRoutes(ctx: ApiContext): Router {
  const router = Router();
  route(router, ctx, operations.emergencyState, () => ctx.emergency.current());
  route(router, ctx, operations.emergencyPause, ({ body }, { res }) =>
    ctx.emergency.pause(body, requesterOf(res).actor),
  );
  const unpause = fourEyes(
    ctx,
    'emergency-unpause',
    (body: z.output<typeof emergencyRequest>, requester: Requester) =>
      ctx.emergency.unpause(body, requester.actor),
    // Bound to this pause: an approval left over from it never lifts a later one.
    async () => {
      const state = await withDatabase(() => ctx.emergency.refresh());
      if (!state.paused) throw new CustosError('NOT_PAUSED', 'the emergency stop is not on');
      return `paused at ${state.changedAt}`;
    },
  );
  route(router, ctx, operations.emergencyUnpause, ({ body }, { res }) =>
    unpause(res, body, `lift the emergency stop (${body.reasonCode}: ${body.reason})`),
  );
  return router;
}
