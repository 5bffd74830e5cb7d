import express from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { ApiContext } from './context.js';
import { errorHandler, notFound } from './errors.js';
import { requestId } from './middleware.js';
import { openApiRoutes } from './openapi.js';
import { adminRoutes } from './routes/admin.js';
import { agentRoutes } from './routes/agents.js';
import { approvalRoutes } from './routes/approvals.js';
import { attestRoutes } from './routes/attest.js';
import { attestationRoutes } from './routes/attestations.js';
import { delegationRoutes } from './routes/delegations.js';
import { auditRoutes } from './routes/audit.js';
import { credentialRoutes } from './routes/credentials.js';
import { auditEventRoutes } from './routes/auditEvents.js';
import { auditStatusRoutes } from './routes/auditStatus.js';
import { explorerRoutes } from './routes/explorer.js';
import { healthRoutes } from './routes/health.js';
import { holdRoutes } from './routes/holds.js';
import { emergencyRoutes } from './routes/emergency.js';
import { keyRoutes } from './routes/keys.js';
import { kycRoutes } from './routes/kyc.js';
import { revocationRoutes } from './routes/revocations.js';
import { reconcileRoutes } from './routes/reconcile.js';
import { sanctionsRoutes } from './routes/sanctions.js';
import { signerRoutes } from './routes/signers.js';

export function createApp(ctx: ApiContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', ctx.env.TRUST_PROXY_HOPS);
  app.use(requestId);
  app.use(
    pinoHttp({
      logger: ctx.logger,
      genReqId: (req) => (req as express.Request).id,
      // Requests are logged without bodies, query strings or credentials: no API keys, no personal data.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-custos-signature"]'],
    }),
  );
  app.use((req, res, next) => {
    const stop = ctx.metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () =>
      stop({ route: (req.route?.path as string | undefined) ?? 'unmatched', status: res.statusCode }),
    );
    next();
  });
  app.use(helmet());
  // No body parser here: each route reads its body only after authenticating the caller (see body.ts).

  app.use(healthRoutes(ctx));
  app.use(openApiRoutes());
  app.use(explorerRoutes());
  app.use(signerRoutes(ctx));
  app.use(reconcileRoutes(ctx));
  app.use(auditStatusRoutes(ctx));
  app.use(attestRoutes(ctx));
  app.use(attestationRoutes(ctx));
  app.use(delegationRoutes(ctx));
  app.use(credentialRoutes(ctx));
  app.use(kycRoutes(ctx));
  app.use(sanctionsRoutes(ctx));
  app.use(revocationRoutes(ctx));
  app.use(holdRoutes(ctx));
  app.use(approvalRoutes(ctx));
  app.use(adminRoutes(ctx));
  app.use(agentRoutes(ctx));
  app.use(keyRoutes(ctx));
  app.use(emergencyRoutes(ctx));
  app.use(auditRoutes(ctx));
  app.use(auditEventRoutes(ctx));
  app.use(notFound);
  app.use(errorHandler(ctx.logger));
  return app;
}
