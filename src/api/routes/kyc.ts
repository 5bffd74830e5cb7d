import { operations } from '@custos/sdk/api';
import { Router, type RequestHandler } from 'express';
import { CustosError, withDatabase } from '../../errors/index.js';
import {
  guardAgainstReplay,
  setKycRecord,
  verifyWebhook,
  type WebhookVerdict,
} from '../../screening/index.js';
import type { ApiContext } from '../context.js';
import { actorOf, principalOf, publicRateLimit } from '../middleware.js';
import { route } from '../route.js';

type VerifiedDelivery = Extract<WebhookVerdict, { ok: true }>;

export function kycRoutes(ctx: ApiContext): Router {
  const router = Router();

  const configured: RequestHandler = (_req, _res, next) => {
    if (!ctx.env.KYC_WEBHOOK_SECRET) {
      throw new CustosError('NOT_FOUND', 'the KYC webhook is not configured (KYC_WEBHOOK_SECRET)');
    }
    next();
  };
  // The webhook's authentication: the HMAC over the raw bytes, checked before the body is even validated.
  const signed: RequestHandler = (req, res, next) => {
    const verdict = verifyWebhook({
      secret: ctx.env.KYC_WEBHOOK_SECRET!,
      timestamp: req.header('x-custos-timestamp'),
      signature: req.header('x-custos-signature'),
      rawBody: req.rawBody ?? Buffer.alloc(0),
      now: new Date(),
      toleranceSeconds: ctx.env.KYC_WEBHOOK_TOLERANCE_SECONDS,
      maxFutureSeconds: ctx.env.KYC_WEBHOOK_MAX_FUTURE_SECONDS,
    });
    if (!verdict.ok) {
      ctx.webhookRefusals.note(verdict.code, req.ip);
      throw new CustosError('WEBHOOK_REJECTED', verdict.message, { reason: verdict.code });
    }
    res.locals.delivery = verdict;
    next();
  };

  /**
   * Provider callbacks: rate-limited per source before anything is read, then HMAC over the raw body. A refused
   * delivery changes nothing and is counted (metrics, log, one aggregated audit event per interval).
   */
  route(
    router,
    ctx,
    operations.kycWebhook,
    async ({ body }, { res }) => {
      const delivery = res.locals.delivery as VerifiedDelivery;
      const replayWindow = ctx.env.KYC_WEBHOOK_TOLERANCE_SECONDS + ctx.env.KYC_WEBHOOK_MAX_FUTURE_SECONDS;
      const result = await withDatabase(() =>
        setKycRecord(
          ctx.db,
          body,
          { by: 'provider', actor: `webhook:${body.provider}`, signedAt: delivery.signedAt },
          (tx) => guardAgainstReplay(tx, delivery.digest, replayWindow),
        ),
      );
      return {
        subject: body.subject,
        applied: result.applied,
        ...(result.applied ? {} : { reason: result.reason }),
      };
    },
    {
      before: [publicRateLimit(ctx, 'webhook', ctx.env.KYC_WEBHOOK_RATE_LIMIT_PER_MINUTE), configured],
      afterBody: [signed],
    },
  );

  /** Officers set a record by hand (`custos kyc set`): stored and audited when it arrives. */
  route(router, ctx, operations.setKyc, async ({ params: { subject }, body }, { res }) => {
    const decision = { by: 'officer' as const, actor: actorOf(res), scope: principalOf(res).readScope };
    await withDatabase(() => setKycRecord(ctx.db, { ...body, subject }, decision));
    return { subject, applied: true };
  });
  return router;
}
