import { Router } from 'express';
import { CustosError, withDatabase } from '../../errors/index.js';
import {
  guardAgainstReplay,
  kycInputSchema,
  setKycRecord,
  subjectAddress,
  verifyWebhook,
} from '../../screening/index.js';
import { jsonBody } from '../body.js';
import type { ApiContext } from '../context.js';
import { actorOf, authenticate, principalOf, publicRateLimit } from '../middleware.js';
import { validate } from '../validate.js';

export function kycRoutes(ctx: ApiContext): Router {
  const router = Router();

  /**
   * Provider callbacks: rate-limited per source before anything is read, then HMAC over the raw body. A refused
   * delivery changes nothing and is counted (metrics, log, one aggregated audit event per interval).
   */
  router.post(
    '/v1/kyc/webhook',
    publicRateLimit(ctx, 'webhook', ctx.env.KYC_WEBHOOK_RATE_LIMIT_PER_MINUTE),
    (_req, _res, next) => {
      if (!ctx.env.KYC_WEBHOOK_SECRET) {
        throw new CustosError('NOT_FOUND', 'the KYC webhook is not configured (KYC_WEBHOOK_SECRET)');
      }
      next();
    },
    jsonBody(ctx.env.BODY_LIMIT),
    async (req, res) => {
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
      const input = validate(kycInputSchema, req.body);
      const replayWindow = ctx.env.KYC_WEBHOOK_TOLERANCE_SECONDS + ctx.env.KYC_WEBHOOK_MAX_FUTURE_SECONDS;
      const result = await withDatabase(() =>
        setKycRecord(
          ctx.db,
          input,
          { by: 'provider', actor: `webhook:${input.provider}`, signedAt: verdict.signedAt },
          (tx) => guardAgainstReplay(tx, verdict.digest, replayWindow),
        ),
      );
      res.json({
        subject: input.subject,
        applied: result.applied,
        ...(result.applied ? {} : { reason: result.reason }),
      });
    },
  );

  /** Officers set a record by hand (`custos kyc set`): stored and audited when it arrives. */
  router.put(
    '/v1/kyc/:subject',
    authenticate(ctx, ['officer', 'admin']),
    jsonBody(ctx.env.BODY_LIMIT),
    async (req, res) => {
      const subject = validate(subjectAddress, req.params.subject);
      const input = validate(kycInputSchema, { ...req.body, subject });
      await withDatabase(() =>
        setKycRecord(ctx.db, input, {
          by: 'officer',
          actor: actorOf(res),
          scope: principalOf(res).readScope,
        }),
      );
      res.json({ subject, applied: true });
    },
  );
  return router;
}
