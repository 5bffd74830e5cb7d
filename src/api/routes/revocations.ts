import { operations, type bulkRevokeRequest, type revokeRequest } from '@custos/sdk/api';
import { Router } from 'express';
import type { z } from 'zod';
import type { Requester } from '../../approvals/index.js';
import type { ApiContext } from '../context.js';
import { fourEyes, requesterOf } from '../fourEyes.js';
import { principalOf } from '../middleware.js';
import { Accepted, route } from '../route.js';

type Revoke = z.output<typeof revokeRequest>;
type BulkRevoke = z.output<typeof bulkRevokeRequest>;

/**
 * Revokes an attestation or credential, or everything of an address (which also holds the subject), within the
 * caller's tenant (every tenant for an admin), and waits for the chain (`custos revoke`); many at once in the
 * background (`custos revoke --file`). Revoking an address, and bulk revocations, can wait for a second officer.
 */
export function revocationRoutes(ctx: ApiContext): Router {
  const router = Router();
  const revoke = (body: Revoke, requester: Requester) => ctx.revocations.revoke({ ...body, ...requester });
  const revokeAddress = fourEyes(ctx, 'revoke-address', revoke);
  route(router, ctx, operations.revoke, ({ body }, { res }) =>
    /^0x[0-9a-fA-F]{40}$/.test(body.target)
      ? revokeAddress(
          res,
          body,
          `revoke every attestation and credential of ${body.target} and hold it (${body.reasonCode})`,
        )
      : revoke(body, requesterOf(res)),
  );

  const startBulk = fourEyes(ctx, 'bulk-revoke', async (body: BulkRevoke, requester: Requester) => ({
    bulk: await ctx.bulkRevocations.start(body, requester),
  }));
  route(router, ctx, operations.bulkRevoke, async ({ body }, { res }) => {
    const started = await startBulk(
      res,
      body,
      `revoke ${body.targets.length} uids or addresses (${body.reasonCode})`,
    );
    return started instanceof Accepted ? started : new Accepted(started);
  });
  route(router, ctx, operations.getBulkRevocation, async ({ params }, { res }) => ({
    bulk: await ctx.bulkRevocations.get(params.id, principalOf(res).readScope),
  }));
  return router;
}
