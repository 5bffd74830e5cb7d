import { operations } from '@custos/sdk/api';
import { Router } from 'express';
import type { ApiContext } from '../context.js';
import { rawRoute, route } from '../route.js';

/**
 * Liveness, readiness (database, signer, chain; the signer's success cached, see Readiness; not ready while shutting
 * down) and Prometheus metrics.
 */
export function healthRoutes(ctx: ApiContext): Router {
  const router = Router();
  route(router, ctx, operations.health, () => ({ status: 'ok' as const }));

  rawRoute(router, ctx, operations.readiness, async (_request, { req, res }) => {
    if (ctx.readiness.shuttingDown) {
      res.status(503).json({
        error: {
          code: 'NOT_READY',
          message: 'shutting down: requests in flight are finishing',
          details: { shuttingDown: true },
        },
        requestId: req.id,
      });
      return;
    }
    const check = async (step: () => Promise<unknown>) => {
      try {
        await step();
        return 'ok';
      } catch {
        return 'unreachable';
      }
    };
    const signer = ctx.keys.current();
    const [database, chain, signerState] = await Promise.all([
      check(() => ctx.db.pool.query('SELECT 1')),
      check(() => ctx.chain.ping()),
      check(() => ctx.readiness.checkSigner(signer)),
    ]);
    const checks = {
      database,
      chain,
      signer: { state: signerState, backend: signer.backend, address: signer.address },
    };
    const ready = database === 'ok' && chain === 'ok' && signerState === 'ok';
    res.status(ready ? 200 : 503).json(
      ready
        ? { status: 'ready', checks }
        : {
            error: { code: 'NOT_READY', message: 'a dependency is unreachable', details: checks },
            requestId: req.id,
          },
    );
  });

  rawRoute(router, ctx, operations.metrics, async (_request, { res }) => {
    res.setHeader('content-type', ctx.metrics.registry.contentType);
    res.send(await ctx.metrics.registry.metrics());
  });
  return router;
}
