import { operations } from '@custos/sdk/api';
import { Router } from 'express';
import { withDatabase } from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { actorOf } from '../middleware.js';
import { route } from '../route.js';

/** Tenants and API keys, for admins (`custos tenants ...`, `custos api-keys ...`). */
export function adminRoutes(ctx: ApiContext): Router {
  const router = Router();
  const admin = ctx.tenantsAndKeys;
  route(router, ctx, operations.createTenant, ({ body }, { res }) =>
    withDatabase(() => admin.createTenant(body.name, actorOf(res))),
  );
  route(router, ctx, operations.listTenants, async () => ({
    tenants: await withDatabase(() => admin.listTenants()),
  }));
  route(router, ctx, operations.createApiKey, ({ body }, { res }) =>
    withDatabase(() => admin.createKey(body, actorOf(res))),
  );
  route(router, ctx, operations.listApiKeys, async ({ query }) => ({
    apiKeys: await withDatabase(() => admin.listKeys(query.tenant)),
  }));
  route(router, ctx, operations.revokeApiKey, ({ params }, { res }) =>
    withDatabase(() => admin.revokeKey(params.id, actorOf(res))),
  );
  route(router, ctx, operations.rotateApiKey, ({ params, body }, { res }) =>
    withDatabase(() => admin.rotateKey(params.id, body.overlapSeconds, actorOf(res))),
  );
  return router;
}
